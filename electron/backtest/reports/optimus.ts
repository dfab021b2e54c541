/**
 * Seed 002 §16 "Success Criteria" over a backtest: each metric beside the seed's target, honestly
 * marked met or not, and the §16 failure conditions checked over the whole history, by year and by
 * the regime each trade was entered in. Every statistic comes from shared/stats.ts (one truth).
 *
 * Definitions (the seed names the metrics; these are the computations):
 * - Sharpe, win rate, profit factor, max drawdown: the run's own statistics (shared/stats.ts
 *   `computeMetrics` over the run's days and capital, the same object as the report's `stats`) — read,
 *   never recomputed, so the §16 table and the statistics cannot disagree;
 * - CAGR: from the capital to capital + total realized P&L over the period's years (calendar days / 365.25);
 * - monthly income: the mean of every month's realized P&L over the equity at the month's start;
 * - average trade duration: entry fill to exit fill, calendar days.
 * Failure conditions: the win rate of any 20 consecutive trades below 60 %; every circuit-breaker trip
 * (3 consecutive stop losses); the max drawdown above 25 %; the profit factor of any 30 consecutive
 * trades below 1.2; negative theta capture — any 30 consecutive trades whose realized P&L is below 0
 * while the theta they were entered with predicted a gain (each trade's spread theta a day × days held).
 * A target with nothing measured (no closed trades) reads "n/a (no trades)"; a value outside the seed's
 * band says which side it is on rather than "met".
 * Exits by reason: each exit reason's count, and from each trade's intended-vs-realized record
 * (store/repos/trades.ts `exitReview`) how many filled worse than the level their rule fired at, and the
 * median realized beside the intended level (as fractions of max profit) — exits are decided on the
 * close and filled the next morning, so a "take profit" can realize less than its target.
 */
import { circuitTrips } from '../../../shared/domain/circuit.ts';
import { averageDurationDays, cagr, computeMetrics, monthlyReturns, rollingWindows, type ClosedTrade, type Stats } from '../../../shared/stats.ts';
import { dayNumber } from '../../../shared/market/calendar.ts';
import { exitReview, type TradeWithLegs } from '../../store/repos/trades.ts';

/**
 * One §16 metric beside the seed's target. `met`: reached (or bettered), false when missed, null when
 * nothing was measured or the value is off the band on a side that is no miss (a drawdown under it). `verdict`: what the table says — "met", "NOT MET", "n/a (no trades)", or for a
 * value outside the seed's band which side it is on ("below the band: risked less than the seed targets").
 */
export type Target = { metric: string; value: number | null; display: string; target: string; met: boolean | null; verdict: string };

/** One exit reason's fills: how many, how many realized less than their rule's level, median realized vs intended (fractions of max profit). */
export type ExitReasonRow = {
  reason: string;
  count: number;
  /** Exits with an intended level (the rule had one: take profits, stops). */
  withLevel: number;
  /** Of those, how many realized less than the level the rule fired at. */
  worseThanLevel: number;
  /** Median intended level as a fraction of max profit (0.5 = 50 % of the credit; −1 = a loss of the credit); null without levels. */
  medianIntendedPct: number | null;
  /** Median realized premium P&L as a fraction of the same max profit; null without levels. */
  medianRealizedPct: number | null;
  /** The worst realized fraction (the trade furthest below its level); null without levels. */
  worstRealizedPct: number | null;
};

export type YearRow = {
  year: string;
  trades: number;
  winRate: number | null;
  pnl: number;
  /** P&L over the equity at the year's start. */
  return: number | null;
  profitFactor: number | null;
  maxDrawdownPct: number;
  circuitBreakerTrips: number;
  /** The failure conditions met in the year (by the date the window or trip ended). */
  failures: string[];
};

export type RegimeRow = { regime: string; trades: number; winRate: number | null; pnl: number; avgPnl: number | null; profitFactor: number | null };

export type Section16 = {
  targets: Target[];
  failures: {
    winRateBelow60Over20: { windows: number; first: string | null; worst: number | null };
    circuitBreaker: { trips: number; dates: string[] };
    maxDrawdownOver25: { met: boolean; maxDrawdownPct: number };
    profitFactorBelow12Over30: { windows: number; first: string | null; worst: number | null };
    negativeThetaCapture: { windows: number; first: string | null; predicted: number; realized: number };
  };
  byYear: YearRow[];
  byRegime: RegimeRow[];
  /** Per exit reason: what the fills achieved beside the level the rule fired at. */
  exitsByReason: ExitReasonRow[];
  /** Entries whose term-structure gate had no VIX3M (waived), before 2009-09-18. */
  entriesWithoutVix3m: number;
};

