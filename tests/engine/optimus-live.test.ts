/**
 * Issue 16, "done when": live over the simulator at speed, Optimus holds several staggered positions and
 * manages them. The Workstation trades through the simulator's paper exchange on virtual time; the
 * simulated market follows the real daily history of ../shared/data (THETADESK_SIM_DATA), so every
 * session closes where SPX and the VIX family really closed, and Optimus's daily-close signals are the
 * real ones — checked against `thetadesk optimus signals` on the same files.
 *
 * September–November 2024: the signals of 2024-09-12/13/16/17 and of November come while earlier
 * entries are still open. The account: $500,000 (§6.1's), set through the contract as Settings does.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/application/rpc.ts';
import { loadDailyFiles } from '../../electron/backtest/daily-files.ts';
import { optimusSignals } from '../../electron/backtest/signals.ts';
import type { EngineConfig } from '../../electron/engine/trading.ts';
import type { OptimusView } from '../../shared/api.ts';
import type { DecisionRow } from '../../electron/store/repos/decisions.ts';
import type { TradeWithLegs } from '../../electron/store/repos/trades.ts';
import { optimus } from '../../electron/strategies/optimus/strategy.ts';
import { nextTradingDay, session, tradingDays } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { simWorkstation, venueOrders, type SimWorkstation } from './sim-workstation.ts';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data');
const FROM = '2024-09-03';
const TO = '2024-11-29';
const MIN = 60_000;

let ws: SimWorkstation;
let decisions: DecisionRow[];
let trades: TradeWithLegs[];
/** Open positions at each day's close, by date. */
const heldAtClose = new Map<string, { ids: number[]; expirations: string[] }>();
/** The Optimus page's view at noon on 2024-09-20, with two spreads open. */
let page: OptimusView;

beforeAll(async () => {
  ws = await simWorkstation({ start: FROM, seed: 5, anchorData: DATA, strategies: [{ strategy: optimus, config: optimus.configSchema.parse({}) as EngineConfig, enabled: true }] });
  const set = await dispatch(ws.ws, 'settings.set', { accountRisk: { capitalCents: 50_000_000 } });
  if (!set.ok) throw new Error(set.error.message);
  await ws.ws.start();
  for (const day of tradingDays(FROM, TO)) {
    const s = session(day)!;
    // The execution window a minute at a time (orders are walked every 60 s), then the close and the decision after it.
    for (let t = etToEpoch(day, '09:55'); t <= etToEpoch(day, '11:05'); t += MIN) await ws.advanceTo(t);
    if (day === '2024-09-20') {
      await ws.advanceTo(etToEpoch(day, '12:00'));
      const r = await dispatch(ws.ws, 'optimus.get', {});
      if (!r.ok) throw new Error(r.error.message);
      page = r.value as OptimusView;
    }
    await ws.advanceTo(s.close + 20 * MIN);
    const open = ws.ws.store.trades.listOpen('optimus').filter((t) => t.status === 'OPEN' || t.status === 'CLOSING');
    heldAtClose.set(day, { ids: open.map((t) => t.tradeId), expirations: [...new Set(open.map((t) => t.legs[0]!.expiration))] });
    await ws.advanceTo(etToEpoch(nextTradingDay(day), '09:00'));
  }
  decisions = ws.ws.store.decisions.listByDate(FROM, TO, 'optimus');
  trades = ws.ws.store.trades.listByEntryDate(FROM, TO);
}, 600_000);

afterAll(async () => {
  await ws?.close();
});

