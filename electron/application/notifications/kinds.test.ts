import { describe, expect, it } from 'vitest';
import { notificationKind } from './kinds.ts';

describe('notificationKind', () => {
  it("maps the engine's and the application's titles, then the level; a kind given wins", () => {
    const kind = (level: 'info' | 'warn' | 'error', title: string, k?: 'assignment' | 'emergency_close') => notificationKind({ level, title, body: '', ...(k ? { kind: k } : {}) });
    expect(kind('info', 'Entry filled')).toBe('fill');
    expect(kind('info', 'Close filled')).toBe('fill');
    expect(kind('warn', 'Entry partly filled')).toBe('fill');
    expect(kind('info', 'Exit: stop-loss')).toBe('exit');
    expect(kind('info', 'Expired')).toBe('exit');
    expect(kind('warn', 'Emergency close')).toBe('emergency_close');
    expect(kind('warn', 'Close all')).toBe('emergency_close');
    expect(kind('warn', 'SPY call assigned')).toBe('assignment');
    expect(kind('error', 'Order rejected')).toBe('error');
    expect(kind('error', 'Reconciliation failed')).toBe('error');
    expect(kind('warn', 'Close waiting for quotes')).toBe('warning');
    expect(kind('info', 'Entry not filled')).toBe('info');
    expect(kind('error', 'Shares flattened', 'assignment')).toBe('assignment');
    expect(kind('info', 'Daily loss limit', 'emergency_close')).toBe('emergency_close');
  });
});
