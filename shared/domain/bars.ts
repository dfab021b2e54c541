/**
 * Daily bars as the strategies, the brokers and the data files share them. Prices in the series' own
 * units (index points, dollars per share, volatility points); `date` is the ET session date.
 */
export type DailyBar = { date: string; open: number; high: number; low: number; close: number; volume: number | null };

/** The daily context series a strategy may read beside its underlyings (VIX family and the Cboe SKEW). */
export type ContextSymbol = 'VIX' | 'VIX9D' | 'VIX3M' | 'SKEW';
export const CONTEXT_SYMBOLS: readonly ContextSymbol[] = ['VIX', 'VIX9D', 'VIX3M', 'SKEW'];

/**
 * An intraday bar of one session as a study reads it: `start` and `end` are epoch ms, the bar covers
 * [start, end) of the regular session (LEAN's hourly `09:00` bar is 09:30–10:00; the last bar ends at
 * the close, 13:00 ET on an early close). A price is known at `end`, never before.
 */
export type SessionBar = { start: number; end: number; open: number; high: number; low: number; close: number; volume: number | null };
