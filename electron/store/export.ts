/**
 * CSV export of trades, trade legs, fills, decisions and daily summaries over a range of ET dates.
 *
 * Format: RFC 4180 (comma, CRLF, quotes doubled), a header row, money as plain decimals exact to
 * the cent, instants as ISO 8601 with the New York offset (`2025-01-06T09:35:00.000-05:00`), dates
 * as ET `YYYY-MM-DD`. Account ids are masked; no secrets or raw broker payloads are exported.
 *
 * Which rows a range selects: trades and legs by the trade's entry date, fills by fill date,
 * decisions by decision date, daily summaries by their date — all ET, `from`..`to` inclusive.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { csvRecord, maskAccount, money, type CsvValue } from './csv.ts';
import { StoreError } from './errors.ts';
import { divRound, exitReview, legPnl, spySpxColumns, type LegRow, type SpySpxColumns, type TradeWithLegs } from './repos/trades.ts';
import type { Store } from './store.ts';
import { isoEt } from '../../shared/time/et.ts';
import { isIsoDate } from '../../shared/time/days.ts';

export const EXPORT_KINDS = ['trades', 'legs', 'fills', 'decisions', 'daily'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
/** ET dates, inclusive. */
export type ExportRange = { from: string; to: string };

/** Checks a kind and range, throwing StoreError('invalid') with a clear message. */
export function validateExport(kind: string, range: ExportRange): asserts kind is ExportKind {
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    throw new StoreError('invalid', `Unknown export "${kind}". Choose one of: ${EXPORT_KINDS.join(', ')}.`);
  }
  for (const [name, d] of [['from', range.from], ['to', range.to]] as const) {
    if (!isIsoDate(d)) throw new StoreError('invalid', `--${name} must be a date written YYYY-MM-DD, got "${d}".`);
  }
  if (range.from > range.to) throw new StoreError('invalid', `--from ${range.from} is after --to ${range.to}.`);
}

const iso = (ms: number | null): string | null => (ms === null ? null : isoEt(ms));

/** `num / den` dollars-cents as a decimal with 4 places (rounded half away from zero), e.g. an average price. */
export function averageCents(totalCents: number, qty: number): CsvValue {
  if (qty === 0) return null;
  const tenThousandths = divRound(totalCents * 100, qty);
  const neg = tenThousandths < 0;
  const a = Math.abs(tenThousandths);
  return { decimal: `${neg ? '-' : ''}${Math.floor(a / 10000)}.${String(a % 10000).padStart(4, '0')}` };
}

const strikeText = (strike: number): string => String(strike);

function legSummary(l: LegRow): string {
  return `${l.side === 'SELL' ? 'STO' : 'BTO'} ${l.quantity} ${l.root} ${l.expiration} ${strikeText(l.strike)}${l.right}`;
}

type Table = { header: string[]; rows: () => Iterable<CsvValue[]> };

/** Seed 004's SPX/SPY columns as CSV values (empty for a trade on one underlying). */
function spySpxCsv(c: SpySpxColumns | null): CsvValue[] {
  if (c === null) return Array.from({ length: 12 }, () => null);
  return [c.spyPrice, c.spxPrice, c.spyStrike, c.spxStrike, c.spyEntryBid, c.spyEntryAsk, c.spxEntryBid, c.spxEntryAsk, c.entryFilled ? 'true' : 'false', c.spyExitPrice, c.spxExitPrice, c.exitCost === null ? null : c.exitCost.toFixed(2)];
}

function configVersion(store: Store, configId: number | null, cache: Map<number, number | null>): number | null {
  if (configId === null) return null;
  if (!cache.has(configId)) cache.set(configId, store.configs.get(configId)?.version ?? null);
  return cache.get(configId)!;
}

