/**
 * Listed strike grids, as the exchanges list them: SPX/SPXW every 5 points near the money, 25 further
 * out and 100 in the far wings (≈ 400 strikes for a full expiration); SPY every $1 near the money and
 * $5 beyond.
 *
 * The grid is built around a price range [lo, hi] — the range of the underlying's session opens since
 * the series was listed — so a strike, once listed, stays listed while the series lives: a position is
 * never left without a quote because the market moved.
 */
import type { OptionRoot } from '../../../shared/domain/chain.ts';

type Band = { from: number; to: number; step: number };

function bandsFor(root: OptionRoot, lo: number, hi: number): Band[] {
  if (root === 'SPY') {
    return [
      { from: 0.5 * lo, to: 0.8 * lo, step: 5 },
      { from: 0.8 * lo, to: 1.15 * hi, step: 1 },
      { from: 1.15 * hi, to: 1.3 * hi, step: 5 },
    ];
  }
  return [
    { from: 0.3 * lo, to: 0.6 * lo, step: 100 },
    { from: 0.6 * lo, to: 0.85 * lo, step: 25 },
    { from: 0.85 * lo, to: 1.1 * hi, step: 5 },
    { from: 1.1 * hi, to: 1.25 * hi, step: 25 },
    { from: 1.25 * hi, to: 1.4 * hi, step: 100 },
  ];
}

/** Strikes of `root` for underlying range [lo, hi], ascending, no duplicates. */
export function strikeGrid(root: OptionRoot, lo: number, hi: number): Float64Array {
  const out: number[] = [];
  let last = -Infinity;
  for (const b of bandsFor(root, lo, hi)) {
    let k = Math.ceil(b.from / b.step) * b.step;
    for (; k <= b.to; k += b.step) {
      if (k > last && k > 0) {
        out.push(k);
        last = k;
      }
    }
  }
  return Float64Array.from(out);
}
