/**
 * The Study page's view (seed 001, T14): read-only queries of the study warehouse
 * (`<data dir>/study.duckdb`, written by `thetadesk study …`), shaped as the contract's `StudyView`.
 * Missing data is an empty state with what to run, never an error: no warehouse yet, no walk-forward
 * run, no active model, no forward test. The warehouse is opened read-only for each call and closed
 * after, so a `thetadesk study` command can write it between calls; while one is writing, the page
 * says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { calibration } from '../../research/zero-dte/calibration.ts';
import { outcomes } from '../../research/zero-dte/simulate.ts';
import { StudyWarehouse, WAREHOUSE_FILE_NAME, type ForwardSnapshot } from '../../research/zero-dte/warehouse.ts';
import {
  disclaimersFor, EXIT_MODES, StudySymbolSchema, type ExitMode, type LadderRow, type SimulatedTrade, type StudySymbol, type StudyView,
} from '../../../shared/study/zero-dte.ts';
import type { z } from 'zod';
import type { StudyQuerySchema } from '../../../shared/study/zero-dte.ts';

export type StudyQuery = z.infer<typeof StudyQuerySchema>;

const RECENT = 60;
const tierKey = (t: number) => `${(t * 100).toFixed(1)}%`;

/** The ladder row as it reads under the page's fill assumptions: the fill from the bid or the mid less slippage, the EV moved with it. */
export function refill(row: LadderRow, fill: 'bid' | 'mid', slippage: number): LadderRow {
  const p = row.premium;
  if (!p || p.fill === null || row.evProxy === null) return row;
  const base = fill === 'bid' ? p.bid : p.mid;
  if (base === null) return row;
  const next = Math.max(0, Math.round((base - slippage) * 100) / 100);
  const d = next - p.fill;
  return { ...row, premium: { ...p, fill: next }, evProxy: row.evProxy + d, evLow: row.evLow === null ? null : row.evLow + d, evHigh: row.evHigh === null ? null : row.evHigh + d };
}

function emptyView(symbol: StudySymbol, message: string, fill: StudyView['fill']): StudyView {
  return { available: false, message, disclaimers: disclaimersFor(symbol), symbols: [], symbol, fill, runs: [], run: null, activeModel: null, today: null, forward: null };
}

/** A forward snapshot's P&L as a trade, for the outcome figures (both exit views). */
function asTrades(s: ForwardSnapshot): SimulatedTrade[] {
  const out: SimulatedTrade[] = [];
  for (const mode of EXIT_MODES) {
    const pnl = s.pnl[mode];
    if (pnl === null || s.ladder?.strike == null || s.closePrice === null) continue;
    out.push({ sessionDate: s.sessionDate, decisionTs: s.decisionTs, riskTier: s.riskTier, exitMode: mode, strike: s.ladder.strike, contracts: 1, entryTs: s.decisionTs, entryPremium: s.ladder.premium?.fill ?? 0, exitTs: s.decisionTs, exitReason: 'settlement', exitPrice: 0, settlementPrice: s.closePrice, fees: 0, pnl, breached: s.breached === 1 });
  }
  return out;
}

