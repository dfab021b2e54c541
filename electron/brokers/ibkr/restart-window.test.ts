import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { DEFAULT_RESTART, restartWindowAt } from './restart-window.ts';

const at = (date: string, time: string): number => etToEpoch(date, time);

describe('IB Gateway restart window', () => {
  it('daily: from 2 minutes before the restart time to 5 after, in ET, across midnight and DST', () => {
    // Tuesday 2025-03-18 (EDT).
    expect(restartWindowAt(at('2025-03-18', '23:42'), DEFAULT_RESTART)).toBeNull();
    const w = restartWindowAt(at('2025-03-18', '23:43'), DEFAULT_RESTART);
    expect(w).toMatchObject({ kind: 'daily-restart', start: at('2025-03-18', '23:43'), end: at('2025-03-18', '23:50') });
    expect(w?.message).toBe('broker restarting (daily IB Gateway restart, back at ~23:50 ET)');
    expect(restartWindowAt(at('2025-03-18', '23:49'), DEFAULT_RESTART)?.kind).toBe('daily-restart');
    expect(restartWindowAt(at('2025-03-18', '23:50'), DEFAULT_RESTART)).toBeNull();
    // A restart just after midnight is found from the evening before.
    const late = { dailyAt: '00:03', beforeMinutes: 5, afterMinutes: 5 };
    expect(restartWindowAt(at('2025-03-18', '23:59'), late)).toMatchObject({ start: at('2025-03-18', '23:58'), end: at('2025-03-19', '00:08') });
    // Winter (EST) gives the same wall-clock window.
    expect(restartWindowAt(at('2025-01-14', '23:45'), DEFAULT_RESTART)).toMatchObject({ start: at('2025-01-14', '23:43') });
  });

  it('weekly: the first restart after IB’s Sunday 01:00 ET reset waits for a login', () => {
    // 2025-03-16 is a Sunday: its 23:45 restart is the first after the 01:00 reset.
    const sunday = restartWindowAt(at('2025-03-16', '23:46'), DEFAULT_RESTART);
    expect(sunday?.kind).toBe('weekly-login');
    expect(sunday?.message).toMatch(/log in to IB Gateway/);
    expect(restartWindowAt(at('2025-03-15', '23:46'), DEFAULT_RESTART)?.kind).toBe('daily-restart'); // Saturday
    expect(restartWindowAt(at('2025-03-17', '23:46'), DEFAULT_RESTART)?.kind).toBe('daily-restart'); // Monday
    // Restarting at 00:30, Sunday's restart comes before the reset: Monday's is the weekly one.
    const early = { dailyAt: '00:30', beforeMinutes: 2, afterMinutes: 5 };
    expect(restartWindowAt(at('2025-03-16', '00:31'), early)?.kind).toBe('daily-restart');
    expect(restartWindowAt(at('2025-03-17', '00:31'), early)?.kind).toBe('weekly-login');
  });
});
