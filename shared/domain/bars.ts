/**
 * Daily bars as the strategies, the brokers and the data files share them. Prices in the series' own
 * units (index points, dollars per share, volatility points); `date` is the ET session date.
 */
export type DailyBar = { date: string; open: number; high: number; low: number; close: number; volume: number | null };

/**
 * The daily context series a strategy may read beside its underlyings: the VIX family and the Cboe
 * SKEW, and three market-internals series that only a data port a user feeds can supply (no broker and
 * no file in ../shared/data has them, so they are empty until one does):
 * - `BREADTH`: % of S&P 500 members above their 50-day average (0–100);
 * - `PUTCALL`: the equity put/call volume ratio (daily);
 * - `CREDIT`: a high-yield credit spread (e.g. the ICE BofA US High Yield OAS, percentage points).
 * A close-only file (`date,value`) makes bars with open = high = low = close.
 */
export type ContextSymbol = 'VIX' | 'VIX9D' | 'VIX3M' | 'SKEW' | 'BREADTH' | 'PUTCALL' | 'CREDIT';
export const CONTEXT_SYMBOLS: readonly ContextSymbol[] = ['VIX', 'VIX9D', 'VIX3M', 'SKEW', 'BREADTH', 'PUTCALL', 'CREDIT'];
/** The close-only series among them (one value a day). */
export const CLOSE_ONLY_SYMBOLS: readonly ContextSymbol[] = ['SKEW', 'BREADTH', 'PUTCALL', 'CREDIT'];

/**
 * An intraday bar of one session as a study reads it: `start` and `end` are epoch ms, the bar covers
 * [start, end) of the regular session (LEAN's hourly `09:00` bar is 09:30–10:00; the last bar ends at
 * the close, 13:00 ET on an early close). A price is known at `end`, never before.
 */
export type SessionBar = { start: number; end: number; open: number; high: number; low: number; close: number; volume: number | null };