function tables(store: Store, range: ExportRange): Record<ExportKind, Table> {
  const versions = new Map<number, number | null>();
  const trades = (): TradeWithLegs[] => store.trades.listByEntryDate(range.from, range.to);
  return {
    trades: {
      header: [
        'trade_id', 'strategy_id', 'config_version', 'structure', 'status', 'broker', 'account', 'entry_date', 'entry_time', 'exit_time',
        'legs', 'underlyings', 'quantity', 'contracts', 'entry_price', 'exit_price', 'entry_credit', 'exit_debit', 'commissions', 'pnl', 'exit_reason', 'decision_id',
        // Intended exit vs realized (exitReview): the level the rule aimed for, the price it read, the P&L it saw, and what the fills gave.
        'exit_target_pct', 'exit_target_max_profit', 'exit_target_pnl', 'exit_trigger_price', 'exit_trigger_pnl', 'realized_premium_pnl', 'realized_pct_of_max_profit',
        // Seed 004's columns of a trade on SPX and SPY (the SPY/SPX 0DTE call position); empty for other trades.
        'spy_price', 'spx_price', 'spy_strike', 'spx_strike', 'spy_entry_bid', 'spy_entry_ask', 'spx_entry_bid', 'spx_entry_ask', 'entry_filled', 'spy_exit_price', 'spx_exit_price', 'exit_cost',
      ],
      *rows() {
        for (const t of trades()) {
          const review = exitReview(t);
          yield [
            t.tradeId, t.strategyId, configVersion(store, t.configId, versions), t.structure, t.status, t.broker, maskAccount(t.accountId),
            t.entryDate, iso(t.openedAt), iso(t.closedAt), t.legs.map(legSummary).join('; '),
            [...new Set(t.legs.map((l) => l.underlying))].join('+'), t.quantity, t.legs.reduce((n, l) => n + l.quantity, 0),
            money(t.entryCreditCents), money(t.exitDebitCents), money(t.entryTotalCents), money(t.exitTotalCents), money(t.commissionsCents),
            money(t.realizedPnlCents), t.exitReason, t.decisionId,
            review?.intent.pctOfMaxProfit ?? null, money(review?.intent.maxProfitCents ?? null), money(review?.intent.levelCents ?? null),
            review?.intent.priceBasis ?? null, money(review?.intent.pnlAtTriggerCents ?? null), money(review?.realizedCents ?? null), review?.realizedPctOfMaxProfit ?? null,
            ...spySpxCsv(spySpxColumns(t)),
          ];
        }
      },
    },
    legs: {
      header: [
        'trade_id', 'strategy_id', 'leg_index', 'option_symbol', 'underlying', 'root', 'expiration', 'strike', 'right', 'side', 'quantity',
        'multiplier', 'opened_qty', 'avg_entry_price', 'entry_value', 'closed_qty', 'avg_exit_price', 'exit_value', 'gross_pnl', 'commissions', 'net_pnl',
      ],
      *rows() {
        for (const t of trades()) {
          for (const l of t.legs) {
            // gross: prices only; net: after the leg's commissions — the legs' net sums to the trade's pnl.
            const pnl = legPnl(l);
            yield [
              t.tradeId, t.strategyId, l.legIndex, l.symbol, l.underlying, l.root, l.expiration, l.strike, l.right, l.side === 'SELL' ? 'STO' : 'BTO',
              l.quantity, l.multiplier, l.openedQty, averageCents(l.entryValueCents, l.openedQty), money(l.entryValueCents * l.multiplier),
              l.closedQty, averageCents(l.exitValueCents, l.closedQty), money(l.exitValueCents * l.multiplier), money(pnl.grossCents), money(l.commissionsCents), money(pnl.netCents),
            ];
          }
        }
      },
    },
    fills: {
      header: [
        'fill_id', 'filled_at', 'fill_date', 'strategy_id', 'trade_id', 'client_order_id', 'broker', 'broker_order_id', 'exec_id', 'account',
        'option_symbol', 'side', 'effect', 'quantity', 'price', 'commission',
      ],
      *rows() {
        type R = {
          fill_id: number; filled_at: number; fill_date: string; strategy_id: string; trade_id: number | null; client_order_id: string; broker: string;
          broker_order_id: string | null; exec_id: string; account_id: string | null; option_symbol: string; side: string; effect: string;
          quantity: number; price_cents: number; commission_cents: number;
        };
        const stmt = store.db.prepare<R>(
          `SELECT f.fill_id, f.filled_at, f.fill_date, o.strategy_id, f.trade_id, o.client_order_id, f.broker, o.broker_order_id, f.exec_id,
             o.account_id, f.option_symbol, f.side, f.effect, f.quantity, f.price_cents, f.commission_cents
           FROM fills f JOIN orders o ON o.order_id = f.order_id WHERE f.fill_date BETWEEN ? AND ? ORDER BY f.filled_at, f.fill_id`,
        );
        for (const r of stmt.iterate(range.from, range.to)) {
          yield [
            r.fill_id, iso(r.filled_at), r.fill_date, r.strategy_id, r.trade_id, r.client_order_id, r.broker, r.broker_order_id, r.exec_id,
            maskAccount(r.account_id), r.option_symbol, r.side, r.effect, r.quantity, money(r.price_cents), money(r.commission_cents),
          ];
        }
      },
    },
    decisions: {
      header: [
        'decision_id', 'decided_at', 'decision_date', 'strategy_id', 'config_version', 'kind', 'gate', 'reason', 'details', 'legs', 'limit_price',
        'quantity', 'score', 'target_dte', 'entry_slot', 'chain_snapshot_ids', 'context_id', 'trade_id', 'model_version',
      ],
      *rows() {
        for (const d of store.decisions.listByDate(range.from, range.to)) {
          yield [
            d.decisionId, iso(d.decidedAt), d.decisionDate, d.strategyId, configVersion(store, d.configId, versions), d.kind, d.gate, d.reason,
            JSON.stringify(d.details), d.legs === null ? null : JSON.stringify(d.legs), money(d.limitPriceCents), d.quantity, d.score,
            d.targetDte, d.entrySlot, d.snapshotIds.join(';'), d.contextId, d.tradeId, d.modelVersion,
          ];
        }
      },
    },
    daily: {
      header: ['date', 'strategy_id', 'trades_count', 'winning_trades', 'losing_trades', 'gross_pnl', 'commissions', 'net_pnl', 'max_drawdown'],
      *rows() {
        for (const r of store.daily.list(range.from, range.to)) {
          yield [
            r.tradeDate, r.strategyId, r.tradesCount, r.winningTrades, r.losingTrades, money(r.grossPnlCents), money(r.commissionsCents),
            money(r.netPnlCents), money(r.maxDrawdownCents),
          ];
        }
      },
    },
  };
}