describe('Optimus live over the simulator (real 2024 history, paper exchange)', () => {
  it('decides once a day, on the close (16:15 ET), on every session', () => {
    const entries = decisions.filter((d) => d.kind !== 'EXIT');
    expect(entries.map((d) => etDate(d.decidedAt))).toEqual(tradingDays(FROM, TO));
    for (const d of entries) expect(d.decidedAt).toBe(session(etDate(d.decidedAt))!.close + 15 * MIN);
  });

  it('its signals are the real closes\' signals (thetadesk optimus signals on the same files)', async () => {
    const daily = loadDailyFiles(DATA);
    const real = await optimusSignals({ daily: daily.series, from: FROM, to: TO });
    expect(real.signals.length).toBeGreaterThan(3);
    const signalled = decisions.filter((d) => d.kind === 'ENTER' || d.kind === 'VETO' || (d.kind === 'SKIP' && ['capacity', 'spacing', 'size', 'no-suitable-strikes'].includes(d.gate!))).map((d) => etDate(d.decidedAt));
    expect(signalled).toEqual(real.signals.map((s) => s.date));
  });

  it('queues each entry at the close and sends it the next session between 10:00 and 11:00 ET, where the paper exchange fills it', () => {
    const entered = trades.filter((t) => t.strategyId === 'optimus' && t.status !== 'CANCELLED');
    expect(entered.length).toBeGreaterThanOrEqual(3);
    for (const t of entered) {
      const decided = decisions.find((d) => d.decisionId === t.decisionId)!;
      expect(decided.kind).toBe('ENTER');
      expect(t.createdAt).toBe(decided.decidedAt);
      const next = nextTradingDay(etDate(decided.decidedAt));
      const opening = venueOrders(ws, t.tradeId).filter((o) => o.legs.every((l) => l.intent !== 'close'));
      expect(opening.length).toBeGreaterThan(0);
      const sent = ws.ws.store.orders.forTrade(t.tradeId).filter((o) => o.purpose === 'OPEN');
      for (const o of sent) {
        expect(etDate(o.createdAt)).toBe(next);
        expect(o.createdAt).toBeGreaterThanOrEqual(etToEpoch(next, '10:00'));
        expect(o.createdAt).toBeLessThan(etToEpoch(next, '11:00'));
      }
      expect(t.openedAt).not.toBeNull();
      expect(t.openedAt!).toBeLessThan(etToEpoch(next, '11:00'));
      expect(t.notes.requote).toMatchObject({ at: etToEpoch(next, '10:00') });
    }
  });

  it('holds several staggered positions at once (different expirations), at most 3 on SPX', () => {
    const most = Math.max(...[...heldAtClose.values()].map((h) => h.ids.length));
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(3);
    const staggered = [...heldAtClose.values()].some((h) => h.expirations.length >= 2);
    expect(staggered).toBe(true);
  });

  it('manages them: every exit decided on the close, its close sent in the next window, each trade closed by one of its rules', () => {
    const exits = decisions.filter((d) => d.kind === 'EXIT');
    expect(exits.length).toBeGreaterThan(0);
    for (const e of exits) {
      expect(e.decidedAt).toBe(session(etDate(e.decidedAt))!.close + 15 * MIN);
      const t = ws.ws.store.trades.get(e.tradeId!)!;
      expect(t.exitReason).toBe(e.gate);
      expect(['TAKE_PROFIT_50', 'TAKE_PROFIT_40', 'STOP_LOSS', 'TIME_STOP', 'REGIME_SHIFT']).toContain(e.gate);
      const next = nextTradingDay(etDate(e.decidedAt));
      const closes = ws.ws.store.orders.forTrade(t.tradeId).filter((o) => o.purpose === 'CLOSE');
      expect(closes.length).toBeGreaterThan(0);
      expect(closes[0]!.createdAt).toBeGreaterThanOrEqual(etToEpoch(next, '10:00'));
      expect(closes[0]!.createdAt).toBeLessThan(etToEpoch(next, '11:00'));
      expect((e.details.log as string[])[0]).toMatch(/^\[TRADE CLOSED\] \d{4}-\d{2}-\d{2} \| SPX Put Credit Spread$/);
    }
    expect(trades.filter((t) => t.status === 'CLOSED').length).toBeGreaterThan(0);
  });

  it('sizes each entry from the shared account: max loss within 2 % × conviction (≤ 3 %) of the equity it read', () => {
    for (const d of decisions.filter((x) => x.kind === 'ENTER')) {
      const sizing = d.details.sizing as { equityCents: number; maxRiskCents: number; maxLossPerContractCents: number };
      expect(d.quantity! * sizing.maxLossPerContractCents).toBeLessThanOrEqual(sizing.maxRiskCents);
      expect(sizing.maxRiskCents).toBeLessThanOrEqual(0.03 * sizing.equityCents);
      expect(sizing.equityCents).toBeGreaterThan(45_000_000);
    }
  });

  it("its page (optimus.get) shows the last close's diagnosis, SPX with its bands, EMA and regimes, the positions with DTE, heat, delta, breaker and the §9 blocks", () => {
    expect(page).toMatchObject({ available: true, enabled: true, asOf: '2024-09-19', warmup: { ready: true } });
    expect(page.gates.map((g) => g.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const g of page.gates) expect(['pass', 'fail', 'off', 'waived']).toContain(g.verdict);
    expect(page.layers.map((l) => l.id)).toEqual(['volatility', 'sentiment', 'regime']);
    expect(page.chart).toHaveLength(250);
    expect(page.chart.at(-1)!.date).toBe('2024-09-19');
    for (const p of page.chart.slice(-50)) {
      expect(p.lower!).toBeLessThan(p.upper!);
      expect(p.ema).not.toBeNull();
      expect(['Bullish Calm', 'Elevated Vol', 'High Vol', 'Crisis', 'Bear Trend']).toContain(p.regime);
    }
    const open = page.positions.filter((p) => p.state === 'open');
    expect(open).toHaveLength(2);
    for (const p of open) {
      expect(p.longStrike).toBe(p.shortStrike - 50);
      expect(p.dte).toBeGreaterThan(21);
      expect(p.value).not.toBeNull();
      expect(p.timeStopDate < p.expiration).toBe(true);
    }
    const maxLoss = open.reduce((sum, p) => sum + p.maxLoss!, 0);
    expect(page.heat.pct!).toBeCloseTo(maxLoss / page.equity, 4);
    expect(page.heat.limit).toBe(0.15);
    expect(page.aggregateDelta.limit).toBe(-0.5);
    expect(page.aggregateDelta.value!).toBeLessThan(0); // short puts: the seed's sign is negative
    expect(page.circuitBreaker).toMatchObject({ on: false });
    expect(page.daily.date).toBe('2024-09-19');
    expect(page.daily.dashboard[0]).toBe('[DAILY DASHBOARD] 2024-09-19');
    expect(page.daily.log[0]).toBe('[ENTRY EVAL] 2024-09-19 | SPX');
  });
});
