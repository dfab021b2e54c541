/**
 * M4 reduction of a long line series for drawing (Jugel et al., "M4: A Visualization-Oriented Time
 * Series Data Aggregation", VLDB 2014): split the points into equal-count buckets and keep each
 * bucket's first, minimum, maximum and last point, in time order. lightweight-charts spaces points
 * by index, so with at least one bucket per pixel column the reduced line draws the same pixels as
 * the full one — every peak and every trough (the drawdown's bottom) survives — while the chart
 * handles a few thousand points instead of 100,000.
 */
export type Point = { time: number; value: number };

/** At most `maxPoints` points (≥ 8), in order; the input is returned as is when it is already short enough. */
export function reduceM4<T extends Point>(points: readonly T[], maxPoints: number): readonly T[] {
  const n = points.length;
  if (maxPoints < 8) throw new RangeError(`maxPoints must be at least 8, got ${maxPoints}`);
  if (n <= maxPoints) return points;
  const buckets = Math.floor(maxPoints / 4);
  const out: T[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets); // exclusive
    if (end <= start) continue;
    let minI = start;
    let maxI = start;
    for (let i = start + 1; i < end; i++) {
      const v = points[i]!.value;
      if (v < points[minI]!.value) minI = i;
      if (v > points[maxI]!.value) maxI = i;
    }
    // first, then min and max in the order they occur, then last — without repeats.
    const picks = [start, Math.min(minI, maxI), Math.max(minI, maxI), end - 1];
    let prev = -1;
    for (const i of picks) {
      if (i !== prev) out.push(points[i]!);
      prev = i;
    }
  }
  return out;
}