/** The CSV records (header first) of an export, lazily. */
export function* exportRecords(store: Store, kind: ExportKind, range: ExportRange): Generator<string> {
  validateExport(kind, range);
  const t = tables(store, range)[kind];
  yield csvRecord(t.header);
  for (const row of t.rows()) yield csvRecord(row);
}

/** The whole CSV text of an export (for the API and the UI download). */
export function exportCsv(store: Store, kind: ExportKind, range: ExportRange): string {
  let out = '';
  for (const rec of exportRecords(store, kind, range)) out += rec;
  return out;
}

/** Writes an export to a stream with back-pressure; resolves with the data row count and bytes. */
export async function writeCsv(store: Store, kind: ExportKind, range: ExportRange, out: Writable): Promise<{ rows: number; bytes: number }> {
  let rows = -1;
  let bytes = 0;
  let chunk = '';
  const flush = async (): Promise<void> => {
    if (chunk === '') return;
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await new Promise<void>((resolve, reject) => {
      out.once('drain', resolve);
      out.once('error', reject);
    });
  };
  for (const rec of exportRecords(store, kind, range)) {
    rows++;
    chunk += rec;
    if (chunk.length >= 64 * 1024) await flush();
  }
  await flush();
  return { rows, bytes };
}

/**
 * Writes an export to a file atomically (a `.partial` file renamed into place when complete), so a
 * crash never leaves a half-written CSV under the requested name.
 */
export async function writeCsvFile(store: Store, kind: ExportKind, range: ExportRange, file: string): Promise<{ rows: number; bytes: number }> {
  validateExport(kind, range);
  const target = path.resolve(file);
  if (!fs.existsSync(path.dirname(target))) throw new StoreError('not-found', `The folder of ${target} does not exist.`);
  const partial = `${target}.partial`;
  const stream = fs.createWriteStream(partial, { flags: 'w' });
  try {
    const result = await writeCsv(store, kind, range, stream);
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(partial, target);
    return result;
  } catch (error) {
    stream.destroy();
    fs.rmSync(partial, { force: true });
    throw error;
  }
}
