/**
 * T10, the walk-forward orchestrator: every test session is scored by a model trained only on the
 * sessions before it (the research port's `walkForwardAt`: fit through the previous session, state from
 * the history as it stood at the decision, outcome from what happened), over an expanding window or the
 * last N sessions. Results: one row per test session, decision time and candidate strike (the CSV), the
 * ladder per risk tier, trades under both exit views, calibration against the climatological forecast by
 * risk tier, time bucket and regime, trading outcomes by tier, decision mode, time bucket, regime and
 * exit view, skip counts, the preflight and the acceptance criteria. Deterministic: the same data and
 * assumptions give the same rows (tested).
 */
import type { Calibration, ExitMode, LadderRow, SimulatedTrade, SkipReason, StudyAnchor, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { disclaimersFor, EXIT_MODES } from '../../../shared/study/zero-dte.ts';
import { previousTradingDay } from '../../../shared/market/calendar.ts';
import type { DailyBar } from '../../../shared/domain/bars.ts';
import { walkForwardAt, type StudyEvent } from '../port.ts';
import { calibration, calibrationBy, type Forecast } from './calibration.ts';
import { datasetHistory, intervalLabel, type IntradayDataset } from './dataset.ts';
import { decisionEvents, decisionNote, requestedTimes, type DecisionEvent } from './decision.ts';
import { stateAt } from './features.ts';
import { anchorOf } from './labels.ts';
import type { QuoteSource } from './ladder.ts';
import { preflight, PreflightError, type Preflight } from './preflight.ts';
import { outcomes, simulateSession, type Outcomes, type SessionDecision, type SimulationSkip } from './simulate.ts';
import { ZeroDteStudy, type Score } from './study.ts';

/** One row of the walk-forward CSV (the columns), plus what the calibration groups by. */
export type WalkForwardRow = {
  sessionDate: string;
  decisionTime: string;
  decisionTs: number;
  priorClose: number;
  decisionPrice: number;
  strike: number;
  strikePct: number;
  pBreach: number;
  breached: 0 | 1;
  trainedThrough: string;
  modelVersion: string;
  climatology: number;
  timeOnly: number;
  timeBucket: string;
  volRegime: string;
  /** Risk tiers whose ladder picked this strike. */
  tiers: number[];
};

export type WalkForwardOptions = {
  dataset: IntradayDataset;
  /** Daily series by name, e.g. { VIX: bars } for the volatility regime. */
  daily?: Record<string, DailyBar[]>;
  assumptions: ZeroDteAssumptions;
  /** First and last test session (default: after `preflight.minTrainSessions` sessions; the last session). */
  from?: string;
  to?: string;
  quotes?: QuoteSource | null;
  /** Skip the ladder and the trades (rows and calibration only). */
  rowsOnly?: boolean;
  /** Called after each test session (progress). */
  onSession?: (date: string, done: number, total: number) => void;
};

export type WalkForwardResult = {
  symbol: string;
  disclaimers: string[];
  assumptionsHash: string;
  intervalMs: number;
  barLabel: string;
  mode: ZeroDteAssumptions['decision']['mode'];
  requestedTimes: string[];
  decisionNote: string | null;
  firstTest: string;
  lastTest: string;
  testSessions: number;
  rows: WalkForwardRow[];
  ladders: { sessionDate: string; decisionTs: number; decisionTime: string; ladder: LadderRow[] }[];
  trades: SimulatedTrade[];
  skips: Partial<Record<SkipReason, number>>;
  preflight: Preflight;
  calibration: {
    overall: Calibration;
    /** The time-bucket-only forecast (the model without the state's regime and extension), same rows. */
    timeOnly: Calibration;
    byTier: Record<string, Calibration>;
    byTimeBucket: Record<string, Calibration>;
    byRegime: Record<string, Calibration>;
  };
  outcomes: {
    byTier: Record<string, Record<ExitMode, Outcomes>>;
    byTimeBucket: Record<string, Record<ExitMode, Outcomes>>;
    byRegime: Record<string, Record<ExitMode, Outcomes>>;
  };
  acceptance: { name: string; met: boolean; value: number | null; target: string }[];
};

const tierKey = (t: number) => `${(t * 100).toFixed(1)}%`;

function outcomesBy(trades: readonly SimulatedTrade[], key: (t: SimulatedTrade) => string): Record<string, Record<ExitMode, Outcomes>> {
  const groups = new Map<string, SimulatedTrade[]>();
  for (const t of trades) {
    const k = key(t);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(t);
  }
  const out: Record<string, Record<ExitMode, Outcomes>> = {};
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!;
    out[k] = Object.fromEntries(EXIT_MODES.map((m) => [m, outcomes(g.filter((t) => t.exitMode === m))])) as Record<ExitMode, Outcomes>;
  }
  return out;
}

