import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../shared/time/et.ts';
import { inWindow, nextWindowStart, windowOn, windowSendAt } from './window.ts';

const W = { from: '10:00', to: '11:00' };

describe('execution window (seed 002 §4.4: next trading day 10:00–11:00 ET)', () => {
  it('a decision at 16:15 on a Friday goes out at 10:00 on Monday; on the Wednesday before Thanksgiving, on Friday (an early close, 10:00 still inside it)', () => {
    expect(windowSendAt(W, etToEpoch('2026-03-13', '16:15'))).toBe(etToEpoch('2026-03-16', '10:00'));
    expect(windowSendAt(W, etToEpoch('2025-11-26', '16:15'))).toBe(etToEpoch('2025-11-28', '10:00'));
  });

  it('inside the window it goes at once; at 11:00 the window is over (half-open)', () => {
    expect(windowSendAt(W, etToEpoch('2026-03-16', '10:00'))).toBeNull();
    expect(windowSendAt(W, etToEpoch('2026-03-16', '10:59'))).toBeNull();
    expect(inWindow(W, etToEpoch('2026-03-16', '11:00'))).toBe(false);
    expect(windowSendAt(W, etToEpoch('2026-03-16', '11:00'))).toBe(etToEpoch('2026-03-17', '10:00'));
    expect(windowSendAt(W, etToEpoch('2026-03-16', '09:31'))).toBe(etToEpoch('2026-03-16', '10:00'));
  });

  it('no window: always at once; a window past an early close does not exist that day', () => {
    expect(windowSendAt(undefined, etToEpoch('2026-03-14', '03:00'))).toBeNull();
    expect(windowOn({ from: '13:30', to: '14:00' }, '2025-11-28')).toBeNull();
    expect(nextWindowStart({ from: '13:30', to: '14:00' }, etToEpoch('2025-11-27', '12:00'))).toBe(etToEpoch('2025-12-01', '13:30'));
  });
});