const r4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 10_000);
const pct = (x: number | null, digits = 1): string => (x === null ? '—' : `${(x * 100).toFixed(digits)} %`);

/** The middle value (mean of the two middle ones for an even count); null when empty. */
function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A target band [lo, hi] (hi null: "lo or more") and what each side of it means. Below it is a miss,
 * unless `belowMet` says otherwise (null: neither — a drawdown under the band is no failure, but not
 * the seed's profile either); above it is better than the target unless `above` says what it costs.
 */
type Band = { lo: number; hi: number | null; below: string; belowMet?: null; above?: string };

/** The target row of a measured value (null: not computable), judged against its band. */
function target(metric: string, value: number | null, display: string, text: string, band: Band, trades: number): Target {
  if (trades === 0) return { metric, value, display, target: text, met: null, verdict: 'n/a (no trades)' };
  if (value === null) return { metric, value, display, target: text, met: null, verdict: 'n/a' };
  if (value < band.lo) return { metric, value, display, target: text, met: band.belowMet === undefined ? false : band.belowMet, verdict: `below the ${band.hi === null ? 'target' : 'band'}: ${band.below}` };
  if (band.hi !== null && value > band.hi) return { metric, value, display, target: text, met: band.above === undefined, verdict: `above the band: ${band.above ?? 'better than the seed targets'}` };
  return { metric, value, display, target: text, met: true, verdict: 'met' };
}

/** The §16 report of a backtest's trades (the closed ones in the statistics; regime and theta from each trade's notes). */
export function section16(o: { trades: readonly TradeWithLegs[]; closed: readonly ClosedTrade[]; stats: Stats; capitalCents: number; from: string; to: string; days: readonly string[]; stops: number; pauseDays: number; isStop: (reason: string | null) => boolean; termStructureWaived: number }): Section16 {
  const { closed, capitalCents } = o;
  // The run's statistics (one truth): the same Sharpe, win rate, profit factor and drawdown as its `stats`.
  const s = o.stats;
  const years = Math.max(1 / 365.25, (dayNumber(o.to) - dayNumber(o.from) + 1) / 365.25);
  const growth = cagr(capitalCents, capitalCents + s.totalPnlCents, years);
  const sharpe = s.sharpe;
  const months = monthlyReturns(closed, capitalCents, o.from.slice(0, 7), o.to.slice(0, 7));
  const monthly = months.length === 0 ? null : months.reduce((a, m) => a + m.return, 0) / months.length;
  const duration = averageDurationDays(closed);
  const n = s.trades;
  const targets: Target[] = [
    target('CAGR', r4(growth), pct(growth), '40 %+', { lo: 0.4, hi: null, below: 'grew less than the seed targets' }, n),
    target('Sharpe ratio', sharpe, sharpe === null ? '—' : sharpe.toFixed(2), '0.8–1.2', { lo: 0.8, hi: 1.2, below: 'less return for its risk than the seed targets' }, n),
    target('Win rate', s.winRate, pct(s.winRate), '75–85 %', { lo: 0.75, hi: 0.85, below: 'won less often than the seed targets' }, n),
    target('Profit factor', s.profitFactor, s.profitFactor === null ? '—' : s.profitFactor.toFixed(2), '1.8–2.5', { lo: 1.8, hi: 2.5, below: 'earned less per dollar lost than the seed targets' }, n),
    target('Max drawdown', s.maxDrawdownPct, pct(s.maxDrawdownPct), '15–25 %', { lo: 0.15, hi: 0.25, below: 'risked less than the seed targets', belowMet: null, above: 'fell further than the seed allows' }, n),
    target('Monthly income', r4(monthly), pct(monthly, 2), '1–1.5 % of capital', { lo: 0.01, hi: 0.015, below: 'earned less a month than the seed targets' }, n),
    target('Avg trade duration', duration === null ? null : Math.round(duration * 10) / 10, duration === null ? '—' : `${duration.toFixed(1)} days`, '15–30 days', { lo: 15, hi: 30, below: 'trades closed sooner than the seed expects', above: 'trades held longer than the seed expects' }, n),
  ];

  // Failure conditions over the history.
  const win20 = rollingWindows(closed, 20).filter((w) => w.winRate < 0.6);
  const pf30 = rollingWindows(closed, 30).filter((w) => w.profitFactor !== null && w.profitFactor < 1.2);
  const sorted = [...closed].sort((a, b) => a.exitTime - b.exitTime || a.tradeId - b.tradeId);
  const trips = circuitTrips(sorted.map((t) => ({ tradeId: t.tradeId, exitDate: t.exitDate, stop: o.isStop(t.exitReason) })), o.stops, o.pauseDays);
  const byId = new Map(o.trades.map((t) => [t.tradeId, t]));
  const predictedOf = (t: ClosedTrade): number => {
    const trade = byId.get(t.tradeId);
    const theta = trade?.notes.thetaPerDay;
    if (typeof theta !== 'number' || !trade) return 0;
    const days = (t.exitTime - t.entryTime) / 86_400_000;
    return theta * 100 * trade.quantity * days * 100; // per share $ → cents for the position
  };
  const thetaWindows: { endDate: string }[] = [];
  let predictedAll = 0;
  let realizedAll = 0;
  for (const t of sorted) {
    predictedAll += predictedOf(t);
    realizedAll += t.pnlCents;
  }
  for (let end = 29; end < sorted.length; end++) {
    let p = 0;
    let r = 0;
    for (let i = end - 29; i <= end; i++) {
      p += predictedOf(sorted[i]!);
      r += sorted[i]!.pnlCents;
    }
    if (p > 0 && r < 0) thetaWindows.push({ endDate: sorted[end]!.exitDate });
  }

  // By year (of the close) and by the regime at entry.
  const yearsOf = [...new Set([...o.days.map((d) => d.slice(0, 4)), ...closed.map((t) => t.exitDate.slice(0, 4))])].sort();
  let equity = capitalCents;
  const byYear: YearRow[] = yearsOf.map((year) => {
    const ts = closed.filter((t) => t.exitDate.startsWith(year));
    const m = computeMetrics(ts, { capitalCents: Math.max(1, equity) });
    const start = equity;
    equity += m.stats.totalPnlCents;
    const failures: string[] = [];
    if (win20.some((w) => w.endDate.startsWith(year))) failures.push('win rate < 60 % over 20 trades');
    if (trips.some((t) => t.date.startsWith(year))) failures.push('circuit breaker fired');
    if (pf30.some((w) => w.endDate.startsWith(year))) failures.push('profit factor < 1.2 over 30 trades');
    if (thetaWindows.some((w) => w.endDate.startsWith(year))) failures.push('negative theta capture');
    if (m.stats.maxDrawdownPct > 0.25) failures.push('drawdown > 25 %');
    return {
      year, trades: m.stats.trades, winRate: r4(m.stats.winRate), pnl: m.stats.totalPnlCents / 100, return: start > 0 ? r4(m.stats.totalPnlCents / start) : null,
      profitFactor: r4(m.stats.profitFactor), maxDrawdownPct: r4(m.stats.maxDrawdownPct)!, circuitBreakerTrips: trips.filter((t) => t.date.startsWith(year)).length, failures,
    };
  });
  const regimes = new Map<string, ClosedTrade[]>();
  for (const t of closed) {
    const regime = byId.get(t.tradeId)?.notes.regime;
    const key = typeof regime === 'string' ? regime : 'unknown';
    regimes.set(key, [...(regimes.get(key) ?? []), t]);
  }
  const byRegime: RegimeRow[] = [...regimes].map(([regime, ts]) => {
    const m = computeMetrics(ts, { capitalCents });
    return { regime, trades: m.stats.trades, winRate: r4(m.stats.winRate), pnl: m.stats.totalPnlCents / 100, avgPnl: m.stats.avgPnlCents === null ? null : m.stats.avgPnlCents / 100, profitFactor: r4(m.stats.profitFactor) };
  }).sort((a, b) => b.trades - a.trades);

  // Exits by reason: what the fills achieved beside the level each rule fired at.
  const reasons = new Map<string, { count: number; intended: number[]; realized: number[]; worse: number }>();
  for (const t of o.trades) {
    if (t.status !== 'CLOSED') continue;
    const key = t.exitReason ?? 'UNKNOWN';
    const row = reasons.get(key) ?? { count: 0, intended: [], realized: [], worse: 0 };
    reasons.set(key, row);
    row.count++;
    const review = exitReview(t);
    if (review === null || review.realizedCents === null || review.realizedPctOfMaxProfit === null) continue;
    row.intended.push(review.intent.pctOfMaxProfit);
    row.realized.push(review.realizedPctOfMaxProfit);
    if (review.realizedCents < review.intent.levelCents) row.worse++;
  }
  const exitsByReason: ExitReasonRow[] = [...reasons].map(([reason, x]) => ({
    reason, count: x.count, withLevel: x.realized.length, worseThanLevel: x.worse,
    medianIntendedPct: r4(median(x.intended)), medianRealizedPct: r4(median(x.realized)), worstRealizedPct: x.realized.length === 0 ? null : Math.min(...x.realized),
  })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));

  return {
    targets,
    failures: {
      winRateBelow60Over20: { windows: win20.length, first: win20[0]?.endDate ?? null, worst: win20.length === 0 ? null : r4(Math.min(...win20.map((w) => w.winRate))) },
      circuitBreaker: { trips: trips.length, dates: trips.map((t) => t.date) },
      maxDrawdownOver25: { met: s.maxDrawdownPct > 0.25, maxDrawdownPct: r4(s.maxDrawdownPct)! },
      profitFactorBelow12Over30: { windows: pf30.length, first: pf30[0]?.endDate ?? null, worst: pf30.length === 0 ? null : r4(Math.min(...pf30.map((w) => w.profitFactor!))) },
      negativeThetaCapture: { windows: thetaWindows.length, first: thetaWindows[0]?.endDate ?? null, predicted: Math.round(predictedAll) / 100, realized: realizedAll / 100 },
    },
    byYear,
    byRegime,
    exitsByReason,
    entriesWithoutVix3m: o.termStructureWaived,
  };
}

