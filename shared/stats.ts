/**
 * The statistics of a set of trades — the one module every view reads: the Backtests page, the Trades
 * page (`performance.history`), the `thetadesk backtest` report and JSON, the Strategies page, the
 * daily summaries (and their CSV export). Pure functions in integer cents.
 *
 * Definitions:
 * - **trades**: closed trades with a realized P&L (net of every commission of both sides); **wins**
 *   P&L > 0, **losses** P&L < 0, **breakeven** P&L = 0. **win rate** = wins / trades (null without
 *   trades).
 * - **average P&L / win / loss**: mean P&L of all / the winning / the losing trades, rounded to the cent
 *   (halves away from zero); the average loss is negative. Null when there are none.
 * - **profit factor**: gross profit / |gross loss|; null when there is no losing trade (undefined,
 *   not infinite).
 * - **equity curve**: the account's cumulative realized P&L. It starts with a point at 0 at the start
 *   of the period (before the first trade), then one point after each closed trade in exit-time order
 *   (ties by trade id). A live curve (the Trades page) ends with a point "now" that adds the open
 *   trades' P&L at their current marks; a backtest's curve has no such point (its statistics cover
 *   closed trades only). Each point carries its **drawdown**: equity − the running peak (≤ 0).
 * - **max drawdown**: the largest peak-to-trough fall of that equity curve, the peak starting at 0 (the
 *   starting capital): cents, ≥ 0 — on screen it is shown as a loss, "−$3,698.00" (shared/format.ts
 *   `formatDrawdown`). Realized P&L only, plus the open P&L at the marks of the moment for a live curve:
 *   no history of intraday marks is kept, so the same closed trades give the same figure in a
 *   backtest, its replay on the Trades page, the CLI and the API. **max drawdown %** = the largest
 *   (peak − equity) / (capital + peak), a fraction (0.05 = 5%).
 * - **daily series**: per ET day the P&L of the trades closed that day, over every day of the period
 *   (zero-P&L days included) plus any exit day not listed.
 * - **Sharpe**: mean / sample standard deviation of the daily returns × √252, where a day's return is
 *   its realized P&L / the stated capital and the risk-free rate is 0. (The capital cancels out of
 *   the ratio; it only scales the drawdown %.) Null with fewer than two days or no variation.
 * - **exit reasons**: trades per exit reason (TAKE_PROFIT_50, STOP_LOSS, EXPIRED…).
 * - **day summary** (seed 004's daily_summary): a day's closed trades, wins, losses, gross P&L,
 *   commissions, net P&L, and the max drawdown of that day's equity curve (from 0 at the day's start).
 */

/** What the statistics need from one closed trade. */
export type ClosedTrade = {
  tradeId: number;
  /** Epoch ms of the entry fill and of the close. */
  entryTime: number;
  exitTime: number;
  /** ET date `YYYY-MM-DD` of the close. */
  exitDate: string;
  /** Realized P&L, integer cents (net of commissions). */
  pnlCents: number;
  exitReason: string | null;
  /** Commissions of both sides, integer cents (day summaries only; default 0). */
  commissionsCents?: number;
};

export type EquityPoint = {
  /** The trade closed at this point; null for the period's start and for the live point "now". */
  tradeId: number | null;
  time: number;
  /** P&L added at this point: the trade's realized P&L, 0 at the start, the open P&L at the live point. */
  pnlCents: number;
  equityCents: number;
  /** Equity − the running peak (from 0), ≤ 0. */
  drawdownCents: number;
};
export type DailyEquity = { date: string; pnlCents: number; equityCents: number };

export type Stats = {
  trades: number;
  wins: number;
  losses: number;
  breakeven: number;
  /** wins / trades, null without trades. */
  winRate: number | null;
  avgPnlCents: number | null;
  avgWinCents: number | null;
  avgLossCents: number | null;
  grossProfitCents: number;
  grossLossCents: number;
  profitFactor: number | null;
  totalPnlCents: number;
  /** ≥ 0: the deepest fall of the equity curve from its running peak. */
  maxDrawdownCents: number;
  /** Fraction of the peak account value (capital + peak equity). */
  maxDrawdownPct: number;
  sharpe: number | null;
  /** The capital the percentages and returns are stated on, cents. */
  capitalCents: number;
  /** Days in the daily series (the Sharpe sample). */
  days: number;
  exitReasons: Record<string, number>;
};

