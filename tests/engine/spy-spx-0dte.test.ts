/**
 * The SPY/SPX 0DTE call position (seeds 003/004) over the simulator at speed: the engine on a virtual
 * clock with the simulator's SPXW and SPY 0DTE chains every 5 minutes (runBacktest), four weeks in a
 * few seconds. Checked against the store:
 *
 * - every entry slot (09:35–10:00 every 5 minutes, every trading day) is one stored decision with its
 *   numbers, and the days that do not qualify say why (the gate and its numbers);
 * - each entry meets every gate, and its trade owns both legs: 1 SPX call bought, 10 SPY calls sold;
 * - each exit happened by its rule, read from its stored decision (the boundaries themselves are in
 *   electron/strategies/spy-spx-0dte/exits.test.ts), and positions left open settle at 16:00 with P&L
 *   recorded.
 *
 * The simulator quotes ATM SPXW 0DTE calls $0.60 wide, over seed 004's $0.50 cap, so with the seed's
 * defaults no day qualifies there (the first test shows it). The rest run with the cap at $1 and the
 * credit floor at $100 so that entries and exits happen.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationKind } from '../../electron/application/notifications/kinds.ts';
import { runBacktest } from '../../electron/backtest/run.ts';
import type { Notification } from '../../electron/engine/trading.ts';
import type { DecisionRow } from '../../electron/store/repos/decisions.ts';
import type { TradeWithLegs } from '../../electron/store/repos/trades.ts';
import { openStore, type Store } from '../../electron/store/store.ts';
import { spySpx0dte } from '../../electron/strategies/spy-spx-0dte/strategy.ts';
import { tradingDays } from '../../shared/market/calendar.ts';
import { etDate, etDateTime } from '../../shared/time/et.ts';
import { tempDir } from '../store/fixtures.ts';

const FROM = '2026-03-02';
const TO = '2026-03-27';
const SEED = 1;
const RELAXED = { trading: { maxSpxSpread: 1, minEntryCreditCents: 10_000 } };
const SLOTS = ['09:35', '09:40', '09:45', '09:50', '09:55', '10:00'];
const hhmm = (at: number): string => etDateTime(at, false).slice(11);

type Run = { store: Store; decisions: DecisionRow[]; trades: TradeWithLegs[]; notices: Notification[] };
const runs: Run[] = [];

async function run(config: unknown, name: string): Promise<Run> {
  const dataDir = path.join(tempDir('td-spyspx-'), name);
  const notices: Notification[] = [];
  await runBacktest({ strategy: spySpx0dte, config, source: { kind: 'sim', seed: SEED }, from: FROM, to: TO, dataDir, notify: (n) => notices.push(n) });
  const store = openStore({ dataDir, check: 'none', now: () => 0 });
  const r = { store, decisions: store.decisions.listByDate(FROM, TO), trades: store.trades.search({ fromDate: FROM, toDate: TO, limit: 1000 }), notices };
  runs.push(r);
  return r;
}

let seedDefaults: Run;
let relaxed: Run;
let tightTrigger: Run;

beforeAll(async () => {
  seedDefaults = await run({}, 'defaults');
  relaxed = await run(RELAXED, 'relaxed');
  // SPY $1.50 above the strike is "assignment risk" here ($10 is rare in a simulated month).
  tightTrigger = await run({ ...RELAXED, trading: { ...RELAXED.trading, assignmentRiskThreshold: 1.5 } }, 'tight');
}, 300_000);

afterAll(() => {
  for (const r of runs) r.store.close();
});

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const x of xs) (out[key(x)] ??= []).push(x);
  return out;
}
const entryDecisions = (r: Run) => r.decisions.filter((d) => d.entrySlot !== null);

describe('spy-spx-0dte over the simulator', () => {
  it('stores a decision for every entry slot of every day, and says why a day does not qualify', () => {
    for (const r of [seedDefaults, relaxed]) {
      const slots = entryDecisions(r).map((d) => `${etDate(d.decidedAt)} ${hhmm(d.decidedAt)}`);
      expect(slots).toEqual(tradingDays(FROM, TO).flatMap((day) => SLOTS.map((s) => `${day} ${s}`)));
    }
    // With seed 004's defaults nothing qualifies: the simulator's SPX calls are wider than $0.50.
    const skips = entryDecisions(seedDefaults);
    expect(skips.every((d) => d.kind === 'SKIP')).toBe(true);
    const byGate = groupBy(skips, (d) => d.gate ?? '');
    expect(Object.keys(byGate).sort()).toEqual(expect.arrayContaining(['bid-ask', 'ex-dividend']));
    for (const d of byGate['bid-ask'] ?? []) {
      expect(d.details).toMatchObject({ leg: 'SPX', maxSpread: 0.5 });
      expect(d.details.spxAsk as number).toBeGreaterThan((d.details.spxBid as number) + 0.5);
    }
    // The eve of the March ex-dividend date (Friday 2026-03-20): no entry.
    expect((byGate['ex-dividend'] ?? []).map((d) => etDate(d.decidedAt))).toEqual(SLOTS.map(() => '2026-03-19'));
  });

  it('enters only when every gate holds, one trade owning 1 SPX call bought and 10 SPY calls sold', () => {
    const enters = relaxed.decisions.filter((d) => d.kind === 'ENTER');
    expect(enters.length).toBeGreaterThan(5);
    const perDay = groupBy(enters, (d) => etDate(d.decidedAt));
    for (const list of Object.values(perDay)) expect(list.length).toBeLessThanOrEqual(2);
    for (const d of enters) {
      const n = d.details as { ratio: number; netCreditCents: number; spxAsk: number; spxBid: number; spyAsk: number; spyBid: number; spxStrike: number; spyStrike: number; spx: number; spy: number };
      expect(n.ratio).toBeGreaterThanOrEqual(9.95);
      expect(n.ratio).toBeLessThanOrEqual(10.05);
      expect(n.netCreditCents).toBeGreaterThanOrEqual(10_000);
      expect(n.spxAsk - n.spxBid).toBeLessThanOrEqual(1 + 1e-9);
      expect(n.spyAsk - n.spyBid).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(Math.abs(n.spxStrike - n.spx)).toBeLessThanOrEqual(2.5);
      expect(Math.abs(n.spyStrike - n.spy)).toBeLessThanOrEqual(0.5);
      const trade = relaxed.store.trades.get(d.tradeId!)!;
      expect(trade.legs.map((l) => [l.underlying, l.side, l.quantity, l.strike, l.expiration])).toEqual([
        ['SPX', 'BUY', 1, n.spxStrike, etDate(d.decidedAt)],
        ['SPY', 'SELL', 10, n.spyStrike, etDate(d.decidedAt)],
      ]);
      expect(trade.maxLossCents).toBeGreaterThanOrEqual(50_000);
    }
    // The days without an entry say why, with a gate.
    const entered = new Set(Object.keys(perDay));
    const idle = tradingDays(FROM, TO).filter((day) => !entered.has(day));
    expect(idle.length).toBeGreaterThan(0);
    for (const day of idle) {
      for (const d of entryDecisions(relaxed).filter((x) => etDate(x.decidedAt) === day)) {
        expect(d.kind).toBe('SKIP');
        expect(['ratio', 'bid-ask', 'min-credit', 'ex-dividend', 'max-trades', 'daily-loss', 'margin', 'no-quote']).toContain(d.gate);
      }
    }
  });

  it('exits each trade by its rule, and every trade is closed or settled the same day with its P&L', () => {
    const reasons = new Set<string>();
    for (const r of [relaxed, tightTrigger]) {
      for (const t of r.trades) {
        expect(t.status).toBe('CLOSED');
        expect(t.exitDate).toBe(t.entryDate);
        expect(t.realizedPnlCents).not.toBeNull();
        reasons.add(t.exitReason!);
        if (t.exitReason === 'EXPIRED') {
          // Settled at 16:00: recorded by the 16:05 settlement at the latest.
          expect(hhmm(t.closedAt!) <= '16:05').toBe(true);
          continue;
        }
        const exit = r.decisions.find((d) => d.kind === 'EXIT' && d.tradeId === t.tradeId)!;
        expect(exit.gate).toBe(t.exitReason);
        const n = exit.details as { spyLast: number; spyStrike: number; assignmentTrigger: number; pnlCents: number; dayPnlCents: number };
        switch (t.exitReason) {
          case 'ASSIGNMENT_RISK':
            expect(n.spyLast).toBeGreaterThan(n.spyStrike + 1.5);
            expect(n.assignmentTrigger).toBe(n.spyStrike + 1.5);
            break;
          case 'LOSS_LIMIT':
            expect(n.pnlCents).toBeLessThan(-50_000);
            break;
          case 'DAILY_LOSS_LIMIT':
            expect(n.dayPnlCents).toBeLessThan(-100_000);
            break;
          case 'PRE_EXPIRATION':
            expect(hhmm(exit.decidedAt) >= '15:45').toBe(true);
            expect(n.spyLast).toBeGreaterThan(n.spyStrike);
            break;
          default:
            throw new Error(`unexpected exit ${t.exitReason}`);
        }
      }
    }
    expect([...reasons].sort()).toEqual(['ASSIGNMENT_RISK', 'DAILY_LOSS_LIMIT', 'EXPIRED', 'LOSS_LIMIT', 'PRE_EXPIRATION']);
  });

  it('after the daily loss limit closes the day, no more entries that day', () => {
    for (const r of [relaxed, tightTrigger]) {
      for (const t of r.trades.filter((x) => x.exitReason === 'DAILY_LOSS_LIMIT')) {
        const later = r.decisions.filter((d) => d.kind === 'ENTER' && etDate(d.decidedAt) === t.exitDate && d.decidedAt > t.closedAt!);
        expect(later).toEqual([]);
      }
    }
  });

  it("the daily-loss emergency close is notified as one (kind emergency_close, a warning), so delivery routes it with emergency closes; other exits as exits", () => {
    const exitNotice = (r: Run, tradeId: number) => r.notices.find((n) => n.title.startsWith('Exit: ') && n.body.startsWith(`Trade ${tradeId}:`));
    let emergencies = 0;
    for (const r of [relaxed, tightTrigger]) {
      for (const t of r.trades.filter((x) => x.exitReason !== null && x.exitReason !== 'EXPIRED')) {
        const n = exitNotice(r, t.tradeId)!;
        expect(n, `trade ${t.tradeId}`).toBeDefined();
        if (t.exitReason === 'DAILY_LOSS_LIMIT') {
          emergencies++;
          expect(n).toMatchObject({ level: 'warn', kind: 'emergency_close' });
          expect(notificationKind(n)).toBe('emergency_close');
        } else {
          expect(n.level).toBe('info');
          expect(notificationKind(n)).toBe('exit');
        }
      }
    }
    expect(emergencies).toBeGreaterThan(0);
  });
});
