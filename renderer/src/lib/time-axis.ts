/**
 * A time axis for lightweight-charts. Its time scale places bars one per data point, evenly, whatever
 * their times: a year between two equity points would look like the minutes between two others. The
 * library's answer is whitespace data (a time without a value): `withTimeGaps` adds one at every
 * `step` inside each gap, so the bar spacing follows real time — a gap takes its share of the width.
 * At most `slots` whitespace points are added in all (the span cut into `slots` steps).
 */

/** A whitespace entry: a time on the axis with nothing drawn. */
export type Whitespace = { time: number };

/** `points` sorted by time (strictly increasing, chart seconds) with whitespace inside the gaps. */
export function withTimeGaps<T extends { time: number }>(points: readonly T[], slots: number): (T | Whitespace)[] {
  if (points.length < 2 || !(slots >= 1)) return [...points];
  const first = points[0]!.time;
  const last = points[points.length - 1]!.time;
  const step = Math.max(1, Math.ceil((last - first) / slots));
  const out: (T | Whitespace)[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const from = points[i - 1]!.time;
    const to = points[i]!.time;
    for (let t = from + step; t < to; t += step) out.push({ time: t });
    out.push(points[i]!);
  }
  return out;
}
