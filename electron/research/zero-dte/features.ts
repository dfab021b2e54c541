/**
 * T4, the intraday state at a decision (pure analysis): features known at the decision instant only.
 *
 * `stateAt` takes the history **as it stood at the decision** (the research port's `clipHistoryAt`):
 * today's bars that have ended, daily bars of closed sessions. It reads nothing else, so it cannot
 * look ahead whatever it computes; tests/research/zero-dte-lookahead.test.ts poisons every later price
 * to prove it. Features (returns are fractions):
 * - return vs the prior close: decision price / the previous session's close − 1;
 * - drawdown from the open: decision price / the session's open − 1 (negative below the open);
 * - distance from VWAP: decision price / Σ(typical price × volume) / Σ volume − 1 (null without volume);
 * - realized intraday volatility: √Σ r² of log returns from the open through each bar's close;
 * - range percentile: today's (high − low) / open so far, ranked among the same time of day of the
 *   previous 60 sessions (null with fewer than 20 of them);
 * - time bucket (the decision time floored to the assumptions' bucket) and the VIX regime (the previous
 *   session's VIX close against the regime edges; `vix-unknown` without VIX data).
 */
import type { SessionBar } from '../../../shared/domain/bars.ts';
import { addDays, previousTradingDay } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import type { SkipReason, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import type { StudyHistory } from '../port.ts';
import { etHhmm, timeBucket, type DecisionEvent } from './decision.ts';

/** Prior sessions the range percentile ranks against, and the fewest it needs. */
export const RANGE_LOOKBACK = 60;
export const RANGE_MIN = 20;

export type StateResult = { ok: true; state: StudyState } | { ok: false; skipReason: SkipReason; detail: string };

/** The bucket index of `x` among ascending `edges`: 0 below the first edge, edges.length at or above the last. */
export function bucketIndex(x: number, edges: readonly number[]): number {
  let i = 0;
  while (i < edges.length && x >= edges[i]!) i++;
  return i;
}

/** The volatility regime's label from the prior VIX close. */
export function volRegime(vix: number | null, edges: readonly number[]): string {
  if (vix === null) return 'vix-unknown';
  const i = bucketIndex(vix, edges);
  if (i === 0) return `vix<${edges[0]}`;
  if (i === edges.length) return `vix>=${edges[edges.length - 1]}`;
  return `vix${edges[i - 1]}-${edges[i]}`;
}

/** (high − low) / open of the bars ending at or before `until`; null when there are none. */
function rangeSoFar(bars: readonly SessionBar[], until: number): number | null {
  let high = -Infinity;
  let low = Infinity;
  let n = 0;
  for (const b of bars) {
    if (b.end > until) break;
    if (b.high > high) high = b.high;
    if (b.low < low) low = b.low;
    n++;
  }
  return n === 0 ? null : (high - low) / bars[0]!.open;
}

/**
 * The state at decision `event` from `known`, the history as it stood at `event.at`. Fails (with the
 * skip reason) when today has no ended bar or the previous close is unknown.
 */
export function stateAt(known: StudyHistory, event: DecisionEvent, a: ZeroDteAssumptions): StateResult {
  const symbol = a.symbol;
  const bars = known.intraday?.(symbol, event.date) ?? [];
  if (bars.length === 0) return { ok: false, skipReason: 'no_bars_at_decision', detail: `no ${symbol} bar had ended by ${event.time} ET on ${event.date}` };
  const prevDate = previousTradingDay(event.date);
  const prior = known.daily(symbol, prevDate, prevDate)[0];
  if (!prior) return { ok: false, skipReason: 'no_prior_close', detail: `no ${symbol} close for ${prevDate}, the session before ${event.date}` };

  const last = bars[bars.length - 1]!;
  const price = last.close;
  const open = bars[0]!.open;
  let pv = 0;
  let vol = 0;
  let sumSq = 0;
  let prevClose = open;
  let high = -Infinity;
  let low = Infinity;
  for (const b of bars) {
    if (b.volume !== null && b.volume > 0) {
      pv += ((b.high + b.low + b.close) / 3) * b.volume;
      vol += b.volume;
    }
    const r = Math.log(b.close / prevClose);
    sumSq += r * r;
    prevClose = b.close;
    if (b.high > high) high = b.high;
    if (b.low < low) low = b.low;
  }
  const todayRange = (high - low) / open;

  // The same time of day in the previous sessions (whole sessions: they are history).
  const time = etHhmm(event.at);
  const past: number[] = [];
  const earlier = known.sessions?.(symbol, addDays(prevDate, -RANGE_LOOKBACK * 2), prevDate) ?? [];
  for (let i = earlier.length - 1; i >= 0 && past.length < RANGE_LOOKBACK; i--) {
    const d = earlier[i]!;
    const r = rangeSoFar(known.intraday!(symbol, d), etToEpoch(d, time));
    if (r !== null) past.push(r);
  }
  const rangePercentile = past.length < RANGE_MIN ? null : past.filter((r) => r <= todayRange).length / past.length;

  const vixBar = known.daily('VIX', prevDate, prevDate)[0];
  const vixPriorClose = vixBar ? vixBar.close : null;
  const returnVsPriorClose = price / prior.close - 1;
  const state: StudyState = {
    symbol,
    sessionDate: event.date,
    decisionTs: event.at,
    decisionTime: event.time,
    requestedTime: event.requested,
    timeBucket: timeBucket(event.time, a.model.timeBucketMinutes),
    priorClose: prior.close,
    sessionOpen: open,
    decisionPrice: price,
    features: {
      returnVsPriorClose,
      drawdownFromOpen: price / open - 1,
      distanceFromVwap: vol > 0 ? price / (pv / vol) - 1 : null,
      realizedVol: Math.sqrt(sumSq),
      rangePercentile,
      vixPriorClose,
    },
    extensionBucket: bucketIndex(returnVsPriorClose, a.model.extensionEdges),
    volRegime: volRegime(vixPriorClose, a.model.vixEdges),
    barsUsed: bars.length,
  };
  return { ok: true, state };
}
