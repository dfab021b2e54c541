/**
 * A zero bid is a market (shared/domain/quote.ts): on the real 2018 SPXW file, call credit verticals
 * whose long wing is quoted 0.00 × 0.05 near expiry must still be marked, so a spread that reaches its
 * take-profit is closed then, not held to expiry on "missing mark".
 *
 * Everything expected here is computed from the CSV text itself (split on commas, prices in cents),
 * not through the loader, the engine or the fill model: mids by the quote rule (bid 0 × ask a → a / 2),
 * the take-profit test of seed 000 (P&L at mid ≥ 50% of the credit, whole cents), and the exit fills
 * of seed 000's model (buy back at mid + 0.3 × (ask − bid), sell at mid − 0.3 × (ask − bid), per leg,
 * to the cent, halves up).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult } from '../../electron/backtest/run.ts';
import { readEodChain } from '../../electron/market/data/chain-eod.ts';
import type { ChainColumns } from '../../electron/market/data/chain-columns.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';

const FILE = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv');

/** (date|symbol) → bid and ask in cents, straight from the file's text. */
const quotes = new Map<string, { bid: number; ask: number }>();
const dates: string[] = [];
let cols: ChainColumns;
let dir: string;
const runs: Record<'call25' | 'call50', BacktestResult> = {} as never;

beforeAll(async () => {
  const [header, ...lines] = fs.readFileSync(FILE, 'utf8').trim().split('\n');
  const h = header!.split(',');
  const at = (name: string): number => h.indexOf(name);
  for (const line of lines) {
    const f = line.split(',');
    const date = f[at('quote_date')]!;
    if (dates.at(-1) !== date) dates.push(date);
    quotes.set(`${date}|${f[at('option_symbol')]}`, { bid: Math.round(Number(f[at('bid')]) * 100), ask: Math.round(Number(f[at('ask')]) * 100) });
  }
  cols = readEodChain(FILE).rows;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bt-zero-bid-'));
  const run = (config: unknown, sub: string) =>
    runBacktest({ strategy: creditVerticals, config, source: { kind: 'chains', columns: cols, file: FILE }, from: '2018-01-02', to: '2018-02-28', dataDir: path.join(dir, sub) });
  runs.call25 = await run({ side: 'call' }, 'a');
  runs.call50 = await run({ side: 'call', width: 50 }, 'b');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function quote(date: string, symbol: string): { bid: number; ask: number } {
  const q = quotes.get(`${date}|${symbol}`);
  if (!q) throw new Error(`${symbol} is not quoted on ${date}`);
  return q;
}

/** Twice the spread's value at mids, in cents (short mid − long mid; a zero bid's mid is ask / 2). */
const twiceValue = (date: string, short: string, long: string): number => {
  const s = quote(date, short), l = quote(date, long);
  return s.bid + s.ask - (l.bid + l.ask);
};

/** Seed 000's fill price of one leg in cents: 0.2 × bid + 0.8 × ask buying, 0.8 × bid + 0.2 × ask selling. */
const fillCents = (side: 'BUY' | 'SELL', q: { bid: number; ask: number }): number =>
  Math.floor(((side === 'BUY' ? 2 * q.bid + 8 * q.ask : 8 * q.bid + 2 * q.ask) + 5) / 10);

/** The first quote date after entry on which the spread's P&L at mids reaches 50% of the credit. */
function firstTakeProfitDate(entryDate: string, expiration: string, short: string, long: string, creditCents: number): string | null {
  const target = Math.ceil(creditCents / 2);
  for (const d of dates) {
    if (d <= entryDate || d > expiration) continue;
    // P&L ≥ target ⇔ 2 × credit − 2 × value ≥ 2 × target (value rounded half away from zero, credit > 0)
    const value = Math.sign(twiceValue(d, short, long)) * Math.round(Math.abs(twiceValue(d, short, long)) / 2);
    if (creditCents - value >= target) return d;
  }
  return null;
}

describe('a zero bid is a market: call credit verticals on the 2018 SPXW file', () => {
  it('the long wings of these trades are quoted with a zero bid when the take-profit is reached', () => {
    expect(quote('2018-01-30', 'SPXW180131C02915000')).toEqual({ bid: 0, ask: 5 });
    expect(quote('2018-01-30', 'SPXW180131C02930000')).toEqual({ bid: 0, ask: 5 });
    expect(quote('2018-02-27', 'SPXW180228C02855000')).toEqual({ bid: 0, ask: 10 });
  });

  it('the three spreads that reach 50% of their credit over a zero-bid wing exit TAKE_PROFIT, not EXPIRED', () => {
    const find = (r: BacktestResult, entry: string, shortStrike: number) => r.trades.find((t) => t.entryTime!.startsWith(entry) && t.legs[0]!.strike === shortStrike)!;
    const cases = [find(runs.call25, '2018-01-29', 2890), find(runs.call50, '2018-01-29', 2880), find(runs.call50, '2018-02-26', 2805)];
    for (const t of cases) {
      expect(t, 'trade entered').toBeDefined();
      const [short, long] = t.legs;
      const entryDate = t.entryTime!.slice(0, 10);
      const credit = Math.round(t.entryPrice! * 100);
      const tpDate = firstTakeProfitDate(entryDate, short!.expiration, short!.symbol, long!.symbol, credit);
      expect(tpDate, `${short!.symbol}: a take-profit day exists before expiry`).not.toBeNull();
      expect(quote(tpDate!, long!.symbol).bid).toBe(0); // the wing that used to have "no mark"
      expect(t.exitReason).toBe('TAKE_PROFIT_50');
      expect(t.exitTime!.slice(0, 10)).toBe(tpDate);
      const debit = fillCents('BUY', quote(tpDate!, short!.symbol)) - fillCents('SELL', quote(tpDate!, long!.symbol));
      expect(Math.round(t.exitPrice! * 100)).toBe(debit);
      expect(Math.round(t.pnl! * 100)).toBe((credit - debit) * 100 - 4 * 65); // net of 4 × $0.65 (2 legs, open and close)
    }
    // 2018-01-29 −2890C +2915C: credit 1.00; on 01-30 2890C 0.05 × 0.10, 2915C 0.00 × 0.05:
    // value at mid 0.075 − 0.025 = 0.05, P&L 0.95 ≥ 0.50; exit 0.09 − 0.01 = 0.08, P&L $92.00 gross, $89.40 net.
    expect([cases[0]!.exitPrice, cases[0]!.pnl]).toEqual([0.08, 89.4]);
  });

  it('no trade is held past a day on which its take-profit was reached at the file mids', () => {
    for (const r of [runs.call25, runs.call50]) {
      expect(r.openTrades).toBe(0);
      for (const t of r.trades) {
        const [short, long] = t.legs;
        const tpDate = firstTakeProfitDate(t.entryTime!.slice(0, 10), short!.expiration, short!.symbol, long!.symbol, Math.round(t.entryPrice! * 100));
        if (tpDate !== null) expect(t.exitTime!.slice(0, 10) <= tpDate, `${t.id} ${short!.symbol} exits ${t.exitTime} (${t.exitReason}), take-profit reached on ${tpDate}`).toBe(true);
        if (t.exitReason === 'EXPIRED') expect(tpDate).toBeNull();
      }
    }
  });
});
