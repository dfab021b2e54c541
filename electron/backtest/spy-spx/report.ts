/**
 * The honest account of the SPY/SPX 0DTE call position (issue 17) from a backtest's database: the
 * seeds' claims beside what was measured, each trade's P&L in its sources (decompose.ts), why the days
 * without a trade did not qualify (the entry decisions' gates), and the SPX/SPY ratio in real daily
 * history (ratio.ts). `thetadesk backtest spy-spx-0dte` prints it after the usual statistics and puts
 * it in `--json` under `spySpx`; the system's page shows the same document.
 */
import { fromCents } from '../../../shared/money.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { Store } from '../../store/store.ts';
import { SEED_CLAIMS, STRATEGY_ID } from '../../strategies/spy-spx-0dte/strategy.ts';
import { DEFAULT_SPY_SPX_CONFIG } from '../../strategies/spy-spx-0dte/config.ts';
import { table } from '../report.ts';
import { decomposeTrade, type TradeDecomposition } from './decompose.ts';
import type { RatioStats } from './ratio.ts';

export type SpySpxAccount = {
  claims: typeof SEED_CLAIMS;
  measured: {
    trades: number;
    winRate: number | null;
    avgPnlCents: number | null;
    avgWinCents: number | null;
    avgLossCents: number | null;
    totalPnlCents: number;
    /** Trading days with at least one entry decision, and those with an entry. */
    days: number;
    daysWithEntry: number;
    tradesPerDay: number | null;
    /** The net credit on offer at each day's 09:35 decision (cents): median, and the share of days at or above the seed's $400. */
    creditAt0935: { days: number; medianCents: number | null; atLeastMinShare: number | null };
  };
  /** Sum of each source over the decomposed trades, cents. */
  sources: { strikeMismatchCents: number; ratioDriftCents: number; dividendCents: number; bidAskCents: number; commissionsCents: number; totalCents: number };
  trades: TradeDecomposition[];
  /** Trades that could not be decomposed, and why (none expected). */
  undecomposed: { tradeId: number; error: string }[];
  /** The first failing gate of each day without an entry, counted (a day's last entry decision). */
  whyNoEntry: Record<string, number>;
  ratio: { raw: RatioStats | null; adjusted: RatioStats | null; problems: string[] } | null;
};

/** Seed 004's minimum entry credit ($400), the bar the 09:35 credit is measured against. */
const SEED_MIN_CREDIT_CENTS = DEFAULT_SPY_SPX_CONFIG.trading.minEntryCreditCents;

const avg = (xs: readonly number[]): number | null => (xs.length === 0 ? null : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));

export function spySpxAccount(store: Store, from: string, to: string, ratio: SpySpxAccount['ratio']): SpySpxAccount {
  const closed = store.trades.search({ fromDate: from, toDate: to, strategyId: STRATEGY_ID, status: 'CLOSED', limit: 100_000 });
  const trades: TradeDecomposition[] = [];
  const undecomposed: { tradeId: number; error: string }[] = [];
  for (const t of closed) {
    const d = decomposeTrade(store, t);
    if ('error' in d) undecomposed.push(d);
    else trades.push(d);
  }
  const pnls = closed.map((t) => t.realizedPnlCents ?? 0);
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  // Days: the dates of the entry-slot decisions; why a day had no entry: its last slot's gate.
  const entries = store.decisions.listByDate(from, to, STRATEGY_ID).filter((d) => d.entrySlot !== null);
  const byDay = new Map<string, typeof entries>();
  for (const d of entries) {
    const day = etDate(d.decidedAt);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day)!.push(d);
  }
  const whyNoEntry: Record<string, number> = {};
  let daysWithEntry = 0;
  for (const list of byDay.values()) {
    if (list.some((d) => d.kind === 'ENTER')) {
      daysWithEntry++;
      continue;
    }
    const gate = list[list.length - 1]!.gate ?? 'unknown';
    whyNoEntry[gate] = (whyNoEntry[gate] ?? 0) + 1;
  }
  const first = entries.filter((d) => d.entrySlot?.startsWith('09:35')).map((d) => d.details.netCreditCents).filter((c): c is number => typeof c === 'number').sort((x, y) => x - y);
  const creditAt0935 = {
    days: first.length,
    medianCents: first.length === 0 ? null : first[Math.floor(first.length / 2)]!,
    atLeastMinShare: first.length === 0 ? null : first.filter((c) => c >= SEED_MIN_CREDIT_CENTS).length / first.length,
  };
  const sum = (k: keyof TradeDecomposition): number => trades.reduce((a, t) => a + (t[k] as number), 0);
  return {
    claims: SEED_CLAIMS,
    measured: {
      trades: closed.length,
      winRate: closed.length === 0 ? null : wins.length / closed.length,
      avgPnlCents: avg(pnls),
      avgWinCents: avg(wins),
      avgLossCents: avg(losses),
      totalPnlCents: pnls.reduce((a, b) => a + b, 0),
      days: byDay.size,
      daysWithEntry,
      tradesPerDay: byDay.size === 0 ? null : closed.length / byDay.size,
      creditAt0935,
    },
    sources: {
      strikeMismatchCents: sum('strikeMismatchCents'),
      ratioDriftCents: sum('ratioDriftCents'),
      dividendCents: sum('dividendCents'),
      bidAskCents: sum('bidAskCents'),
      commissionsCents: sum('commissionsCents'),
      totalCents: sum('sumCents'),
    },
    trades,
    undecomposed,
    whyNoEntry,
    ratio,
  };
}

