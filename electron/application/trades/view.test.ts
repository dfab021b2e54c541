import { afterEach, describe, expect, it } from 'vitest';
import { TradeFilterSchema } from '../../../shared/api.ts';
import { openTemp, seedArbTrade, tempDir } from '../../../tests/store/fixtures.ts';
import { seedTradeHistory } from '../../../tests/helpers/seed-history.ts';
import type { Store } from '../../store/store.ts';
import { DEFAULT_CAPITAL_CENTS, sharpe } from '../../../shared/stats.ts';
import { tradingDays } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import { listTrades, NO_MARKS, performanceHistory, type LiveMarks } from './view.ts';

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

const START = Date.UTC(2026, 2, 2, 15, 0); // Mon 2 Mar 2026 10:00 ET

describe('trades view', () => {
  it('lists newest first with a leg shorthand, and filters by dates, strategy, status and exit reason', () => {
    store = openTemp(tempDir('td-trades-view-'));
    const seeded = seedTradeHistory(store, { count: 60, start: START, everyMinutes: 24 * 60 });
    const all = listTrades(store, {}, 1_000);
    expect(all).toHaveLength(60);
    expect(all[0]!.id).toBe(seeded[59]!.tradeId);
    expect(all.map((t) => t.tradeDate)).toEqual([...all.map((t) => t.tradeDate)].sort((a, b) => b - a));
    expect(all[59]!.description).toMatch(/^SPXW \d{4}-\d{2}-\d{2} P 5800\/5775 ×1$/);

    const march = listTrades(store, { from: '2026-03-10', to: '2026-03-19' }, 1_000);
    expect(march.map((t) => t.id).sort((a, b) => a - b)).toEqual(seeded.filter((s) => s.entryDate >= '2026-03-10' && s.entryDate <= '2026-03-19').map((s) => s.tradeId));
    const stops = listTrades(store, { exitReason: 'STOP_LOSS' }, 1_000);
    expect(stops.length).toBe(seeded.filter((s) => s.exitReason === 'STOP_LOSS').length);
    expect(stops.every((t) => t.exitReason === 'STOP_LOSS' && t.finalPnl! < 0)).toBe(true);
    expect(listTrades(store, { strategyId: 'optimus' }, 1_000)).toEqual([]);
    expect(listTrades(store, { status: 'OPEN' }, 1_000)).toEqual([]);
    expect(listTrades(store, {}, 5)).toHaveLength(5);
  });

  it('keeps open trades apart and leaves cancelled entries out', () => {
    store = openTemp(tempDir('td-trades-view-'));
    const open = seedArbTrade(store, { closeIt: false });
    const closed = seedArbTrade(store);
    expect(listTrades(store, { status: 'OPEN' }, 10).map((t) => t.id)).toEqual([open.tradeId]);
    expect(listTrades(store, { status: 'CLOSED' }, 10).map((t) => t.id)).toEqual([closed.tradeId]);
    // A mixed structure is described leg by leg.
    expect(listTrades(store, { status: 'CLOSED' }, 10)[0]!.description).toBe('+1 SPXW 2026-01-20 C6000, −10 SPY 2026-01-20 C600');
    const pending = store.trades.create({
      strategyId: 'credit-verticals', broker: 'sim', structure: 'put_credit_vertical', quantity: 1, at: Date.UTC(2026, 0, 21, 15),
      legs: [{ root: 'SPXW', expiration: '2026-01-23', strike: 5800, right: 'P', side: 'SELL', quantity: 1 }, { root: 'SPXW', expiration: '2026-01-23', strike: 5775, right: 'P', side: 'BUY', quantity: 1 }],
    });
    expect(listTrades(store, {}, 10).map((t) => t.id)).toEqual([pending.tradeId, closed.tradeId, open.tradeId]);
    store.trades.cancel(pending.tradeId, Date.UTC(2026, 0, 21, 16), 'ENTRY_TIMEOUT');
    expect(listTrades(store, {}, 10).map((t) => t.id)).toEqual([closed.tradeId, open.tradeId]);
  });

  it('computes the equity curve and statistics of the filtered closed trades to the cent', () => {
    store = openTemp(tempDir('td-trades-view-'));
    const seeded = seedTradeHistory(store, { count: 500, start: START, everyMinutes: 90 });
    const inRange = seeded.filter((s) => s.entryDate >= '2026-03-05' && s.entryDate <= '2026-03-20');
    const h = performanceHistory(store, { from: '2026-03-05', to: '2026-03-20' }, NO_MARKS(Date.UTC(2026, 3, 1, 16)));
    const total = inRange.reduce((a, s) => a + s.pnlCents, 0);
    const wins = inRange.filter((s) => s.pnlCents > 0).length;
    expect(h.stats.trades).toBe(inRange.length);
    expect(h.stats.wins).toBe(wins);
    expect(h.stats.winRate).toBeCloseTo(wins / inRange.length, 12);
    expect(Math.round(h.stats.totalPnl * 100)).toBe(total);
    // 0 at the start of the period (before the first trade), then one point per closed trade.
    expect(h.equity).toHaveLength(inRange.length + 1);
    expect(h.equity[0]).toEqual({ time: Date.UTC(2026, 2, 5, 5), tradeId: null, pnl: 0, equity: 0 });
    expect(Math.round(h.equity.at(-1)!.equity * 100)).toBe(total);
    // The curve is in close order and each step is that trade's P&L.
    for (let i = 1; i < h.equity.length; i++) {
      expect(h.equity[i]!.time).toBeGreaterThanOrEqual(h.equity[i - 1]!.time);
      expect(Math.round((h.equity[i]!.equity - h.equity[i - 1]!.equity) * 100)).toBe(Math.round(h.equity[i]!.pnl * 100));
    }
    // Max drawdown: the deepest fall from a running peak, computed here independently.
    let peak = 0, eq = 0, dd = 0;
    for (const s of [...inRange].sort((a, b) => a.closedAt - b.closedAt || a.tradeId - b.tradeId)) {
      eq += s.pnlCents;
      peak = Math.max(peak, eq);
      dd = Math.max(dd, peak - eq);
    }
    expect(Math.round(Math.abs(h.stats.maxDrawdown) * 100)).toBe(dd);
    expect(performanceHistory(store, { status: 'OPEN' }, NO_MARKS(Date.UTC(2026, 3, 1, 16))).equity).toEqual([]);
    // Sharpe over every session of the period (zero-P&L days too), as a backtest of the same dates has it.
    const days = tradingDays('2026-03-05', '2026-03-20');
    const byDay = new Map<string, number>(days.map((d) => [d, 0]));
    for (const t of inRange) byDay.set(etDate(t.closedAt), (byDay.get(etDate(t.closedAt)) ?? 0) + t.pnlCents);
    expect(h.stats.sharpe).toBe(sharpe([...byDay.keys()].sort().map((d) => byDay.get(d)!), DEFAULT_CAPITAL_CENTS));
  });

  it('shows an open trade with its P&L at the marks, and ends the curve with it "now"', () => {
    store = openTemp(tempDir('td-trades-view-'));
    const open = seedArbTrade(store, { closeIt: false });
    const closed = seedArbTrade(store);
    const closedPnl = store.trades.get(closed.tradeId)!.realizedPnlCents!;
    const now = Date.UTC(2026, 0, 21, 15, 30);
    // The engine's figure for the open trade (what Positions shows): −$123.45.
    const marks: LiveMarks = { now, unrealizedCents: (t: TradeWithLegs) => (t.tradeId === open.tradeId ? -12_345 : null) };
    const rows = listTrades(store, {}, 10, marks);
    expect(rows.find((t) => t.id === open.tradeId)).toMatchObject({ status: 'OPEN', finalPnl: null, unrealizedPnl: -123.45 });
    expect(rows.find((t) => t.id === closed.tradeId)).toMatchObject({ status: 'CLOSED', finalPnl: closedPnl / 100, unrealizedPnl: null });

    const h = performanceHistory(store, {}, marks);
    expect(h.openTrades).toBe(1);
    expect(h.openPnl).toBe(-123.45);
    expect(h.stats.trades).toBe(1);
    expect(h.stats.totalPnl).toBe(closedPnl / 100);
    expect(h.equity.map((e) => [e.tradeId, e.equity])).toEqual([[null, 0], [closed.tradeId, closedPnl / 100], [null, (closedPnl - 12_345) / 100]]);
    expect(h.equity.at(-1)!.time).toBe(now);
    // The open loss counts in the drawdown: from the peak after the closed trade (or 0) down to now.
    expect(h.stats.maxDrawdown).toBe((Math.max(0, closedPnl) - (closedPnl - 12_345)) / 100);
    // Closed trades only, or an open trade without marks: no live point, the closed trades' drawdown.
    expect(performanceHistory(store, { status: 'CLOSED' }, marks).equity).toHaveLength(2);
    const unmarked = performanceHistory(store, {}, NO_MARKS(now));
    expect(unmarked.openPnl).toBeNull();
    expect(unmarked.equity).toHaveLength(2);
  });

  it('refuses a date that is no calendar date, naming the field (VALIDATION, not an internal error)', () => {
    store = openTemp(tempDir('td-trades-view-'));
    seedArbTrade(store);
    const now = NO_MARKS(Date.UTC(2026, 1, 1));
    expect(() => performanceHistory(store!, { from: '2026-13-45' }, now)).toThrow(/"from" must be a calendar date written YYYY-MM-DD, got "2026-13-45"/);
    expect(() => performanceHistory(store!, { to: '2026-02-30' }, now)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    // A period reaching past today counts its sessions up to today only.
    expect(performanceHistory(store!, { from: '2026-01-01', to: '2099-12-31' }, now).stats.trades).toBe(1);
  });

  it('rejects a bad filter with the field named', () => {
    const r = TradeFilterSchema.safeParse({ from: '2026-3-1' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['from']);
  });
});
