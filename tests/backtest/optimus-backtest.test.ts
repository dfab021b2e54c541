/**
 * Optimus in the backtester on the real daily files (options priced by the calibrated model): the
 * circuit breaker and the regime-shift exit where the real history made them happen, every order
 * queued at the close and sent in the next 10:00–11:00 ET window, and the §16 report.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDailyFiles } from '../../electron/backtest/daily-files.ts';
import { runBacktest, type BacktestResult } from '../../electron/backtest/run.ts';
import { replayDecision } from '../../electron/engine/replay.ts';
import type { DecisionRow } from '../../electron/store/repos/decisions.ts';
import type { TradeWithLegs } from '../../electron/store/repos/trades.ts';
import { openStore } from '../../electron/store/store.ts';
import { optimus } from '../../electron/strategies/optimus/strategy.ts';
import { nextTradingDay, session } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { tempDir } from '../store/fixtures.ts';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data');
const daily = loadDailyFiles(DATA).series;

type Run = { result: BacktestResult; decisions: DecisionRow[]; trades: TradeWithLegs[]; dir: string };
async function backtest(from: string, to: string): Promise<Run> {
  const dir = path.join(tempDir('td-optimus-bt-'), 'db');
  const result = await runBacktest({ strategy: optimus, source: { kind: 'model', daily, dir: DATA }, from, to, dataDir: dir });
  const store = openStore({ dataDir: dir, check: 'none', now: () => 0 });
  try {
    return { result, decisions: store.decisions.listByDate(from, to), trades: store.trades.listByEntryDate('1900-01-01', '2100-01-01'), dir };
  } finally {
    store.close();
  }
}

let spring1997: Run;
let autumn2018: Run;
beforeAll(async () => {
  spring1997 = await backtest('1997-01-01', '1997-05-30');
  autumn2018 = await backtest('2018-09-01', '2018-12-31');
}, 120_000);

describe('the circuit breaker (§7.1) — March–April 1997', () => {
  it('three consecutive stop losses (closed 1997-04-01, 04-01 and 04-03) halt entries through 1997-04-10, five business days; the next entry is on 1997-04-14', () => {
    const { decisions, trades } = spring1997;
    const stops = trades.filter((t) => t.exitReason === 'STOP_LOSS').map((t) => [t.tradeId, t.exitDate]);
    expect(stops).toEqual([[1, '1997-04-01'], [2, '1997-04-03'], [3, '1997-04-01']]);
    const vetoes = decisions.filter((d) => d.kind === 'VETO');
    expect(vetoes.map((d) => etDate(d.decidedAt))).toEqual(['1997-04-03', '1997-04-04', '1997-04-07', '1997-04-08']);
    for (const v of vetoes) {
      expect(v.gate).toBe('circuit-breaker');
      expect(v.reason).toBe('Circuit breaker: 3 consecutive max losses (trades 1, 3, 2): no new entries through 1997-04-10');
      expect(v.details).toMatchObject({ candidate: 'signal', veto: { pausedThrough: '1997-04-10', pauseDays: 5 } });
    }
    const after = decisions.filter((d) => d.kind === 'ENTER' && etDate(d.decidedAt) > '1997-04-03').map((d) => etDate(d.decidedAt));
    expect(after[0]).toBe('1997-04-14');
    // The dashboard of the day it tripped says so.
    const dashboard = vetoes[0]!.details.dashboard as string[];
    expect(dashboard).toContain('  Circuit Breaker: ON — entries halted through 1997-04-10 (tripped by trades 1, 3, 2)');
  });

  it('§16 counts the trip among the failure conditions, in its year', () => {
    const r = spring1997.result.systemReport!.section16;
    expect(r.failures.circuitBreaker).toEqual({ trips: 1, dates: ['1997-04-03'] });
    expect(r.byYear.find((y) => y.year === '1997')!.failures).toContain('circuit breaker fired');
  });
});

describe('the regime shift (§7.1) — October 2018', () => {
  it('SPX closed under its 200-day EMA on 2018-10-22 (Bear Trend): the open spread is closed the next morning, 2018-10-23 10:00, within one business day', () => {
    const exits = autumn2018.decisions.filter((d) => d.kind === 'EXIT' && d.gate === 'REGIME_SHIFT');
    expect(exits.length).toBeGreaterThan(0);
    const first = exits[0]!;
    expect(etDate(first.decidedAt)).toBe('2018-10-22');
    expect(first.reason).toMatch(/^Regime shift: Bear Trend \(SPX below 200 EMA \(2,756 < 2,759\)\)/);
    const t = autumn2018.trades.find((x) => x.tradeId === first.tradeId)!;
    expect(t.exitReason).toBe('REGIME_SHIFT');
    expect(t.closedAt).toBe(etToEpoch('2018-10-23', '10:00'));
  });
});

describe('orders go out in the execution window (§4.4)', () => {
  it('every entry: decided at 16:15 ET, filled at 10:00 ET the next session at re-quoted prices; every exit likewise', () => {
    for (const run of [spring1997, autumn2018]) {
      for (const t of run.trades.filter((x) => x.status !== 'CANCELLED')) {
        const d = run.decisions.find((x) => x.decisionId === t.decisionId)!;
        const day = etDate(d.decidedAt);
        expect(d.decidedAt).toBe(session(day)!.close + 15 * 60_000);
        expect(t.openedAt).toBe(etToEpoch(nextTradingDay(day), '10:00'));
        expect(t.notes.requote).toMatchObject({ at: t.openedAt, decidedMidCents: d.limitPriceCents });
        if (t.status === 'CLOSED' && t.exitReason !== 'EXPIRED') {
          const exit = run.decisions.find((x) => x.kind === 'EXIT' && x.tradeId === t.tradeId)!;
          expect(t.closedAt).toBe(etToEpoch(nextTradingDay(etDate(exit.decidedAt)), '10:00'));
        }
      }
    }
  });
});

describe('replay', () => {
  it('every entry and veto of the backtest replays to the same decision from what it kept (its chain, context, inputs and packed market view)', () => {
    const store = openStore({ dataDir: spring1997.dir, check: 'none', now: () => 0 });
    try {
      const kept = spring1997.decisions.filter((d) => d.kind === 'ENTER' || d.kind === 'VETO');
      expect(kept.length).toBeGreaterThanOrEqual(8);
      for (const d of kept) expect(replayDecision(store, d.decisionId, [optimus]), `${d.kind} ${etDate(d.decidedAt)}`).toMatchObject({ status: 'same' });
      const skip = spring1997.decisions.find((d) => d.kind === 'SKIP')!;
      expect(replayDecision(store, skip.decisionId, [optimus])).toMatchObject({ status: 'not-replayable', reason: expect.stringMatching(/not kept/) });
    } finally {
      store.close();
    }
  });
});

describe('the §16 report', () => {
  it('states every metric beside the seed\'s target, and how options were priced', () => {
    const { result } = autumn2018;
    const r = result.systemReport!.section16;
    expect(r.targets.map((t) => [t.metric, t.target])).toEqual([
      ['CAGR', '40 %+'], ['Sharpe ratio', '0.8–1.2'], ['Win rate', '75–85 %'], ['Profit factor', '1.8–2.5'], ['Max drawdown', '15–25 %'], ['Monthly income', '1–1.5 % of capital'], ['Avg trade duration', '15–30 days'],
    ]);
    // One truth: the §16 figures are the run's statistics, identical (not recomputed).
    expect(r.targets.find((t) => t.metric === 'Win rate')!.value).toBe(result.stats.winRate);
    expect(r.targets.find((t) => t.metric === 'Sharpe ratio')!.value).toBe(result.stats.sharpe);
    expect(r.targets.find((t) => t.metric === 'Max drawdown')!.value).toBe(result.stats.maxDrawdownPct);
    // Exits by reason cover every closed trade.
    expect(r.exitsByReason.reduce((n, e) => n + e.count, 0)).toBe(result.stats.trades);
    expect(r.byRegime.reduce((n, g) => n + g.trades, 0)).toBe(result.stats.trades);
    expect(result.pricing).toMatchObject({ kind: 'model', calibration: { rows: 1523, ivRmsePts: 1.3414 } });
    expect(result.pricing.text).toMatch(/IV RMSE 1\.34 vol points/);
  });
});

describe('the period is what the data covers', () => {
  it('a --to after the daily files end is clipped to their last day, with a warning saying so, in the report\'s period (what the CLI prints and the JSON holds)', async () => {
    const { result } = await backtest('2026-02-02', '2026-12-04');
    expect(result.data).toMatchObject({ from: '2026-02-02', to: '2026-03-16' });
    expect(result.warnings).toContain('warn: the daily files end on 2026-03-16: the period is 2026-02-02 → 2026-03-16.');
  });
});
