/** End to end over two months of simulator 5-minute chains (seed 1): the live engine, the fill model, the store. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult } from '../../electron/backtest/run.ts';
import { dayNumber, session } from '../../shared/market/calendar.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { openStore } from '../../electron/store/store.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';

let dir: string;
let result: BacktestResult;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bt-sim-'));
  result = await runBacktest({ strategy: creditVerticals, source: { kind: 'sim', seed: 1 }, from: '2025-01-02', to: '2025-02-28', dataDir: dir });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('backtest over simulator chains (2025-01-02 → 2025-02-28, seed 1)', () => {
  it('trades at intraday resolution with no engine errors', () => {
    expect(result.data).toMatchObject({ source: 'simulator seed 1', resolution: 'intraday', from: '2025-01-02', to: '2025-02-28' });
    expect(result.warnings.filter((w) => w.startsWith('error'))).toEqual([]);
    expect(result.stats.trades).toBeGreaterThan(10);
    expect(result.daily).toHaveLength(39); // trading days in the period
  });

  it('follows seed 000: entries at 10/11/12 ET on 3/5/7±1 DTE, 25-wide put verticals, one open at a time, TP/SL/expiry exits', () => {
    let lastExit = '';
    for (const t of result.trades) {
      expect(t.entryTime!.slice(11, 19)).toMatch(/^1[012]:00:00$/);
      const dte = dayNumber(t.legs[0]!.expiration) - dayNumber(t.entryTime!.slice(0, 10));
      expect([2, 3, 4, 5, 6, 7, 8]).toContain(dte);
      expect(t.legs[0]!.strike - t.legs[1]!.strike).toBe(25);
      expect(t.legs.map((l) => l.side)).toEqual(['SELL', 'BUY']);
      if (t.status !== 'CLOSED') continue;
      expect(t.entryTime! >= lastExit).toBe(true);
      lastExit = t.exitTime!;
      expect(['TAKE_PROFIT_50', 'STOP_LOSS', 'EXPIRED']).toContain(t.exitReason);
      // management runs on the 5-minute ticks; expiry settles at the 16:00 close of the expiration day
      const exitMs = Date.parse(t.exitTime!);
      if (t.exitReason === 'EXPIRED') expect(exitMs).toBe(session(t.legs[0]!.expiration)!.close);
      else expect((exitMs - etToEpoch(t.exitTime!.slice(0, 10), '09:30')) % (5 * 60_000)).toBe(0);
      expect(Math.round(t.pnl! * 100)).toBe(Math.round((t.entryPrice! - t.exitPrice!) * 100) * 100 * t.quantity);
    }
  });

  it('the report matches the trades and legs in the database', () => {
    const store = openStore({ dataDir: dir, readonly: true });
    try {
      const rows = store.trades.listByEntryDate('2025-01-01', '2025-12-31').filter((t) => t.status !== 'CANCELLED');
      expect(rows.map((t) => t.tradeId)).toEqual(result.trades.map((t) => t.id));
      const sum = rows.filter((t) => t.status === 'CLOSED').reduce((a, t) => a + t.realizedPnlCents!, 0);
      expect(Math.round(result.stats.totalPnl * 100)).toBe(sum);
    } finally {
      store.close();
    }
  });
});
