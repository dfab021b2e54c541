import { describe, expect, it } from 'vitest';
import type { PortfolioView } from '../types.ts';
import { breakerStatus, breakerText } from './log.ts';

const EMPTY: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false, closed: [], lastEntryAt: {}, pendingMaxLossCents: 0, circuit: null };

describe('the circuit breaker in words', () => {
  it('for the page: "entries allowed" or "entries halted through …" — never "armed OFF"; the §9.5 dashboard keeps the seed\'s ON/OFF', () => {
    expect(breakerStatus(EMPTY, '2024-09-16', 3)).toBe('entries allowed (no closed trades; it trips after 3 consecutive max losses)');
    const tripped: PortfolioView = { ...EMPTY, circuit: { pausedThrough: '2024-09-20', streak: 3, trippedBy: [4, 5, 6] } as PortfolioView['circuit'] };
    expect(breakerStatus(tripped, '2024-09-16', 3)).toBe('entries halted through 2024-09-20 (tripped by trades 4, 5, 6)');
    expect(breakerStatus(tripped, '2024-09-23', 3)).toMatch(/^entries allowed/);
    expect(breakerText(EMPTY, '2024-09-16')).toBe('OFF (no closed trades)');
  });
});
