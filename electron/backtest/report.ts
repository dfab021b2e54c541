/**
 * What a backtest reports: the JSON document (`--json FILE`), the statistics table and the trade list
 * (plain text, aligned columns).
 *
 * The JSON document:
 * ```
 * { strategy: {id, title, rulesetVersion}, config,
 *   data: {source, file, from, to, resolution, rows},   // rows: file rows in the period; null for the simulator
 *   fillModel: {model, slippageFraction, commissionPerContract},   // commission: dollars per contract per leg fill
 *   stats: {...},                      // shared/stats.ts, money in dollars (cents exact: two decimals)
 *   equity: [{tradeId, time, pnl, equity, drawdown}],   // 0 at the period's start (tradeId null), then per closed trade
 *   daily: [{date, pnl, equity}],               // per day
 *   trades: [{id, status, structure, quantity, legs:[{symbol,right,strike,side,contracts}],
 *             entryTime, exitTime, entryPrice, exitPrice, exitReason, pnl}],
 *   openTrades, warnings, db }
 * ```
 * Times are ISO 8601 in New York time with the offset (`2018-01-24T10:00:00.000-05:00`, as the CSV
 * export writes them). Prices are per-share combo prices in dollars: `entryPrice` the net credit
 * received (negative = debit paid), `exitPrice` the net debit paid to close (or the settlement value);
 * `pnl` is the trade's realized P&L in dollars (multiplier and contracts applied, net of commissions).
 * `stats.maxDrawdown` is ≥ 0 (the fall from the peak); the table shows it as the loss it is, `-$3,672.00`,
 * as the pages do, and each equity point's `drawdown` is equity − the running peak (≤ 0).
 */
import { formatDrawdown, formatUsd } from '../../shared/format.ts';
import type { DailyEquity, EquityPoint, Stats } from '../../shared/stats.ts';
import { CALIBRATED, CALIBRATION_ERROR, type ModelParams } from '../market/model/surface.ts';
import type { SystemReport } from './reports/index.ts';
import { isoEt } from '../../shared/time/et.ts';
import type { TradeWithLegs } from '../store/repos/trades.ts';

export type TradeLegReport = { symbol: string; right: 'C' | 'P'; strike: number; expiration: string; side: 'BUY' | 'SELL'; contracts: number };

export type TradeReport = {
  id: number;
  status: string;
  structure: string;
  quantity: number;
  legs: TradeLegReport[];
  entryTime: string | null;
  exitTime: string | null;
  entryPrice: number | null;
  exitPrice: number | null;
  exitReason: string | null;
  pnl: number | null;
};

/** Statistics with money in dollars (what the JSON and the table show). */
export type StatsReport = {
  trades: number;
  wins: number;
  losses: number;
  breakeven: number;
  winRate: number | null;
  avgPnl: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  grossProfit: number;
  grossLoss: number;
  profitFactor: number | null;
  totalPnl: number;
  maxDrawdown: number;
  maxDrawdownPct: number;
  sharpe: number | null;
  capital: number;
  days: number;
  exitReasons: Record<string, number>;
};

export type BacktestDocument = {
  strategy: { id: string; title: string; rulesetVersion: string };
  config: unknown;
  data: { source: string; file: string | null; from: string; to: string; resolution: 'intraday' | 'daily'; rows: number | null };
  fillModel: { model: string; slippageFraction: number; commissionPerContract: number };
  stats: StatsReport;
  equity: { tradeId: number | null; time: string; pnl: number; equity: number; drawdown: number }[];
  daily: { date: string; pnl: number; equity: number }[];
  trades: TradeReport[];
  /** Trades still open (or pending) when the backtest ended: listed, not in the statistics. */
  openTrades: number;
  /** How option prices were had: the simulator, an imported chain file, or the calibrated model (with its calibration error). */
  pricing: Pricing;
  /** A system's own report (seed 002: its §16 success criteria): `{ kind, … }`. */
  systemReport?: SystemReport;
  warnings: string[];
  db: string;
};

export type Pricing =
  | { kind: 'sim'; text: string }
  | { kind: 'chains'; text: string; file: string | null }
  | { kind: 'model'; text: string; params: ModelParams; calibration: typeof CALIBRATION_ERROR };

/** What a pricing source is, in words and numbers. */
export function pricingOf(source: { kind: 'sim' | 'chains' | 'model'; file?: string | null }): Pricing {
  if (source.kind === 'sim') return { kind: 'sim', text: 'Options quoted by the built-in market simulator (a skewed IV surface on the simulated VIX family).' };
  if (source.kind === 'chains') return { kind: 'chains', text: 'Real end-of-day option quotes from the imported chain file.', file: source.file ?? null };
  const e = CALIBRATION_ERROR;
  return {
    kind: 'model',
    text:
      'No historical option prices exist here for this period: options are priced by a model driven by each day\'s VIX9D, VIX, VIX3M and SKEW closes (electron/market/model), ' +
      `calibrated on the real SPXW chains of Jan–Feb 2018 (${e.rows} puts, 7–29 DTE): IV RMSE ${e.ivRmsePts.toFixed(2)} vol points; ` +
      `the 16-delta, 50-wide put spread's credit at mid ${(e.creditMaePct * 100).toFixed(1)} % off on average (the model $${e.creditMeanError.toFixed(2)} richer), so model credits — and results — lean optimistic. ` +
      'Use --chains with real chains where you have them.',
    params: CALIBRATED,
    calibration: CALIBRATION_ERROR,
  };
}

