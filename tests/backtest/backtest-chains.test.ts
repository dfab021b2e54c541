/**
 * End to end over the real 2018 SPXW end-of-day file: the credit-verticals strategy through the live
 * engine, seed 000's fill model and the real store. The file lists only the month-end SPXW expiries
 * (2018-01-31 and 2018-02-28), so the strategy can trade only on days when one of them is within
 * 3/5/7 ± 1 DTE.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPriceCents } from '../../electron/backtest/fill-model.ts';
import { runBacktest, type BacktestResult } from '../../electron/backtest/run.ts';
import { dayNumber } from '../../shared/market/calendar.ts';
import { readEodChain } from '../../electron/market/data/chain-eod.ts';
import { findGroup, quoteAt, type ChainColumns } from '../../electron/market/data/chain-columns.ts';
import { isoToDay } from '../../electron/market/data/csv.ts';
import { parseOcc } from '../../shared/domain/occ.ts';
import { openStore } from '../../electron/store/store.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';

const DATA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const FILE = path.join(DATA, 'spxw_options_eod_2018-01_2018-02.csv');

let cols: ChainColumns;
let dir: string;
let result: BacktestResult;

beforeAll(async () => {
  cols = readEodChain(FILE).rows;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bt-chains-'));
  result = await runBacktest({ strategy: creditVerticals, source: { kind: 'chains', columns: cols, file: FILE }, from: '2018-01-02', to: '2018-02-28', dataDir: path.join(dir, 'a') });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The file's quote of one contract on a date. */
function quote(date: string, symbol: string) {
  const g = findGroup(cols, isoToDay(date)!, isoToDay(parseOcc(symbol).expiration)!, 'SPXW');
  for (let i = cols.groups.start[g]!; i < cols.groups.end[g]!; i++) {
    const q = quoteAt(cols, i);
    if (q.symbol === symbol) return q;
  }
  throw new Error(`${symbol} not quoted on ${date}`);
}