export type Metrics = { stats: Stats; equity: EquityPoint[]; daily: DailyEquity[] };

/** The open trades' P&L at the current marks, for the live point of a curve. */
export type OpenPnl = { time: number; pnlCents: number };

export type MetricsOptions = {
  /** ET dates of the period's sessions, ascending (the daily series and Sharpe). */
  days?: readonly string[];
  /** Stated capital, cents (default {@link DEFAULT_CAPITAL_CENTS}). */
  capitalCents?: number;
  /** The period's start, epoch ms: the curve's first point (equity 0). Default: the earliest entry. */
  start?: number;
  /** A live curve's last point: the open P&L at the current marks. */
  open?: OpenPnl | null;
};

/** Default stated capital: $100,000. */
export const DEFAULT_CAPITAL_CENTS = 10_000_000;

/** a / b rounded to the nearest integer, halves away from zero. */
function divRound(a: number, b: number): number {
  const q = Math.trunc(a / b);
  const r = a - q * b;
  if (2 * Math.abs(r) >= Math.abs(b)) return q + Math.sign(a) * Math.sign(b);
  return q;
}

/** Closed trades in exit order (ties by trade id). */
function byExit(trades: readonly ClosedTrade[]): ClosedTrade[] {
  return [...trades].sort((a, b) => a.exitTime - b.exitTime || a.tradeId - b.tradeId);
}

/**
 * The equity curve: 0 at `start` (default the earliest entry), one point per closed trade in exit
 * order, and the live point when `open` is given. Empty when there is neither a trade nor an open P&L.
 */
export function equityCurve(trades: readonly ClosedTrade[], opts: { start?: number; open?: OpenPnl | null } = {}): EquityPoint[] {
  const sorted = byExit(trades);
  const open = opts.open ?? null;
  if (sorted.length === 0 && open === null) return [];
  // The start: as given (never after the first close), else the earliest entry. A loop, as
  // Math.min(...spread) would overflow the stack on 100,000 trades.
  let first = opts.start ?? open?.time ?? Number.POSITIVE_INFINITY;
  for (const t of sorted) first = Math.min(first, opts.start === undefined ? t.entryTime : t.exitTime);
  const points: { tradeId: number | null; time: number; pnlCents: number }[] = [{ tradeId: null, time: first, pnlCents: 0 }];
  for (const t of sorted) points.push({ tradeId: t.tradeId, time: t.exitTime, pnlCents: t.pnlCents });
  if (open !== null) points.push({ tradeId: null, time: Math.max(open.time, points.at(-1)!.time), pnlCents: open.pnlCents });
  let equity = 0;
  let peak = 0;
  return points.map((p) => {
    equity += p.pnlCents;
    if (equity > peak) peak = equity;
    return { ...p, equityCents: equity, drawdownCents: equity - peak };
  });
}

/** Daily P&L and equity over `days` (ascending ET dates) plus any exit date not among them. */
export function dailyEquity(trades: readonly ClosedTrade[], days: readonly string[] = []): DailyEquity[] {
  const pnl = new Map<string, number>();
  for (const d of days) pnl.set(d, 0);
  for (const t of trades) pnl.set(t.exitDate, (pnl.get(t.exitDate) ?? 0) + t.pnlCents);
  const dates = [...pnl.keys()].sort();
  let eq = 0;
  return dates.map((date) => {
    const p = pnl.get(date)!;
    eq += p;
    return { date, pnlCents: p, equityCents: eq };
  });
}

/** Largest peak-to-trough fall of an equity series that starts at 0, in cents and as a fraction of capital + peak. */
export function maxDrawdown(equity: readonly number[], capitalCents: number): { cents: number; pct: number } {
  let peak = 0;
  let dd = 0;
  let pct = 0;
  for (const e of equity) {
    if (e > peak) peak = e;
    const fall = peak - e;
    if (fall > dd) dd = fall;
    const base = capitalCents + peak;
    if (base > 0 && fall / base > pct) pct = fall / base;
  }
  return { cents: dd, pct };
}

