/** Money helpers: dollars as numbers at the edges, integer cents for arithmetic that must be exact. */

/** Dollars → integer cents, rounding half away from zero (so 0.125 → 13, -0.125 → -13). */
export function toCents(dollars: number): number {
  if (!Number.isFinite(dollars)) throw new RangeError(`not a finite amount: ${dollars}`);
  // The 1e-9 nudge absorbs binary representation error such as 1.005 being 1.00499999…
  return Math.sign(dollars) * Math.round(Math.abs(dollars) * 100 + 1e-9);
}

/** Integer cents → dollars. */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** Rounds a dollar amount to the cent. */
export function roundCents(dollars: number): number {
  return fromCents(toCents(dollars));
}

/** Sums dollar amounts exactly to the cent. */
export function sumDollars(values: readonly number[]): number {
  let cents = 0;
  for (const v of values) cents += toCents(v);
  return fromCents(cents);
}
