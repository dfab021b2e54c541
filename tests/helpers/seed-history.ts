/**
 * Bulk trade history for UI tests and benchmarks: closed SPXW put credit verticals written straight
 * into a real Thetadesk database in one transaction (100,000 trades in about a second; the repository
 * path — orders and fills per trade — would take minutes). Deterministic for a seed. Returns what it
 * wrote so tests can compute their expectations independently of the code under test.
 */
import { occSymbol } from '../../shared/domain/occ.ts';
import { etDate } from '../../shared/time/et.ts';
import type { Store } from '../../electron/store/store.ts';
import { rng } from '../store/chain-gen.ts';

export type SeededTrade = { tradeId: number; strategyId: string; entryDate: string; openedAt: number; closedAt: number; pnlCents: number; exitReason: string; creditCents: number };

const EXITS = ['TAKE_PROFIT_50', 'STOP_LOSS', 'EXPIRED'] as const;

/** `count` closed trades, one every `everyMinutes` market minutes from `start` (epoch ms), strategy `strategyId`. */
export function seedTradeHistory(store: Store, opts: { count: number; start: number; everyMinutes?: number; strategyId?: string; seed?: number }): SeededTrade[] {
  const random = rng(opts.seed ?? 7);
  const step = (opts.everyMinutes ?? 60) * 60_000;
  const strategyId = opts.strategyId ?? 'credit-verticals';
  const db = store.db;
  const insTrade = db.prepare(
    `INSERT INTO trades (strategy_id, broker, structure, status, quantity, entry_date, opened_at, closed_at, exit_date, entry_credit_cents, entry_total_cents,
       exit_debit_cents, exit_total_cents, max_profit_cents, max_loss_cents, commissions_cents, realized_pnl_cents, exit_reason, notes_json, created_at, updated_at)
     VALUES (?, 'sim', 'put_credit_vertical', 'CLOSED', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, '{}', ?, ?)`,
  );
  const insInstrument = db.prepare(
    `INSERT OR IGNORE INTO option_instruments (option_symbol, root, underlying, expiration, strike_milli, right, style, settlement, multiplier, created_at)
     VALUES (?, 'SPXW', 'SPX', ?, ?, 'P', 'european', 'PM', 100, ?)`,
  );
  const insLeg = db.prepare(
    `INSERT INTO trade_legs (trade_id, leg_index, option_symbol, underlying, multiplier, side, quantity, opened_qty, entry_value_cents, closed_qty, exit_value_cents)
     VALUES (?, ?, ?, 'SPX', 100, ?, 1, 1, ?, 1, ?)`,
  );
  const out: SeededTrade[] = [];
  db.transaction(() => {
    for (let i = 0; i < opts.count; i++) {
      const openedAt = opts.start + i * step;
      const closedAt = openedAt + 30 * 60_000;
      const entryDate = etDate(openedAt);
      const credit = 100 + Math.floor(random() * 200); // $1.00–$2.99 per share
      const exit = EXITS[Math.floor(random() * EXITS.length)]!;
      const debit = exit === 'TAKE_PROFIT_50' ? Math.floor(credit / 2) : exit === 'STOP_LOSS' ? credit * 2 : 0;
      const pnl = (credit - debit) * 100;
      const short = 5800 - (i % 40) * 5;
      const expiration = etDate(openedAt + 3 * 86_400_000);
      const shortSym = occSymbol('SPXW', expiration, 'P', short);
      const longSym = occSymbol('SPXW', expiration, 'P', short - 25);
      const r = insTrade.run(strategyId, entryDate, openedAt, closedAt, etDate(closedAt), credit, credit * 100, debit, debit * 100, credit * 100, (2500 - credit) * 100, pnl, exit, openedAt, closedAt);
      const tradeId = Number(r.lastInsertRowid);
      insInstrument.run(shortSym, expiration, short * 1000, openedAt);
      insInstrument.run(longSym, expiration, (short - 25) * 1000, openedAt);
      // Short leg sold at credit + 50¢, long leg bought at 50¢; closed at debit + 25¢ / 25¢ (net = debit).
      insLeg.run(tradeId, 0, shortSym, 'SELL', credit + 50, debit + 25);
      insLeg.run(tradeId, 1, longSym, 'BUY', 50, 25);
      out.push({ tradeId, strategyId, entryDate, openedAt, closedAt, pnlCents: pnl, exitReason: exit, creditCents: credit });
    }
  })();
  return out;
}
