/**
 * How loaders report bad input: every problem becomes a {@link LoadIssue} with the 1-based line number,
 * a stable code, whether the row was dropped or kept (with the bad field set to null), and a message a
 * user can act on. Loaders never throw on bad content and never let NaN through.
 */

/** Stable issue codes (what a UI can filter on). */
export type IssueCode =
  /** The header lacks a required column, or the file is not the expected format. */
  | 'bad-header'
  /** A row has fewer fields than the header needs. */
  | 'missing-field'
  /** A numeric field is not a number (or NaN/Infinity). */
  | 'not-a-number'
  /** A price, size or strike is negative. */
  | 'negative'
  /** A price that must be positive is zero. */
  | 'zero-price'
  /** A date or timestamp does not parse or is impossible (2018-02-30). */
  | 'bad-date'
  /** Bid above ask. The row is kept (quote quality labels it), but reported. */
  | 'crossed'
  /** Neither a usable bid nor a usable ask. The row is kept with null quotes. */
  | 'no-quote'
  /** Strike is zero, negative or not a number. */
  | 'bad-strike'
  /** Strike implausibly far from the underlying (outside [underlying / 20, underlying × 20]). */
  | 'absurd-strike'
  /** Right is not C/P/call/put. */
  | 'bad-right'
  /** Option root or symbol not recognized. */
  | 'bad-symbol'
  /** Same key (date, or contract at one time) seen before; the later row is dropped. */
  | 'duplicate'
  /** A row is earlier than the one before it; rows are sorted on output. */
  | 'unsorted'
  /** More calendar days between consecutive daily rows than a market closure explains. */
  | 'gap'
  /** High below low, or open/close outside [low, high]. Kept, reported. */
  | 'inconsistent-ohlc'
  /** A quote date (or snapshot) whose every row was dropped: an empty chain. */
  | 'empty-chain'
  /** No data rows at all. */
  | 'empty-file'
  /** The underlying price is missing, so the chain cannot be anchored. */
  | 'no-underlying';

/** `dropped`: the row is not in the output. `kept`: the row is in the output, the named field is null or as-is. */
export type IssueAction = 'dropped' | 'kept';

export type LoadIssue = {
  /** 1-based line number in the file (header = line 1); 0 for whole-file issues. */
  line: number;
  code: IssueCode;
  action: IssueAction;
  /** The column concerned, when one is. */
  field?: string;
  message: string;
};

/** What every loader returns. */
export type LoadResult<R> = {
  rows: R;
  /** Issues in line order (at most `maxIssues`; see `counts` for totals). */
  issues: LoadIssue[];
  /** Total issues per code, including any beyond `maxIssues`. */
  counts: Partial<Record<IssueCode, number>>;
  /** Rows dropped in total. */
  dropped: number;
};

/** Options every loader takes. */
export type LoadOptions = {
  /** Keep at most this many issue records (counts stay exact). Default 10,000. */
  maxIssues?: number;
};

/** Collects issues with a cap; used by every loader. */
export class IssueLog {
  readonly issues: LoadIssue[] = [];
  readonly counts: Partial<Record<IssueCode, number>> = {};
  dropped = 0;
  private readonly max: number;
  constructor(maxIssues = 10_000) {
    this.max = maxIssues;
  }
  /** Records an issue. `message` may be a function so hot loops only build text for issues that are kept. */
  add(line: number, code: IssueCode, action: IssueAction, message: string | (() => string), field?: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    if (action === 'dropped' && line > 0) this.dropped++;
    if (this.issues.length >= this.max) return;
    const text = typeof message === 'string' ? message : message();
    this.issues.push(field === undefined ? { line, code, action, message: text } : { line, code, action, field, message: text });
  }
  /** Issues sorted by line (loaders that post-process may add out of order). */
  sorted(): LoadIssue[] {
    return this.issues.sort((a, b) => a.line - b.line);
  }
  result<R>(rows: R): LoadResult<R> {
    return { rows, issues: this.sorted(), counts: this.counts, dropped: this.dropped };
  }
}