/** The §16 report as plain text (the CLI). */
export function section16Text(r: Section16): string {
  const lines: string[] = ['§16 success criteria (seed 002)'];
  const w = Math.max(...r.targets.map((t) => t.metric.length));
  for (const t of r.targets) lines.push(`  ${t.metric.padEnd(w)}  ${t.display.padStart(10)}   target ${t.target.padEnd(20)} ${t.verdict}`);
  const f = r.failures;
  lines.push('§16 failure conditions over the history');
  lines.push(`  win rate < 60 % over 20 trades:     ${f.winRateBelow60Over20.windows} windows${f.winRateBelow60Over20.first ? ` (first ending ${f.winRateBelow60Over20.first}, worst ${pct(f.winRateBelow60Over20.worst)})` : ''}`);
  lines.push(`  circuit breaker (3 max losses):     ${f.circuitBreaker.trips} trips${f.circuitBreaker.dates.length ? ` (${f.circuitBreaker.dates.slice(0, 6).join(', ')}${f.circuitBreaker.dates.length > 6 ? ', …' : ''})` : ''}`);
  lines.push(`  max drawdown > 25 %:                ${f.maxDrawdownOver25.met ? 'YES' : 'no'} (${pct(f.maxDrawdownOver25.maxDrawdownPct)})`);
  lines.push(`  profit factor < 1.2 over 30 trades: ${f.profitFactorBelow12Over30.windows} windows${f.profitFactorBelow12Over30.first ? ` (first ending ${f.profitFactorBelow12Over30.first}, worst ${f.profitFactorBelow12Over30.worst?.toFixed(2)})` : ''}`);
  lines.push(`  negative theta capture (30 trades): ${f.negativeThetaCapture.windows} windows (theta predicted $${f.negativeThetaCapture.predicted.toFixed(0)}, realized $${f.negativeThetaCapture.realized.toFixed(0)})`);
  lines.push('By year: trades, win rate, P&L, return, profit factor, max DD, failures');
  for (const y of r.byYear) {
    if (y.trades === 0 && y.failures.length === 0) continue;
    lines.push(`  ${y.year}  ${String(y.trades).padStart(3)}  ${pct(y.winRate).padStart(7)}  ${`$${y.pnl.toFixed(0)}`.padStart(9)}  ${pct(y.return, 2).padStart(8)}  ${(y.profitFactor?.toFixed(2) ?? '—').padStart(5)}  ${pct(y.maxDrawdownPct).padStart(7)}  ${y.failures.join('; ')}`);
  }
  lines.push('By regime at entry: trades, win rate, P&L, average, profit factor');
  for (const g of r.byRegime) lines.push(`  ${g.regime.padEnd(13)} ${String(g.trades).padStart(4)}  ${pct(g.winRate).padStart(7)}  ${`$${g.pnl.toFixed(0)}`.padStart(9)}  ${(g.avgPnl === null ? '—' : `$${g.avgPnl.toFixed(0)}`).padStart(7)}  ${(g.profitFactor?.toFixed(2) ?? '—').padStart(5)}`);
  lines.push('Exits by reason: count, filled worse than the level the rule fired at, median intended → realized (of max profit), worst');
  for (const e of r.exitsByReason) {
    const fills = e.withLevel === 0 ? 'no level (the rule has none)' : `${String(e.worseThanLevel).padStart(3)} of ${String(e.withLevel).padStart(3)} worse   ${pct(e.medianIntendedPct, 0).padStart(6)} → ${pct(e.medianRealizedPct, 0).padStart(6)}   worst ${pct(e.worstRealizedPct, 0)}`;
    lines.push(`  ${e.reason.padEnd(16)} ${String(e.count).padStart(4)}   ${fills}`);
  }
  if (r.entriesWithoutVix3m > 0) lines.push(`${r.entriesWithoutVix3m} entries had no VIX3M (before 2009-09-18): their term-structure gate was waived.`);
  return lines.join('\n');
}