const dollars = (cents: number): number => cents / 100;
const optDollars = (cents: number | null): number | null => (cents === null ? null : cents / 100);

/** A stored trade as the report lists it. */
export function tradeReport(t: TradeWithLegs): TradeReport {
  return {
    id: t.tradeId,
    status: t.status,
    structure: t.structure,
    quantity: t.quantity,
    legs: t.legs.map((l) => ({ symbol: l.symbol, right: l.right, strike: l.strike, expiration: l.expiration, side: l.side, contracts: l.quantity })),
    entryTime: t.openedAt === null ? null : isoEt(t.openedAt),
    exitTime: t.closedAt === null || t.status !== 'CLOSED' ? null : isoEt(t.closedAt),
    entryPrice: optDollars(t.entryCreditCents),
    exitPrice: t.status === 'CLOSED' ? optDollars(t.exitDebitCents) : null,
    exitReason: t.status === 'CLOSED' ? t.exitReason : null,
    pnl: optDollars(t.realizedPnlCents),
  };
}

export function statsReport(s: Stats): StatsReport {
  return {
    trades: s.trades,
    wins: s.wins,
    losses: s.losses,
    breakeven: s.breakeven,
    winRate: s.winRate,
    avgPnl: optDollars(s.avgPnlCents),
    avgWin: optDollars(s.avgWinCents),
    avgLoss: optDollars(s.avgLossCents),
    grossProfit: dollars(s.grossProfitCents),
    grossLoss: dollars(s.grossLossCents),
    profitFactor: s.profitFactor,
    totalPnl: dollars(s.totalPnlCents),
    maxDrawdown: dollars(s.maxDrawdownCents),
    maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe,
    capital: dollars(s.capitalCents),
    days: s.days,
    exitReasons: s.exitReasons,
  };
}

export function equityReport(equity: readonly EquityPoint[]): BacktestDocument['equity'] {
  return equity.map((e) => ({ tradeId: e.tradeId, time: isoEt(e.time), pnl: dollars(e.pnlCents), equity: dollars(e.equityCents), drawdown: dollars(e.drawdownCents) }));
}

export function dailyReport(daily: readonly DailyEquity[]): BacktestDocument['daily'] {
  return daily.map((d) => ({ date: d.date, pnl: dollars(d.pnlCents), equity: dollars(d.equityCents) }));
}

// ---------------------------------------------------------------------------------------------
// Plain text

const money = formatUsd;
const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 2): string => (v === null ? '—' : v.toFixed(digits));

/** Aligns rows of cells into columns (numbers right-aligned when `right[i]`). */
export function table(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The statistics table. */
export function statsTable(doc: BacktestDocument): string {
  const s = doc.stats;
  const reasons = Object.entries(s.exitReasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
  const rows: [string, string][] = [
    ['Strategy', `${doc.strategy.id} (${doc.strategy.rulesetVersion})`],
    ['Data', `${doc.data.source}${doc.data.file ? ` ${doc.data.file}` : ''}, ${doc.data.resolution}${doc.data.rows !== null ? `, ${doc.data.rows.toLocaleString('en-US')} rows` : ''}`],
    ['Period', `${doc.data.from} → ${doc.data.to}`],
    ['Fill model', `mid ∓ ${doc.fillModel.slippageFraction} × (ask − bid), no partials; commission ${money(doc.fillModel.commissionPerContract)} per contract per leg (P&L is net of it)`],
    ['Trades', String(s.trades)],
    ['Wins / losses / even', `${s.wins} / ${s.losses} / ${s.breakeven}`],
    ['Win rate', pct(s.winRate)],
    ['Average win', money(s.avgWin)],
    ['Average loss', money(s.avgLoss)],
    ['Profit factor', num(s.profitFactor)],
    ['Total P&L', money(s.totalPnl)],
    ['Max drawdown', `${formatDrawdown(s.maxDrawdown)} (${pct(s.maxDrawdownPct)} of ${money(s.capital)} + peak)`],
    ['Sharpe (daily, √252)', `${num(s.sharpe)} on ${money(s.capital)}, ${s.days} days`],
    ['Exit reasons', reasons],
  ];
  if (doc.openTrades > 0) rows.push(['Open at the end', `${doc.openTrades} (not in the statistics)`]);
  return table(rows);
}

/** The trade list, one line per trade. */
export function tradeList(doc: BacktestDocument): string {
  if (doc.trades.length === 0) return '(no trades)';
  const header = ['#', 'entry', 'exit', 'legs', 'qty', 'entry $', 'exit $', 'reason', 'P&L'];
  const rows = doc.trades.map((t) => [
    String(t.id),
    t.entryTime ? t.entryTime.slice(0, 16).replace('T', ' ') : '—',
    t.exitTime ? t.exitTime.slice(0, 16).replace('T', ' ') : t.status,
    t.legs.map((l) => `${l.side === 'SELL' ? '-' : '+'}${l.strike}${l.right}`).join(' ') + (t.legs[0] ? ` ${t.legs[0].expiration}` : ''),
    String(t.quantity),
    num(t.entryPrice),
    num(t.exitPrice),
    t.exitReason ?? '—',
    money(t.pnl),
  ]);
  return table([header, ...rows], [true, false, false, false, true, true, true, false, true]);
}
