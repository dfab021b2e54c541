/**
 * No lookahead in the 0DTE study (seed 001, T4/T4A): the state at a decision reads only bars that had
 * ended by then, the entry is anchored to the very next bar, the label is the session's own close and
 * fails closed when that bar is missing. Every price after the cut-off is poisoned (reading it throws),
 * so a feature that reads one bar too far fails here.
 */
import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../shared/time/et.ts';
import { parseAssumptions, StudyAnchorSchema } from '../../shared/study/zero-dte.ts';
import { clipHistoryAt } from '../../electron/research/port.ts';
import { datasetHistory } from '../../electron/research/zero-dte/dataset.ts';
import { decisionEvents } from '../../electron/research/zero-dte/decision.ts';
import { stateAt } from '../../electron/research/zero-dte/features.ts';
import { anchorOf } from '../../electron/research/zero-dte/labels.ts';
import { flatVix, hourlyDataset, hourlyRows, LookaheadError, poisonedAfter } from '../helpers/study.ts';
import { buildDataset } from '../../electron/research/zero-dte/dataset.ts';

const A = parseAssumptions({});
const HOUR = 3_600_000;
const ds = hourlyDataset('2020-09-01', '2021-03-31', { seed: 7 });
const history = datasetHistory(ds, { VIX: flatVix(ds, 22) });

describe('features see only what had ended by the decision', () => {
  const dates = ds.dates.slice(-40);

  it('the state at 11:00 (10:30 asked, hourly bars) reads nothing after 11:00 — every later price is poisoned', () => {
    for (const date of dates) {
      const [event] = decisionEvents(A, date, HOUR);
      expect(event!.time).toBe('11:00');
      const poisoned = poisonedAfter(history, event!.at);
      const r = stateAt(clipHistoryAt(poisoned, event!.at), event!, A);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      // Same state as from the clean history: the poison was never needed.
      expect(r.state).toEqual((stateAt(clipHistoryAt(history, event!.at), event!, A) as { state: unknown }).state);
      expect(r.state.barsUsed).toBe(2); // 09:30–10:00 and 10:00–11:00
      expect(r.state.decisionPrice).toBe(ds.bars.get(date)![1]!.close);
      expect(r.state.features.rangePercentile).not.toBeNull();
      expect(r.state.volRegime).toBe('vix20-30');
    }
  });

  it('the poison bites: without the cut, or cut one bar too late, the state reads a poisoned price and fails', () => {
    const [event] = decisionEvents(A, dates[5]!, HOUR);
    const poisoned = poisonedAfter(history, event!.at);
    expect(() => stateAt(poisoned, event!, A)).toThrow(LookaheadError);
    expect(() => stateAt(clipHistoryAt(poisoned, event!.at + HOUR), event!, A)).toThrow(LookaheadError);
  });

  it('changing everything after the decision changes no feature', () => {
    const date = dates[10]!;
    const [event] = decisionEvents(A, date, HOUR);
    const rows = hourlyRows('2020-09-01', '2021-03-31', { seed: 7 }).map((r) => (r.time >= event!.at ? { ...r, open: r.open * 3, high: r.high * 3, low: r.low * 0.2, close: r.close * 0.3 } : r));
    const changed = datasetHistory(buildDataset('SPY', rows, [], HOUR), { VIX: flatVix(ds, 22) });
    expect(stateAt(clipHistoryAt(changed, event!.at), event!, A)).toEqual(stateAt(clipHistoryAt(history, event!.at), event!, A));
  });

  it('fails with a reason when no bar has ended by the decision, or the prior close is missing', () => {
    const late = buildDataset('SPY', hourlyRows('2021-03-01', '2021-03-05', { drop: { '2021-03-03': [9, 10] } }), [], HOUR);
    const h = datasetHistory(late);
    const [e3] = decisionEvents(A, '2021-03-03', HOUR);
    expect(stateAt(clipHistoryAt(h, e3!.at), e3!, A)).toMatchObject({ ok: false, skipReason: 'no_bars_at_decision' });
    const [e1] = decisionEvents(A, '2021-03-01', HOUR);
    expect(stateAt(clipHistoryAt(h, e1!.at), e1!, A)).toMatchObject({ ok: false, skipReason: 'no_prior_close' });
  });
});

describe('anchors and labels (T4A)', () => {
  it('the entry is the next bar after the decision (its open); the label is the close of the bar ending at the close', () => {
    const date = ds.dates.at(-3)!;
    const bars = ds.bars.get(date)!;
    const at = etToEpoch(date, '11:00');
    const a = anchorOf(date, bars, at);
    expect(a.entryAnchorTs).toBe(etToEpoch(date, '11:00'));
    expect(a.entryPrice).toBe(bars[2]!.open); // the 11:00 bar, not the 12:00 one
    expect(a.closeLabelTs).toBe(etToEpoch(date, '16:00'));
    expect(a.closePrice).toBe(bars.at(-1)!.close);
    expect(a.skipReason).toBeNull();
    expect(StudyAnchorSchema.safeParse(a).success).toBe(true);
  });

  it('late-session and early-close decisions on the last bar close have no entry anchor: skipped, fail closed', () => {
    const full = anchorOf('2021-03-01', ds.bars.get('2021-03-01')!, etToEpoch('2021-03-01', '16:00'));
    expect(full).toMatchObject({ entryAnchorTs: null, skipReason: 'no_entry_anchor' });
    const early = hourlyDataset('2020-11-25', '2020-11-30');
    const friday = anchorOf('2020-11-27', early.bars.get('2020-11-27')!, etToEpoch('2020-11-27', '13:00'));
    expect(friday).toMatchObject({ entryAnchorTs: null, skipReason: 'no_entry_anchor', closeLabelTs: etToEpoch('2020-11-27', '13:00') });
    expect(anchorOf('2020-11-27', early.bars.get('2020-11-27')!, etToEpoch('2020-11-27', '13:30'))).toMatchObject({ skipReason: 'session_closed' });
    for (const a of [full, friday]) expect(StudyAnchorSchema.safeParse(a).success).toBe(true);
  });

  it('a missing final bar leaves the close unknown (missing_close_bar), never the last bar that exists', () => {
    const gap = buildDataset('SPY', hourlyRows('2021-03-01', '2021-03-05', { drop: { '2021-03-04': [15], '2021-03-03': [11] } }), [], HOUR);
    const a = anchorOf('2021-03-04', gap.bars.get('2021-03-04')!, etToEpoch('2021-03-04', '11:00'));
    expect(a).toMatchObject({ closePrice: null, closeLabelTs: null, skipReason: 'missing_close_bar' });
    // A missing next bar moves the anchor to the first bar after the decision, still never before it.
    const b = anchorOf('2021-03-03', gap.bars.get('2021-03-03')!, etToEpoch('2021-03-03', '11:00'));
    expect(b.entryAnchorTs).toBe(etToEpoch('2021-03-03', '12:00'));
  });
});