/** Runs the walk-forward (see the module comment). Throws a PreflightError when a gate fails. */
export function runWalkForward(opts: WalkForwardOptions): WalkForwardResult {
  const a = opts.assumptions;
  const ds = opts.dataset;
  if (ds.symbol !== a.symbol) throw new Error(`the bars are ${ds.symbol} but the assumptions study ${a.symbol}`);
  const history = datasetHistory(ds, opts.daily ?? {});
  const study = new ZeroDteStudy(a, ds.intervalMs, { ladder: !opts.rowsOnly, quotes: opts.quotes ?? null });
  const minTrain = a.preflight.minTrainSessions;
  const defaultFrom = ds.dates[Math.min(minTrain, ds.dates.length - 1)]!;
  const from = opts.from ?? defaultFrom;
  const to = opts.to ?? ds.dates[ds.dates.length - 1]!;
  const testDates = ds.dates.filter((d) => d >= from && d <= to);
  if (testDates.length === 0) throw new Error(`no session with bars between ${from} and ${to} (the bars cover ${ds.dates[0]} … ${ds.dates[ds.dates.length - 1]})`);

  // Preflight on the training data before the first test session.
  const firstThrough = previousTradingDay(testDates[0]!);
  study.fit(history, firstThrough);
  const trainSessions = ds.dates.filter((d) => d <= firstThrough).length;
  const pf = preflight({ trainSessions, samples: study.samplesThrough(firstThrough), dataset: ds }, a);
  if (!pf.ok) throw new PreflightError(pf);

  const skips: Partial<Record<SkipReason, number>> = {};
  const countSkip = (r: SkipReason) => (skips[r] = (skips[r] ?? 0) + 1);
  for (const d of ds.missingSessions) if (d >= from && d <= to) countSkip('missing_session');

  const events: (StudyEvent & { event: DecisionEvent })[] = [];
  for (const date of testDates) for (const event of decisionEvents(a, date, ds.intervalMs)) events.push({ date, at: event.at, event });
  type State = { state: StudyState; anchor: StudyAnchor };
  const { results } = walkForwardAt(
    {
      id: study.id, title: study.title, seed: study.seed,
      fit: (h, through) => study.fit(h, through),
      score: (fitted, s: State): Score => study.score(fitted, s.state),
      report: () => null,
    },
    history,
    events,
    (known, e) => {
      const ev = (e as (typeof events)[number]).event;
      const r = stateAt(known, ev, a);
      if (!r.ok) {
        countSkip(r.skipReason);
        return null;
      }
      return { state: r.state, anchor: null as unknown as StudyAnchor };
    },
    (full, e, s) => {
      // The outcome: the anchor and the close, read from what happened after the decision.
      const anchor = anchorOf(e.date, full.intraday!(a.symbol, e.date), e.at);
      if (anchor.closePrice === null) {
        countSkip(anchor.skipReason ?? 'missing_close_bar');
        return null;
      }
      if (anchor.skipReason === 'no_entry_anchor') {
        countSkip('no_entry_anchor');
        return null;
      }
      s.anchor = anchor;
      return { closePrice: anchor.closePrice };
    },
  );

  // Rows, ladders, trades — session by session (trades need the session's decisions together).
  const rows: WalkForwardRow[] = [];
  const ladders: WalkForwardResult['ladders'] = [];
  const trades: SimulatedTrade[] = [];
  const tierRows: (Forecast & { tier: number })[] = [];
  const simSkips: SimulationSkip[] = [];
  let i = 0;
  const sessionsDone = new Set<string>();
  while (i < results.length) {
    const date = results[i]!.date;
    const decisions: SessionDecision[] = [];
    for (; i < results.length && results[i]!.date === date; i++) {
      const r = results[i]!;
      const { state, anchor } = r.state;
      const ladder = r.score.ladder;
      const picked = new Map<number, number[]>();
      for (const row of ladder) if (row.strike !== null) picked.set(row.strike, [...(picked.get(row.strike) ?? []), row.riskTier]);
      r.score.probabilities.forEach((p, k) => {
        const y: 0 | 1 = r.outcome.closePrice <= p.strike ? 1 : 0;
        rows.push({
          sessionDate: date, decisionTime: state.decisionTime, decisionTs: state.decisionTs, priorClose: state.priorClose, decisionPrice: state.decisionPrice,
          strike: p.strike, strikePct: p.strikePct, pBreach: p.pBreach, breached: y, trainedThrough: r.trainedThrough, modelVersion: r.score.modelVersion,
          climatology: p.climatology, timeOnly: r.score.timeOnly[k]!, timeBucket: state.timeBucket, volRegime: state.volRegime, tiers: picked.get(p.strike) ?? [],
        });
      });
      for (const row of ladder) {
        if (row.strike === null || row.pBreach === null) continue;
        const p = r.score.probabilities.find((x) => x.strike === row.strike)!;
        tierRows.push({ p: row.pBreach, y: r.outcome.closePrice <= row.strike ? 1 : 0, climatology: p.climatology, tier: row.riskTier });
      }
      if (!opts.rowsOnly) {
        ladders.push({ sessionDate: date, decisionTs: state.decisionTs, decisionTime: state.decisionTime, ladder });
        decisions.push({ state, anchor, ladder });
      }
    }
    if (!opts.rowsOnly) {
      const sim = simulateSession(decisions, ds.bars.get(date) ?? [], a, opts.quotes ?? null);
      trades.push(...sim.trades);
      simSkips.push(...sim.skips);
    }
    sessionsDone.add(date);
    opts.onSession?.(date, sessionsDone.size, testDates.length);
  }
  for (const s of simSkips) countSkip(s.skipReason);

  const forecasts = rows.map((r) => ({ p: r.pBreach, y: r.breached, climatology: r.climatology }));
  const overall = calibration(forecasts);
  const timeOnly = calibration(rows.map((r) => ({ p: r.timeOnly, y: r.breached, climatology: r.climatology })));
  const regimeOf = new Map<number, string>();
  const bucketOf = new Map<number, string>();
  for (const r of rows) {
    regimeOf.set(r.decisionTs, r.volRegime);
    bucketOf.set(r.decisionTs, r.timeBucket);
  }
  const acc = a.acceptance;
  const testSessions = sessionsDone.size;
  return {
    symbol: a.symbol,
    disclaimers: disclaimersFor(a.symbol),
    assumptionsHash: study.assumptionsHash,
    intervalMs: ds.intervalMs,
    barLabel: intervalLabel(ds.intervalMs),
    mode: a.decision.mode,
    requestedTimes: requestedTimes(a),
    decisionNote: decisionNote(requestedTimes(a)[0]!, ds.intervalMs),
    firstTest: testDates[0]!,
    lastTest: testDates[testDates.length - 1]!,
    testSessions,
    rows,
    ladders,
    trades,
    skips,
    preflight: pf,
    calibration: {
      overall,
      timeOnly,
      byTier: calibrationBy(tierRows, (r) => tierKey(r.tier)),
      byTimeBucket: calibrationBy(rows.map((r) => ({ p: r.pBreach, y: r.breached, climatology: r.climatology, k: r.timeBucket })), (r) => r.k),
      byRegime: calibrationBy(rows.map((r) => ({ p: r.pBreach, y: r.breached, climatology: r.climatology, k: r.volRegime })), (r) => r.k),
    },
    outcomes: {
      byTier: outcomesBy(trades, (t) => tierKey(t.riskTier)),
      byTimeBucket: outcomesBy(trades, (t) => bucketOf.get(t.decisionTs) ?? '?'),
      byRegime: outcomesBy(trades, (t) => regimeOf.get(t.decisionTs) ?? '?'),
    },
    acceptance: [
      { name: 'Brier skill vs climatology', met: overall.brierSkill !== null && overall.brierSkill > acc.minBrierSkill, value: overall.brierSkill, target: `> ${acc.minBrierSkill}` },
      { name: 'calibration error (ECE)', met: overall.calibrationError !== null && overall.calibrationError <= acc.maxCalibrationError, value: overall.calibrationError, target: `<= ${acc.maxCalibrationError}` },
      { name: 'test sessions', met: testSessions >= acc.minTestSessions, value: testSessions, target: `>= ${acc.minTestSessions}` },
    ],
  };
}
