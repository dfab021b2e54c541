/**
 * Backtest statistics from closed trades — pure functions, integer cents.
 *
 * Definitions (what the report table and the JSON document show):
 * - **trades**: closed trades with a realized P&L; **wins** P&L > 0, **losses** P&L < 0, **breakeven**
 *   P&L = 0. **win rate** = wins / trades (null without trades).
 * - **average win / average loss**: mean P&L of the winning / losing trades, cents rounded to the
 *   nearest cent (halves away from zero); the average loss is negative. Null when there are none.
 * - **profit factor**: gross profit / |gross loss|; null when there is no losing trade (undefined,
 *   not infinite).
 * - **equity curve**: the account's realized P&L after each trade, in exit-time order (ties by trade
 *   id), starting from 0 before the first trade; and per ET day (the P&L of trades closed that day),
 *   over every day given in `days` (zero-P&L days included) plus any exit day not listed.
 * - **max drawdown**: the largest fall of the per-trade equity from its running peak (the peak
 *   starts at 0, the starting capital), cents, ≥ 0; **max drawdown %** = the largest
 *   (peak − equity) / (capital + peak), as a fraction (0.05 = 5%).
 * - **Sharpe**: mean / sample standard deviation of the daily returns × √252, where a day's return is
 *   its realized P&L / the stated capital and the risk-free rate is 0. (The capital cancels out of
 *   the ratio: Sharpe is the same for any capital; it only scales the drawdown %.) Null with fewer
 *   than two days or no variation.
 * - **exit reasons**: trades per exit reason (TAKE_PROFIT_50, STOP_LOSS, EXPIRED…).
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
};

export type EquityPoint = { tradeId: number; time: number; pnlCents: number; equityCents: number };
export type DailyEquity = { date: string; pnlCents: number; equityCents: number };

export type Stats = {
  trades: number;
  wins: number;
  losses: number;
  breakeven: number;
  /** wins / trades, null without trades. */
  winRate: number | null;
  avgWinCents: number | null;
  avgLossCents: number | null;
  grossProfitCents: number;
  grossLossCents: number;
  profitFactor: number | null;
  totalPnlCents: number;
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

/** Default stated capital: $100,000. */
export const DEFAULT_CAPITAL_CENTS = 10_000_000;

/** a / b rounded to the nearest integer, halves away from zero. */
function divRound(a: number, b: number): number {
  const q = Math.trunc(a / b);
  const r = a - q * b;
  if (2 * Math.abs(r) >= Math.abs(b)) return q + Math.sign(a) * Math.sign(b);
  return q;
}

/** Per-trade equity curve in exit order (ties by trade id). */
export function equityCurve(trades: readonly ClosedTrade[]): EquityPoint[] {
  const sorted = [...trades].sort((a, b) => a.exitTime - b.exitTime || a.tradeId - b.tradeId);
  let eq = 0;
  return sorted.map((t) => {
    eq += t.pnlCents;
    return { tradeId: t.tradeId, time: t.exitTime, pnlCents: t.pnlCents, equityCents: eq };
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

/**
 * Every statistic of a backtest. `days` are the ET dates of the backtest's sessions (for the daily
 * series and Sharpe); `capitalCents` the stated capital (default {@link DEFAULT_CAPITAL_CENTS}).
 */
export function computeMetrics(trades: readonly ClosedTrade[], opts: { days?: readonly string[]; capitalCents?: number } = {}): Metrics {
  const capital = opts.capitalCents ?? DEFAULT_CAPITAL_CENTS;
  if (!Number.isSafeInteger(capital) || capital <= 0) throw new RangeError(`capital must be a positive whole number of cents, got ${capital}`);
  for (const t of trades) {
    if (!Number.isSafeInteger(t.pnlCents)) throw new RangeError(`trade ${t.tradeId}: P&L must be whole cents, got ${t.pnlCents}`);
  }
  const equity = equityCurve(trades);
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
