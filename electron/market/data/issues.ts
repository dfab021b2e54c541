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

/** Rows dropped for one reason (an issue code, and the column when one is concerned). */
export type DropReason = {
  code: IssueCode;
  field: string | null;
  /** Rows dropped for this reason. */
  rows: number;
  /** The first few (at most 3) lines and the message of the first, to find and fix them. */
  lines: number[];
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
  /** Rows dropped per reason (exact, whatever `maxIssues`), most rows first. */
  drops: DropReason[];
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
  private readonly drops = new Map<string, DropReason>();
  private readonly max: number;
  constructor(maxIssues = 10_000) {
    this.max = maxIssues;
  }
  /** Records an issue. `message` may be a function so hot loops only build text for issues that are kept. */
  add(line: number, code: IssueCode, action: IssueAction, message: string | (() => string), field?: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    if (action === 'dropped' && line > 0) {
      this.dropped++;
      const key = field === undefined ? code : `${code}|${field}`;
      const d = this.drops.get(key);
      if (d) {
        d.rows++;
        if (d.lines.length < 3) d.lines.push(line);
      } else {
        this.drops.set(key, { code, field: field ?? null, rows: 1, lines: [line], message: typeof message === 'string' ? message : message() });
      }
    }
    if (this.issues.length >= this.max) return;
    const text = typeof message === 'string' ? message : message();
    this.issues.push(field === undefined ? { line, code, action, message: text } : { line, code, action, field, message: text });
  }
  /** Issues sorted by line (loaders that post-process may add out of order). */
  sorted(): LoadIssue[] {
    return this.issues.sort((a, b) => a.line - b.line);
  }
  result<R>(rows: R): LoadResult<R> {
    const drops = [...this.drops.values()].sort((a, b) => b.rows - a.rows || a.lines[0]! - b.lines[0]!);
    return { rows, issues: this.sorted(), counts: this.counts, dropped: this.dropped, drops };
  }
}

/**
 * A file may lose at most this share of its data rows (1 %) and still be used for a backtest: a few
 * bad rows are vendor noise, more means the file itself (its columns, number format or dates) is
 * wrong and every result from it would be quietly incomplete.
 */
export const MAX_DROPPED_SHARE = 0.01;

/** How to fix the rows dropped for each reason: what a user reads when an import is refused. */
const FIX: Record<IssueCode, (field: string | null) => string> = {
  'bad-header': () => 'give the file a header line naming its columns',
  'missing-field': () => 'give every row as many comma-separated fields as the header (a stray comma or quote shifts the columns)',
  'not-a-number': (f) => `write ${f ?? 'the value'} as a plain decimal number such as 1.25: no currency sign, thousands separator, text or NaN`,
  negative: (f) => `${f ?? 'the value'} cannot be negative`,
  'zero-price': (f) => `${f ?? 'the price'} must be above 0`,
  'bad-date': () => 'write dates as YYYY-MM-DD, YYYYMMDD or M/D/YYYY, with the expiration on or after the quote date',
  crossed: () => 'the bid cannot be above the ask: check that the bid and ask columns are not swapped',
  'no-quote': () => 'give each contract a bid and an ask',
  'bad-strike': () => 'write the strike as a positive number of dollars',
  'absurd-strike': () => 'write strikes in dollars (an OSI-style strike × 1000 must be divided by 1000), near the underlying price',
  'bad-right': () => 'write the right as C, P, call or put',
  'bad-symbol': () => 'keep to one underlying per file: roots SPX and SPXW, or SPY',
  duplicate: () => 'list each contract once per quote date',
  unsorted: () => 'sort the rows by time',
  gap: () => 'fill the missing days',
  'inconsistent-ohlc': () => 'keep open and close between low and high',
  'empty-chain': () => 'give each quote date usable rows',
  'empty-file': () => 'export the data rows under the header',
  'no-underlying': () => 'give each row the underlying price',
};

/** The verdict on a load's dropped rows: `ok` when at most `maxShare` of the data rows were dropped. */
export type DropCheck = {
  ok: boolean;
  /** Data rows read (kept + dropped). */
  rows: number;
  dropped: number;
  /** dropped / rows (0 for a file without data rows). */
  share: number;
  maxShare: number;
  /** One line per reason: rows, the first lines, the first message and how to fix them ('' when none dropped). */
  report: string;
};

/** Judges the rows a load dropped against {@link MAX_DROPPED_SHARE} (or `maxShare`). */
export function checkDrops(result: Pick<LoadResult<unknown>, 'dropped' | 'drops'>, keptRows: number, maxShare = MAX_DROPPED_SHARE): DropCheck {
  const rows = keptRows + result.dropped;
  const share = rows === 0 ? 0 : result.dropped / rows;
  const report = result.drops
    .map((d) => {
      const what = d.field === null ? d.code : `${d.code} ${d.field}`;
      const more = d.rows > d.lines.length ? ', …' : '';
      return `  ${what}: ${d.rows.toLocaleString('en-US')} row${d.rows === 1 ? '' : 's'} (line${d.lines.length === 1 ? '' : 's'} ${d.lines.join(', ')}${more}; line ${d.lines[0]}: ${d.message}) — ${FIX[d.code](d.field)}`;
    })
    .join('\n');
  return { ok: share <= maxShare, rows, dropped: result.dropped, share, maxShare, report };
}
