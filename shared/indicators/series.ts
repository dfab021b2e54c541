/**
 * The batch output shape shared by every indicator.
 *
 * A batch indicator returns a {@link Series}: one `Float64Array` entry per input bar plus `firstValid`,
 * the index of the first bar that has a value. Entries before `firstValid` are **not values** (they
 * hold 0 as filler, never NaN) — read them through {@link at}, which returns `null` there, or slice
 * from `firstValid`. Once an indicator has warmed up it has a value at every later bar: a non-finite
 * input bar (NaN, ±Infinity) is skipped — the indicator's state does not change and the previous value
 * is carried forward — exactly as the streaming form does, so both forms agree bar for bar.
 */

export type Series = {
  /** One entry per input bar; entries before `firstValid` are filler (0), not values. */
  readonly values: Float64Array;
  /** Index of the first bar with a value; `values.length` when the input never completes warm-up. */
  readonly firstValid: number;
};

/** The value at bar `i`, or `null` during warm-up or outside the series. */
export function at(series: Series, i: number): number | null {
  if (i < series.firstValid || i >= series.values.length || i < 0) return null;
  return series.values[i]!;
}

/** The last value, or `null` if the series never warmed up. */
export function last(series: Series): number | null {
  return at(series, series.values.length - 1);
}

/** The series as a plain array with `null` for warm-up bars (for JSON, charts, tests). */
export function toArray(series: Series): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(series.values.length);
  for (let i = 0; i < out.length; i++) out[i] = i < series.firstValid ? null : series.values[i]!;
  return out;
}

/** Only the valid part, as a view (no copy). */
export function validValues(series: Series): Float64Array {
  return series.values.subarray(series.firstValid);
}

/** Throws a RangeError for a period that is not a positive integer (a programming error, not data). */
export function checkPeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) throw new RangeError(`${name}: period must be an integer ≥ ${min}, got ${period}`);
}

/** Input accepted by batch indicators. */
export type Values = ArrayLike<number>;
