/**
 * Seed 002 §16 "Success Criteria" over a backtest: each metric beside the seed's target, honestly
 * marked met or not, and the §16 failure conditions checked over the whole history, by year and by
 * the regime each trade was entered in. Every statistic comes from shared/stats.ts (one truth).
 *
 * Definitions (the seed names the metrics; these are the computations):
 * - CAGR: from the capital to capital + total realized P&L over the period's years (calendar days / 365.25);
 * - Sharpe: of daily returns on the equity at each day's start (`sharpeOnEquity`: the account compounds);
 * - win rate, profit factor: shared/stats.ts `computeMetrics`;
 * - max drawdown: of the realized equity curve, as a share of capital + peak (`maxDrawdownPct`);
 * - monthly income: the mean of every month's realized P&L over the equity at the month's start;
 * - average trade duration: entry fill to exit fill, calendar days.
 * Failure conditions: the win rate of any 20 consecutive trades below 60 %; every circuit-breaker trip
 * (3 consecutive stop losses); the max drawdown above 25 %; the profit factor of any 30 consecutive
 * trades below 1.2; negative theta capture — any 30 consecutive trades whose realized P&L is below 0
 * while the theta they were entered with predicted a gain (each trade's spread theta a day × days held).
 */
import { circuitTrips } from '../../../shared/domain/circuit.ts';
import { averageDurationDays, cagr, computeMetrics, monthlyReturns, rollingWindows, sharpeOnEquity, type ClosedTrade } from '../../../shared/stats.ts';
import { dayNumber } from '../../../shared/market/calendar.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';

export type Target = { metric: string; value: number | null; display: string; target: string; met: boolean | null };

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
  /** Entries whose term-structure gate had no VIX3M (waived), before 2009-09-18. */
  entriesWithoutVix3m: number;
};

const r4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 10_000);
const pct = (x: number | null, digits = 1): string => (x === null ? '—' : `${(x * 100).toFixed(digits)} %`);

/** The §16 report of a backtest's trades (the closed ones in the statistics; regime and theta from each trade's notes). */
export function section16(o: { trades: readonly TradeWithLegs[]; closed: readonly ClosedTrade[]; capitalCents: number; from: string; to: string; days: readonly string[]; stops: number; pauseDays: number; isStop: (reason: string | null) => boolean; termStructureWaived: number }): Section16 {
  const { closed, capitalCents } = o;
  const metrics = computeMetrics(closed, { days: o.days, capitalCents });
  const s = metrics.stats;
  const years = Math.max(1 / 365.25, (dayNumber(o.to) - dayNumber(o.from) + 1) / 365.25);
  const growth = cagr(capitalCents, capitalCents + s.totalPnlCents, years);
  const sharpe = sharpeOnEquity(metrics.daily, capitalCents);
  const months = monthlyReturns(closed, capitalCents, o.from.slice(0, 7), o.to.slice(0, 7));
  const monthly = months.length === 0 ? null : months.reduce((a, m) => a + m.return, 0) / months.length;
  const duration = averageDurationDays(closed);
  const targets: Target[] = [
    { metric: 'CAGR', value: r4(growth), display: pct(growth), target: '40 %+', met: growth === null ? null : growth >= 0.4 },
    { metric: 'Sharpe ratio', value: r4(sharpe), display: sharpe === null ? '—' : sharpe.toFixed(2), target: '0.8–1.2', met: sharpe === null ? null : sharpe >= 0.8 },
    { metric: 'Win rate', value: r4(s.winRate), display: pct(s.winRate), target: '75–85 %', met: s.winRate === null ? null : s.winRate >= 0.75 },
    { metric: 'Profit factor', value: r4(s.profitFactor), display: s.profitFactor === null ? '—' : s.profitFactor.toFixed(2), target: '1.8–2.5', met: s.profitFactor === null ? null : s.profitFactor >= 1.8 },
    { metric: 'Max drawdown', value: r4(s.maxDrawdownPct), display: pct(s.maxDrawdownPct), target: '15–25 %', met: s.maxDrawdownPct <= 0.25 },
    { metric: 'Monthly income', value: r4(monthly), display: pct(monthly, 2), target: '1–1.5 % of capital', met: monthly === null ? null : monthly >= 0.01 },
    { metric: 'Avg trade duration', value: duration === null ? null : Math.round(duration * 10) / 10, display: duration === null ? '—' : `${duration.toFixed(1)} days`, target: '15–30 days', met: duration === null ? null : duration >= 15 && duration <= 30 },
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
    entriesWithoutVix3m: o.termStructureWaived,
  };
}

/** The §16 report as plain text (the CLI). */
export function section16Text(r: Section16): string {
  const lines: string[] = ['§16 success criteria (seed 002)'];
  const w = Math.max(...r.targets.map((t) => t.metric.length));
  for (const t of r.targets) lines.push(`  ${t.metric.padEnd(w)}  ${t.display.padStart(10)}   target ${t.target.padEnd(20)} ${t.met === null ? 'n/a' : t.met ? 'met' : 'NOT MET'}`);
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
  if (r.entriesWithoutVix3m > 0) lines.push(`${r.entriesWithoutVix3m} entries had no VIX3M (before 2009-09-18): their term-structure gate was waived.`);
  return lines.join('\n');
}
