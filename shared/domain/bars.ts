/**
 * Daily bars as the strategies, the brokers and the data files share them. Prices in the series' own
 * units (index points, dollars per share, volatility points); `date` is the ET session date.
 */
export type DailyBar = { date: string; open: number; high: number; low: number; close: number; volume: number | null };

/** The daily context series a strategy may read beside its underlyings (VIX family and the Cboe SKEW). */
export type ContextSymbol = 'VIX' | 'VIX9D' | 'VIX3M' | 'SKEW';
export const CONTEXT_SYMBOLS: readonly ContextSymbol[] = ['VIX', 'VIX9D', 'VIX3M', 'SKEW'];