const usd = (cents: number | null): string => (cents === null ? '—' : `${cents < 0 ? '-' : ''}$${fromCents(Math.abs(cents)).toFixed(2)}`);
const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

/** The account as text, for the CLI. */
export function spySpxText(a: SpySpxAccount): string {
  const m = a.measured;
  const c = a.claims;
  const out: string[] = [];
  out.push('Seeds 003/004 claim vs measured');
  out.push(table([
    ['', 'seed claims', 'measured'],
    ['Win rate', `${c.winRateLow * 100}–${c.winRateHigh * 100} %`, pct(m.winRate)],
    ['Average P&L per trade', `${usd(c.avgProfitLowCents)}–${usd(c.avgProfitHighCents)}`, usd(m.avgPnlCents)],
    ['Average win', usd(c.avgWinCents), usd(m.avgWinCents)],
    ['Average loss', usd(c.avgLossCents), usd(m.avgLossCents)],
    ['Trades per day', `${c.tradesPerDayLow}–${c.tradesPerDayHigh}`, m.tradesPerDay === null ? '—' : m.tradesPerDay.toFixed(2)],
    ['Days with an entry', '(every day)', `${m.daysWithEntry} of ${m.days}`],
    ['Net credit on offer at 09:35 (median)', '≥ $400.00', `${usd(m.creditAt0935.medianCents)} (≥ $400 on ${pct(m.creditAt0935.atLeastMinShare)} of ${m.creditAt0935.days} days)`],
  ], [false, true, true]));
  out.push('');
  const off = a.trades.filter((t) => t.sumCents !== t.realizedPnlCents);
  out.push(`Where the P&L came from (${a.trades.length} trades; ${off.length === 0 ? "each trade's parts sum to its P&L to the cent" : `the parts do NOT sum to the P&L for trade(s) ${off.map((t) => t.tradeId).join(', ')}`})`);
  const s = a.sources;
  const perTrade = (cents: number): string => usd(a.trades.length === 0 ? null : Math.round(cents / a.trades.length));
  out.push(table([
    ['source', 'total', 'per trade'],
    ['Strike mismatch (structure, ratio held)', usd(s.strikeMismatchCents), perTrade(s.strikeMismatchCents)],
    ['SPX/SPY ratio drift', usd(s.ratioDriftCents), perTrade(s.ratioDriftCents)],
    ['SPY dividend', usd(s.dividendCents), perTrade(s.dividendCents)],
    ['Bid/ask paid', usd(s.bidAskCents), perTrade(s.bidAskCents)],
    ['Commissions', usd(s.commissionsCents), perTrade(s.commissionsCents)],
    ['Total', usd(s.totalCents), perTrade(s.totalCents)],
  ], [false, true, true]));
  if (a.undecomposed.length > 0) out.push(`Not decomposed: ${a.undecomposed.map((u) => `trade ${u.tradeId} (${u.error})`).join('; ')}`);
  if (a.trades.length > 0) {
    out.push('');
    out.push(table([
      ['trade', 'date', 'K spx/spy', 'ratio', 'gap', 'credit', 'strikes', 'drift', 'div', 'bid/ask', 'comm', 'P&L', 'exit'],
      ...a.trades.map((t) => [String(t.tradeId), t.entryDate, `${t.spxStrike}/${t.spyStrike}`, t.ratio.toFixed(4), t.strikeGap.toFixed(2), usd(t.entryCreditCents), usd(t.strikeMismatchCents), usd(t.ratioDriftCents), usd(t.dividendCents), usd(t.bidAskCents), usd(t.commissionsCents), usd(t.realizedPnlCents), t.exitReason ?? '']),
    ], [true, false, false, true, true, true, true, true, true, true, true, true, false]));
  }
  out.push('');
  const why = Object.entries(a.whyNoEntry).sort((x, y) => y[1] - x[1]);
  out.push(`Days without an entry: ${why.length === 0 ? 'none' : why.map(([g, n]) => `${g} ${n}`).join(', ')}`);
  if (a.ratio) {
    out.push('');
    out.push('SPX/SPY ratio, daily closes');
    for (const r of [a.ratio.raw, a.ratio.adjusted]) {
      if (!r) continue;
      out.push(`  ${r.spyFile}${r.adjusted ? ' (dividend-adjusted: not the ratio traders saw)' : ' (raw closes)'}: ${r.from} → ${r.to}, ${r.days} days; min ${r.min}, 5 % ${r.p5}, median ${r.median}, 95 % ${r.p95}, max ${r.max}; within ${r.band[0]}–${r.band[1]}: ${pct(r.withinShare)}`);
      if (r.exDividend) out.push(`    across ${r.exDividend.dates} SPY ex-dividend dates the ratio moved by a median ${r.exDividend.medianJump >= 0 ? '+' : ''}${r.exDividend.medianJump} (other days: median |move| ${r.exDividend.medianAbsOtherDays})`);
      if (!r.adjusted) out.push(`    by year (median, share within): ${r.byYear.map((y) => `${y.year} ${y.median} ${pct(y.withinShare)}`).join('; ')}`);
    }
    for (const p of a.ratio.problems) out.push(`  ${p}`);
  }
  return out.join('\n');
}