describe('backtest over the 2018 SPXW EOD file', () => {
  it('describes its data and trades', () => {
    expect(result.data).toMatchObject({ source: 'spxw-eod-csv', from: '2018-01-02', to: '2018-02-28', resolution: 'daily', rows: 14_438 });
    expect(result.trades.length).toBeGreaterThan(0);
    expect(result.openTrades).toBe(0);
    expect(result.warnings.filter((w) => w.startsWith('error'))).toEqual([]);
  });

  it('enters only when a month-end expiry is within 3/5/7 ± 1 DTE, at an entry slot, one trade at a time', () => {
    let lastExit = '';
    for (const t of result.trades) {
      const entryDate = t.entryTime!.slice(0, 10);
      const exp = t.legs[0]!.expiration;
      expect(['2018-01-31', '2018-02-28']).toContain(exp);
      const dte = dayNumber(exp) - dayNumber(entryDate);
      expect(dte).toBeGreaterThanOrEqual(2);
      expect(dte).toBeLessThanOrEqual(8);
      expect(t.entryTime!.slice(11, 16)).toMatch(/^1[012]:00$/);
      expect(t.entryTime! >= lastExit).toBe(true); // max open trades 1
      lastExit = t.exitTime!;
      // a put credit vertical: short put above the long put, 25 points wide, 1 contract each
      const [short, long] = t.legs;
      expect(short).toMatchObject({ side: 'SELL', right: 'P', contracts: 1 });
      expect(long).toMatchObject({ side: 'BUY', right: 'P', contracts: 1 });
      expect(short!.strike - long!.strike).toBe(25);
    }
  });

  it('fills at the seed 000 model on the file quotes, to the cent, and P&L is entry minus exit', () => {
    for (const t of result.trades) {
      const [short, long] = t.legs;
      const entryDate = t.entryTime!.slice(0, 10);
      const s = quote(entryDate, short!.symbol);
      const l = quote(entryDate, long!.symbol);
      const credit = modelPriceCents('SELL', s.bid!, s.ask!) - modelPriceCents('BUY', l.bid!, l.ask!);
      expect(Math.round(t.entryPrice! * 100)).toBe(credit);
      if (t.exitReason !== 'EXPIRED') {
        const exitDate = t.exitTime!.slice(0, 10);
        const s2 = quote(exitDate, short!.symbol);
        const l2 = quote(exitDate, long!.symbol);
        const debit = modelPriceCents('BUY', s2.bid!, s2.ask!) - modelPriceCents('SELL', l2.bid!, l2.ask!);
        expect(Math.round(t.exitPrice! * 100)).toBe(debit);
      }
      expect(Math.round(t.pnl! * 100)).toBe(Math.round((t.entryPrice! - t.exitPrice!) * 100) * 100 * t.quantity);
    }
  });

  it('statistics agree with the trades', () => {
    const pnls = result.trades.map((t) => Math.round(t.pnl! * 100));
    const s = result.stats;
    expect(s.trades).toBe(result.trades.length);
    expect(Math.round(s.totalPnl * 100)).toBe(pnls.reduce((a, b) => a + b, 0));
    expect(s.wins).toBe(pnls.filter((p) => p > 0).length);
    expect(s.losses).toBe(pnls.filter((p) => p < 0).length);
    expect(result.equity.at(-1)!.equity).toBe(s.totalPnl);
    expect(result.daily).toHaveLength(40);
    expect(result.daily.at(-1)!.equity).toBe(s.totalPnl);
    expect(Object.values(s.exitReasons).reduce((a, b) => a + b, 0)).toBe(s.trades);
    expect(s.maxDrawdown).toBeGreaterThanOrEqual(0);
  });

  it('writes the live shape: trades, legs, orders (bt-<trade>-o / -c) and fills in the database', () => {
    const store = openStore({ dataDir: path.join(dir, 'a'), readonly: true });
    try {
      for (const t of result.trades) {
        const row = store.trades.get(t.id)!;
        expect(row.status).toBe('CLOSED');
        expect(row.broker).toBe('backtest');
        expect(row.decisionId).not.toBeNull();
        expect(row.realizedPnlCents).toBe(Math.round(t.pnl! * 100));
        expect(row.legs.map((l) => l.symbol)).toEqual(t.legs.map((l) => l.symbol));
        const open = store.orders.byClientOrderId(`bt-${t.id}-o`)!;
        expect(open).toMatchObject({ status: 'FILLED', purpose: 'OPEN', tradeId: t.id });
        expect(store.fills.forOrder(open.orderId)).toHaveLength(2);
        const close = store.orders.byClientOrderId(`bt-${t.id}-c`);
        if (t.exitReason === 'EXPIRED') expect(close).toBeNull();
        else {
          expect(close).toMatchObject({ status: 'FILLED', purpose: 'CLOSE' });
          expect(store.fills.forOrder(close!.orderId).map((f) => f.effect)).toEqual(['CLOSE', 'CLOSE']);
        }
        // the decision that entered is replayable from its stored snapshot
        const replay = store.replay(row.decisionId!)!;
        expect(replay.decision.kind).toBe('ENTER');
        expect(replay.snapshots.length).toBeGreaterThan(0);
      }
    } finally {
      store.close();
    }
  });

  it('is deterministic: the same run gives the same report', async () => {
    const again = await runBacktest({ strategy: creditVerticals, source: { kind: 'chains', columns: cols, file: FILE }, from: '2018-01-02', to: '2018-02-28', dataDir: path.join(dir, 'b') });
    expect({ ...again, db: '' }).toEqual({ ...result, db: '' });
  });

  it('firing only on dates with rows changes nothing when every trading day has rows', async () => {
    const every = await runBacktest({ strategy: creditVerticals, source: { kind: 'chains', columns: cols, file: FILE, onlyDaysWithData: false }, from: '2018-01-02', to: '2018-02-28', dataDir: path.join(dir, 'd') });
    expect(every.trades).toEqual(result.trades);
    expect(every.stats).toEqual(result.stats);
  });

  it('refuses a folder that already holds a database, bad dates and bad config values', async () => {
    const base = { strategy: creditVerticals, source: { kind: 'chains' as const, columns: cols }, from: '2018-01-02', to: '2018-01-31' };
    await expect(runBacktest({ ...base, dataDir: path.join(dir, 'a') })).rejects.toThrow(/already holds a database/);
    await expect(runBacktest({ ...base, from: '2018-02-30', dataDir: path.join(dir, 'c') })).rejects.toThrow(/--from must be a date/);
    await expect(runBacktest({ ...base, from: '2018-02-01', dataDir: path.join(dir, 'c') })).rejects.toThrow(/after --to/);
    await expect(runBacktest({ ...base, config: { contracts: 0 }, dataDir: path.join(dir, 'c') })).rejects.toThrow(/contracts: contracts must be at least 1/);
  });
});
