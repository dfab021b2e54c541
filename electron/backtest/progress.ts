/**
 * A one-line progress bar on stderr for long backtests:
 * `backtest ███████████░░░░░░░░░  55%  2018-02-06  12 trades`.
 *
 * Shown only when enabled — the CLI enables it when stderr is a TTY or `--progress` forces it, and
 * never when the JSON goes to stdout (`--json -`) unless forced — and redrawn at most every
 * `minIntervalMs` of wall time (the caller injects the wall clock: backtest code reads no clock itself).
 * On a TTY the line is redrawn in place (`\r`); otherwise (forced into a file or pipe) a line is written
 * per 10% step.
 */

/** Where the bar writes (process.stderr in the CLI). */
export type ProgressStream = { write(text: string): unknown; isTTY?: boolean; columns?: number };

export type ProgressOptions = {
  stream: ProgressStream;
  enabled: boolean;
  /** Wall-clock milliseconds (performance.now in the CLI), for throttling. */
  wallNow: () => number;
  /** Minimum wall time between redraws. Default 100 ms. */
  minIntervalMs?: number;
  label?: string;
  width?: number;
};

/** Text of the bar for a fraction in [0, 1] (exported for tests). */
export function renderBar(fraction: number, width: number, label: string, detail: string): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  const pct = `${Math.floor(f * 100)}%`.padStart(4);
  return `${label} ${'█'.repeat(full)}${'░'.repeat(width - full)} ${pct}${detail ? `  ${detail}` : ''}`;
}

export class ProgressBar {
  readonly #o: ProgressOptions;
  readonly #min: number;
  #last = -Infinity;
  #lastStep = -1;
  #drawn = false;
  #done = false;

  constructor(options: ProgressOptions) {
    this.#o = options;
    this.#min = options.minIntervalMs ?? 100;
  }

  get enabled(): boolean {
    return this.#o.enabled;
  }

  /** Reports progress; draws only when enabled and the throttle allows. */
  update(fraction: number, detail = ''): void {
    if (!this.#o.enabled || this.#done) return;
    const tty = this.#o.stream.isTTY === true;
    if (tty) {
      const now = this.#o.wallNow();
      if (now - this.#last < this.#min) return;
      this.#last = now;
      this.#o.stream.write(`\r${renderBar(fraction, this.#o.width ?? 24, this.#o.label ?? 'backtest', detail)}\x1b[K`);
      this.#drawn = true;
    } else {
      const step = Math.floor(Math.min(1, Math.max(0, fraction)) * 10);
      if (step <= this.#lastStep) return;
      this.#lastStep = step;
      this.#o.stream.write(`${renderBar(fraction, this.#o.width ?? 24, this.#o.label ?? 'backtest', detail)}\n`);
    }
  }

  /** Draws 100% and ends the line. */
  finish(detail = ''): void {
    if (!this.#o.enabled || this.#done) return;
    const tty = this.#o.stream.isTTY === true;
    const text = renderBar(1, this.#o.width ?? 24, this.#o.label ?? 'backtest', detail);
    if (tty) this.#o.stream.write(`\r${text}\x1b[K\n`);
    else if (this.#lastStep < 10) this.#o.stream.write(`${text}\n`);
    this.#done = true;
    this.#drawn = false;
  }

  /** Whether a partial line is on screen (so other output should start on a new line). */
  get drawn(): boolean {
    return this.#drawn;
  }
}
