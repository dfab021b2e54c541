import { describe, expect, it } from 'vitest';
import { etDateTime, formatDrawdown, formatUsd } from './format.ts';

describe('format', () => {
  it('shows instants in ET across DST, whatever the machine zone', () => {
    expect(etDateTime(Date.UTC(2026, 0, 19, 14, 35, 0))).toBe('2026-01-19 09:35:00'); // EST, UTC-5
    expect(etDateTime(Date.UTC(2026, 6, 1, 13, 35, 0), false)).toBe('2026-07-01 09:35'); // EDT, UTC-4
  });
  it('formats dollars to the cent', () => {
    expect(formatUsd(642.3)).toBe('$642.30');
    expect(formatUsd(-1234.5)).toBe('-$1,234.50');
    expect(formatUsd(null)).toBe('—');
  });
  it('shows a max drawdown as a loss, whichever sign it comes with', () => {
    expect(formatDrawdown(3698)).toBe('-$3,698.00');
    expect(formatDrawdown(-3698)).toBe('-$3,698.00');
    expect(formatDrawdown(0)).toBe('$0.00');
    expect(formatDrawdown(null)).toBe('—');
  });
});
