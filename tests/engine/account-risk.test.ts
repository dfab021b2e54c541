/**
 * The account-wide limits in the engine, on backtests of the simulated market (the same engine as
 * live): the circuit breaker over seed 000's stop losses (the stops it declares), its daily stop keyed
 * to them too, and the daily loss limit's emergency close of the test system's positions.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBacktest } from '../../electron/backtest/run.ts';
import { DAILY_LOSS_LIMIT } from '../../electron/engine/trading.ts';
import type { DecisionRow } from '../../electron/store/repos/decisions.ts';
import { openStore, type Store } from '../../electron/store/store.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';
import type { AccountRisk } from '../../shared/domain/account-risk.ts';
import { nextTradingDay } from '../../shared/market/calendar.ts';
import { etDate } from '../../shared/time/et.ts';
import { tempDir } from '../store/fixtures.ts';
import { twoUnderlyings } from './two-underlyings.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function backtest(strategy: typeof creditVerticals | typeof twoUnderlyings, from: string, to: string, accountRisk: Partial<AccountRisk>, config: unknown = {}): Promise<Store> {
  const dir = path.join(tempDir('td-account-'), 'bt');
  await runBacktest({ strategy, config, source: { kind: 'sim', seed: 3 }, from, to, dataDir: dir, accountRisk });
  const store = openStore({ dataDir: dir, check: 'none', now: () => 0 });
  stores.push(store);
  return store;
}

const entries = (rows: readonly DecisionRow[]) => rows.filter((d) => d.entrySlot !== null);

describe('account-wide limits in the engine', () => {
  it('circuit breaker: after a stop loss (the stop seed 000 declares), no entry for the next two business days, each refusal a VETO with its reason', async () => {
    const store = await backtest(creditVerticals, '2025-01-02', '2025-04-30', { circuitBreakerStops: 1, circuitBreakerPauseDays: 2 });
    const stops = store.trades.listByEntryDate('2025-01-01', '2025-12-31').filter((t) => t.exitReason === 'STOP_LOSS');
    expect(stops.length).toBeGreaterThan(0);
    const decisions = store.decisions.listByDate('2025-01-02', '2025-04-30', creditVerticals.id);
    const breaker = decisions.filter((d) => d.kind === 'VETO' && d.gate === 'circuit-breaker');
    expect(breaker.length).toBeGreaterThan(0);
    for (const stop of stops) {
      const paused = [nextTradingDay(stop.exitDate!), nextTradingDay(nextTradingDay(stop.exitDate!))];
      // The stop's own day: nothing more enters — the system's daily stop (keyed to the stops it declares),
      // or first its one trade a day when the stopped trade was opened that day.
      for (const d of entries(decisions).filter((x) => etDate(x.decidedAt) === stop.exitDate && x.decidedAt > stop.closedAt!)) {
        expect(d.kind).not.toBe('ENTER');
        if (d.kind === 'VETO') expect(d.gate).toBe(stop.entryDate === stop.exitDate ? 'max-new-trades-per-day' : 'daily-stop');
      }
      // The next two business days: nothing enters; a candidate is vetoed by the breaker, with the trade that tripped it.
      for (const d of entries(decisions).filter((x) => paused.includes(etDate(x.decidedAt)))) {
        expect(d.kind).not.toBe('ENTER');
        if (d.kind === 'VETO') {
          expect(d.gate).toBe('circuit-breaker');
          expect(d.details).toMatchObject({ vetoLevel: 'account', veto: { consecutiveStops: 1, pausedThrough: paused[1] } });
          expect(d.reason).toBe(`Circuit breaker: 1 consecutive stops (trades ${(d.details.veto as { trades: number[] }).trades.join(', ')}): no new entries through ${paused[1]}`);
        }
      }
    }
    // Without the breaker the same market enters on some of those days.
    const free = await backtest(creditVerticals, '2025-01-02', '2025-04-30', {});
    const pausedDays = new Set(breaker.map((d) => etDate(d.decidedAt)));
    expect(free.decisions.listByDate('2025-01-02', '2025-04-30').some((d) => d.kind === 'ENTER' && pausedDays.has(etDate(d.decidedAt)))).toBe(true);
  }, 120_000);

  it('daily loss limit: the emergency close exits every open position once, each an EXIT decision; no entry for the rest of the day; entries again the next day', async () => {
    const limit = 30_000; // $300
    const store = await backtest(twoUnderlyings, '2026-03-02', '2026-03-06', { capitalCents: 12_000_000, dailyLossLimitCents: limit }, { exitAboveStrike: 50 });
    const decisions = store.decisions.listByDate('2026-03-02', '2026-03-06');
    const emergency = decisions.filter((d) => d.kind === 'EXIT' && d.gate === DAILY_LOSS_LIMIT);
    expect(emergency.length).toBeGreaterThan(0);
    for (const e of emergency) {
      const day = etDate(e.decidedAt);
      const { lossTodayCents, limitCents } = e.details as { lossTodayCents: number; limitCents: number };
      expect(limitCents).toBe(limit);
      expect(lossTodayCents).toBeGreaterThanOrEqual(limit);
      expect(e.reason).toMatch(/^Daily loss limit: today's loss \$[\d.]+ reached the account's limit \$300\.00: emergency close of every position$/);
      const trade = store.trades.get(e.tradeId!)!;
      expect(trade.exitReason).toBe(DAILY_LOSS_LIMIT);
      expect(trade.status).toBe('CLOSED');
      // Once a day, and the rest of the day's entries are refused by the same limit.
      expect(emergency.filter((x) => etDate(x.decidedAt) === day && x.decidedAt !== e.decidedAt)).toHaveLength(0);
      for (const d of entries(decisions).filter((x) => etDate(x.decidedAt) === day && x.decidedAt > e.decidedAt)) {
        expect(d).toMatchObject({ kind: 'VETO', gate: 'daily-loss-limit', details: { vetoLevel: 'account' } });
      }
    }
    // A new day starts without the loss: the first slot of the next day enters.
    const firstDay = etDate(emergency[0]!.decidedAt);
    const nextDay = nextTradingDay(firstDay);
    if (nextDay <= '2026-03-06') expect(entries(decisions).find((d) => etDate(d.decidedAt) === nextDay)?.kind).toBe('ENTER');
  }, 120_000);
});
