/**
 * Loaders for market data files (../shared/data and what users bring): daily/intraday/quote bars,
 * broker history, end-of-day option chains (SPXW EOD, historicaloptiondata L2, Cboe Option EOD
 * Summary), Databento cbbo CSV. Every loader returns `{ rows, issues, counts, dropped }` and never
 * throws on bad content; chains load into the columnar {@link ChainColumns} table.
 */
export type { IssueCode, IssueAction, LoadIssue, LoadResult, LoadOptions } from './issues.ts';
export {
  readDailyBars, parseDailyBars, readDailyCloses, parseDailyCloses, readIntradayBars, parseIntradayBars,
  readBrokerHistory, parseBrokerHistory, readQuoteBars, parseQuoteBars, readBytes, column,
  type DailyBar, type DailyClose, type IntradayBar, type QuoteBar, type DailyOptions,
} from './bars.ts';
export { readEodChain, parseEodChain, streamEodChain, EodChainParser, type EodChainFormat, type EodChainOptions } from './chain-eod.ts';
export { readDatabentoCbbo, parseDatabentoCbbo, snapshotAt, type DatabentoOptions } from './databento.ts';
export {
  ROOTS, CALL, PUT, HAS, NULLABLE_FIELDS, get, quoteAt, toChainSnapshot, toChainSnapshots, groupsOnDay, findGroup, quoteDays,
  type ChainColumns, type ChainGroups, type NullableField,
} from './chain-columns.ts';
export { isoToDay, dayToIso } from './csv.ts';
