/**
 * T4A, labels and anchors (anti-lookahead): for a decision at `decision_ts` (a bar's close),
 * - the entry is anchored to the **next tradable bar**: the first bar starting at or after the
 *   decision; its open is the entry reference. None (the decision was on the session's last bar, or
 *   the next bar is missing from the data) → `skip_reason = no_entry_anchor`: no entry, fail closed;
 * - the label is the session's close: the close of the bar that ends at the session's close (16:00 ET,
 *   13:00 on an early close). When that bar is missing the close is unknown → `missing_close_bar`, never
 *   the last bar that happens to exist.
 * These read the session's later bars by design: they are what happened after the decision (outcomes),
 * and feed no feature and no fit of the same session.
 */
import type { SessionBar } from '../../../shared/domain/bars.ts';
import { session } from '../../../shared/market/calendar.ts';
import type { StudyAnchor } from '../../../shared/study/zero-dte.ts';

/**
 * The anchor of a decision at `decisionTs` on `date`, from the session's bars (all of them, oldest
 * first). The entry anchor must be the bar right after the decision: a bar starting exactly at the
 * decision, or the first one after it when bars are missing — never one already in progress.
 */
export function anchorOf(date: string, bars: readonly SessionBar[], decisionTs: number): StudyAnchor {
  const s = session(date);
  if (s === null || decisionTs > s.close) {
    return { sessionDate: date, decisionTs, entryAnchorTs: null, entryPrice: null, closeLabelTs: null, closePrice: null, skipReason: s === null ? 'missing_session' : 'session_closed' };
  }
  let next: SessionBar | null = null;
  for (const b of bars) {
    if (b.start >= decisionTs) {
      next = b;
      break;
    }
  }
  const last = bars[bars.length - 1];
  const closeBar = last && last.end === s.close ? last : null;
  if (next === null) {
    return { sessionDate: date, decisionTs, entryAnchorTs: null, entryPrice: null, closeLabelTs: closeBar ? s.close : null, closePrice: closeBar?.close ?? null, skipReason: 'no_entry_anchor' };
  }
  return {
    sessionDate: date,
    decisionTs,
    entryAnchorTs: next.start,
    entryPrice: next.open,
    closeLabelTs: closeBar ? s.close : null,
    closePrice: closeBar?.close ?? null,
    skipReason: closeBar ? null : 'missing_close_bar',
  };
}