export async function studyView(dataDir: string, q: StudyQuery): Promise<StudyView> {
  const fill = { model: q.fill ?? 'bid', slippage: q.slippage ?? 0 } as const;
  const file = path.join(dataDir, WAREHOUSE_FILE_NAME);
  const asked = q.symbol ?? 'SPY';
  if (!fs.existsSync(file)) {
    return emptyView(asked, `No study data yet. Run "npx thetadesk study walk-forward --bars FILE --out FILE.csv --data-dir ${dataDir}" (e.g. --bars ../shared/data/spy_hourly_raw_lean_1998_2021.csv.gz), then "study fit --promote" and "study forward".`, fill);
  }
  let w: StudyWarehouse;
  try {
    w = await StudyWarehouse.open(file, { readOnly: true });
  } catch (error) {
    return emptyView(asked, error instanceof Error ? error.message : String(error), fill);
  }
  try {
    const runs = await w.runs();
    const registry = await w.registry();
    const snaps = await w.forwardSnapshots();
    const symbols = [...new Set([...runs.map((r) => r.symbol), ...registry.map((r) => r.symbol), ...snaps.map((s) => s.symbol)])]
      .filter((s): s is StudySymbol => StudySymbolSchema.safeParse(s).success)
      .sort();
    const symbol: StudySymbol = q.symbol ?? symbols[0] ?? 'SPY';
    const mine = runs.filter((r) => r.symbol === symbol);
    const chosen = (q.runId ? mine.find((r) => r.runId === q.runId) : undefined) ?? mine[0] ?? null;
    const run: StudyView['run'] = chosen
      ? (() => {
          const s = chosen.summary as { requestedTimes: string[]; calibration: NonNullable<StudyView['run']>['calibration']; outcomes: NonNullable<StudyView['run']>['outcomes']; skips: Record<string, number>; acceptance: NonNullable<StudyView['run']>['acceptance'] };
          return { runId: chosen.runId, assumptionsHash: chosen.assumptionsHash, requestedTimes: s.requestedTimes, calibration: s.calibration, outcomes: s.outcomes, skips: s.skips, acceptance: s.acceptance };
        })()
      : null;

    const active = registry.filter((r) => r.symbol === symbol).sort((a, b) => b.promotedAt - a.promotedAt)[0] ?? null;
    const activeState = active ? await w.modelState(active.activeModelVersion) : null;

    // Today: the latest forward decision of the symbol (its tier rows share the decision).
    const fwd = snaps.filter((s) => s.symbol === symbol);
    const last = fwd.reduce<ForwardSnapshot | null>((best, s) => (!best || s.decisionTs > best.decisionTs || (s.decisionTs === best.decisionTs && s.scoredAt > best.scoredAt) ? s : best), null);
    let today: StudyView['today'] = null;
    if (last) {
      const rows = fwd.filter((s) => s.decisionTs === last.decisionTs && s.modelVersion === last.modelVersion).sort((a, b) => a.riskTier - b.riskTier);
      const probs = await w.forwardProbabilities({ symbol, sessionDate: last.sessionDate, decisionTs: last.decisionTs });
      today = {
        sessionDate: last.sessionDate, decisionTime: last.decisionTime, modelVersion: last.modelVersion, trainedThrough: last.trainedThrough, state: last.state,
        probabilities: probs.filter((p) => p.modelVersion === last.modelVersion).map((p) => ({ strike: p.strike, strikePct: p.strikePct, pBreach: p.pBreach, ciLow: p.ciLow, ciHigh: p.ciHigh, n: p.n, climatology: p.climatology, breached: p.breached })),
        ladder: rows.flatMap((r) => (r.ladder ? [refill(r.ladder, fill.model, fill.slippage)] : [])),
        status: last.status, skipReason: last.skipReason, skipDetail: last.skipDetail, closePrice: last.closePrice,
      };
    }

    let forward: StudyView['forward'] = null;
    if (fwd.length > 0) {
      const probs = (await w.forwardProbabilities({ symbol })).filter((p) => p.breached !== null);
      const trades = fwd.flatMap(asTrades);
      const byTier: Record<string, Record<ExitMode, ReturnType<typeof outcomes>>> = {};
      for (const tier of [...new Set(fwd.map((s) => s.riskTier))].sort((a, b) => a - b)) {
        const t = trades.filter((x) => x.riskTier === tier);
        byTier[tierKey(tier)] = { hold_to_close: outcomes(t.filter((x) => x.exitMode === 'hold_to_close')), adaptive_exit: outcomes(t.filter((x) => x.exitMode === 'adaptive_exit')) };
      }
      forward = {
        sessions: new Set(fwd.map((s) => s.sessionDate)).size,
        rows: fwd.length,
        reconciled: fwd.filter((s) => s.status === 'reconciled').length,
        pending: fwd.filter((s) => s.status === 'pending').length,
        skipped: fwd.filter((s) => s.status === 'skipped').length,
        calibration: calibration(probs.map((p) => ({ p: p.pBreach, y: p.breached!, climatology: p.climatology }))),
        byTier,
        recent: fwd.slice(-RECENT).reverse().map((s) => ({
          sessionDate: s.sessionDate, decisionTime: s.decisionTime, riskTier: s.riskTier, strike: s.ladder?.strike ?? null, pBreach: s.ladder?.pBreach ?? null, status: s.status,
          closePrice: s.closePrice, breached: s.breached, pnlHoldToClose: s.pnl.hold_to_close, pnlAdaptiveExit: s.pnl.adaptive_exit, skipReason: s.skipReason,
        })),
      };
    }
    return {
      available: true,
      message: null,
      disclaimers: disclaimersFor(symbol),
      symbols: symbols.length > 0 ? symbols : [symbol],
      symbol,
      fill,
      runs: mine.map((r) => ({
        runId: r.runId, label: `${r.mode} ${(r.summary as { requestedTimes: string[] }).requestedTimes[0]} ET, ${r.bars} bars, ${r.firstTest} … ${r.lastTest}`, mode: r.mode as 'fixed' | 'rolling', bars: r.bars,
        decisionNote: r.decisionNote, firstTest: r.firstTest, lastTest: r.lastTest, testSessions: r.testSessions, rows: r.rows,
      })),
      run,
      activeModel: active && activeState ? { modelVersion: active.activeModelVersion, trainedThroughSession: activeState.trainedThroughSession, assumptionsHash: active.assumptionsHash, previousModelVersion: active.previousModelVersion, promotedAt: active.promotedAt } : null,
      today,
      forward,
    };
  } finally {
    w.close();
  }
}