/** Annualised Sharpe of daily P&L on `capitalCents` (√252, risk-free 0); null below two days or with no variation. */
export function sharpe(dailyPnlCents: readonly number[], capitalCents: number): number | null {
  const n = dailyPnlCents.length;
  if (n < 2 || !(capitalCents > 0)) return null;
  let mean = 0;
  for (const p of dailyPnlCents) mean += p / capitalCents;
  mean /= n;
  let ss = 0;
  for (const p of dailyPnlCents) {
    const d = p / capitalCents - mean;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (!(sd > 1e-15)) return null;
  return (mean / sd) * Math.sqrt(252);
}

function checkTrades(trades: readonly ClosedTrade[]): void {
  for (const t of trades) {
    if (!Number.isSafeInteger(t.pnlCents)) throw new RangeError(`trade ${t.tradeId}: P&L must be whole cents, got ${t.pnlCents}`);
  }
}

/** Every statistic of a set of closed trades, with the equity curve and the daily series. */
export function computeMetrics(trades: readonly ClosedTrade[], opts: MetricsOptions = {}): Metrics {
  const capital = opts.capitalCents ?? DEFAULT_CAPITAL_CENTS;
  if (!Number.isSafeInteger(capital) || capital <= 0) throw new RangeError(`capital must be a positive whole number of cents, got ${capital}`);
  checkTrades(trades);
  if (opts.open && !Number.isSafeInteger(opts.open.pnlCents)) throw new RangeError(`open P&L must be whole cents, got ${opts.open.pnlCents}`);
  const equity = equityCurve(trades, { start: opts.start, open: opts.open });
  const daily = dailyEquity(trades, opts.days);
  let wins = 0, losses = 0, gp = 0, gl = 0;
  const exitReasons: Record<string, number> = {};
  for (const t of trades) {
    if (t.pnlCents > 0) {
      wins++;
      gp += t.pnlCents;
    } else if (t.pnlCents < 0) {
      losses++;
      gl += t.pnlCents;
    }
    const r = t.exitReason ?? 'UNKNOWN';
    exitReasons[r] = (exitReasons[r] ?? 0) + 1;
  }
  const n = trades.length;
  const dd = maxDrawdown(equity.map((e) => e.equityCents), capital);
  return {
    stats: {
      trades: n,
      wins,
      losses,
      breakeven: n - wins - losses,
      winRate: n > 0 ? wins / n : null,
      avgPnlCents: n > 0 ? divRound(gp + gl, n) : null,
      avgWinCents: wins > 0 ? divRound(gp, wins) : null,
      avgLossCents: losses > 0 ? divRound(gl, losses) : null,
      grossProfitCents: gp,
      grossLossCents: gl,
      profitFactor: gl < 0 ? gp / -gl : null,
      totalPnlCents: gp + gl,
      maxDrawdownCents: dd.cents,
      maxDrawdownPct: dd.pct,
      sharpe: sharpe(daily.map((d) => d.pnlCents), capital),
      capitalCents: capital,
      days: daily.length,
      exitReasons,
    },
    equity,
    daily,
  };
}

/** One day's summary (seed 004's daily_summary row), from the trades closed that day. */
export type DaySummary = {
  tradesCount: number;
  winningTrades: number;
  losingTrades: number;
  grossPnlCents: number;
  commissionsCents: number;
  netPnlCents: number;
  /** The max drawdown of the day's equity curve, from 0 at the day's start (≥ 0). */
  maxDrawdownCents: number;
};

/** The summary of one day's closed trades: the same counts and drawdown as {@link computeMetrics}. */
export function summarizeDay(trades: readonly ClosedTrade[]): DaySummary {
  checkTrades(trades);
  const m = computeMetrics(trades);
  const commissions = trades.reduce((sum, t) => sum + (t.commissionsCents ?? 0), 0);
  return {
    tradesCount: m.stats.trades,
    winningTrades: m.stats.wins,
    losingTrades: m.stats.losses,
    grossPnlCents: m.stats.totalPnlCents + commissions,
    commissionsCents: commissions,
    netPnlCents: m.stats.totalPnlCents,
    maxDrawdownCents: m.stats.maxDrawdownCents,
  };
}

// ---------------------------------------------------------------------------------------------
// Growth figures: a system that sizes from its equity (seed 002) is judged on returns on that equity.

/**
 * Compound annual growth rate from `startCents` to `endCents` over `years`: (end / start)^(1 / years) − 1.
 * Null without a positive start, end and span.
 */
export function cagr(startCents: number, endCents: number, years: number): number | null {
  if (!(startCents > 0) || !(endCents > 0) || !(years > 0)) return null;
  return Math.pow(endCents / startCents, 1 / years) - 1;
}

/**
 * Annualised Sharpe of daily returns on the equity at each day's start (capital + the P&L realized
 * before it), √252, risk-free 0 — the Sharpe of an account that compounds. Null below two days, with
 * no variation, or once equity is gone.
 */
export function sharpeOnEquity(daily: readonly { pnlCents: number }[], capitalCents: number): number | null {
  const n = daily.length;
  if (n < 2 || !(capitalCents > 0)) return null;
  let equity = capitalCents;
  const r: number[] = [];
  for (const d of daily) {
    if (!(equity > 0)) return null;
    r.push(d.pnlCents / equity);
    equity += d.pnlCents;
  }
  const mean = r.reduce((a, b) => a + b, 0) / n;
  let ss = 0;
  for (const x of r) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  if (!(sd > 1e-15)) return null;
  return (mean / sd) * Math.sqrt(252);
}

/** One calendar month of closed trades: its P&L and its return on the equity at the month's start. */
export type MonthReturn = { month: string; pnlCents: number; startEquityCents: number; return: number };

/**
 * Every month from `fromMonth` to `toMonth` (`YYYY-MM`, inclusive; months without a close count 0):
 * realized P&L of the trades closed in it, over capital + everything realized before it.
 */
export function monthlyReturns(trades: readonly ClosedTrade[], capitalCents: number, fromMonth: string, toMonth: string): MonthReturn[] {
  const pnl = new Map<string, number>();
  for (const t of trades) pnl.set(t.exitDate.slice(0, 7), (pnl.get(t.exitDate.slice(0, 7)) ?? 0) + t.pnlCents);
  const out: MonthReturn[] = [];
  let equity = capitalCents;
  // Closes before the period still count in the starting equity.
  for (const [m, p] of pnl) if (m < fromMonth) equity += p;
  let [y, mo] = fromMonth.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 2400; guard++) {
    const month = `${y}-${String(mo).padStart(2, '0')}`;
    if (month > toMonth) break;
    const p = pnl.get(month) ?? 0;
    out.push({ month, pnlCents: p, startEquityCents: equity, return: equity > 0 ? p / equity : 0 });
    equity += p;
    if (++mo > 12) {
      mo = 1;
      y++;
    }
  }
  return out;
}

/** Mean time from entry to exit, calendar days; null without trades. */
export function averageDurationDays(trades: readonly ClosedTrade[]): number | null {
  if (trades.length === 0) return null;
  return trades.reduce((s, t) => s + (t.exitTime - t.entryTime), 0) / trades.length / 86_400_000;
}

/** Win rate and profit factor of each run of `size` consecutive trades (in exit order), ending at each trade from the `size`-th. */
export function rollingWindows(trades: readonly ClosedTrade[], size: number): { endTradeId: number; endDate: string; winRate: number; profitFactor: number | null }[] {
  const sorted = byExit(trades);
  const out: { endTradeId: number; endDate: string; winRate: number; profitFactor: number | null }[] = [];
  for (let end = size - 1; end < sorted.length; end++) {
    let wins = 0, gp = 0, gl = 0;
    for (let i = end - size + 1; i <= end; i++) {
      const p = sorted[i]!.pnlCents;
      if (p > 0) {
        wins++;
        gp += p;
      } else if (p < 0) gl -= p;
    }
    out.push({ endTradeId: sorted[end]!.tradeId, endDate: sorted[end]!.exitDate, winRate: wins / size, profitFactor: gl > 0 ? gp / gl : null });
  }
  return out;
}
