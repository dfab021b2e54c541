import { describe, expect, it } from 'vitest';
import { shownUnit } from './units.ts';

describe('shownUnit', () => {
  it('cents are shown and typed as dollars with 2 decimals, and stored back as exact cents', () => {
    const u = shownUnit('cents')!;
    expect(u.label).toBe('$');
    expect(u.text(50_000)).toBe('500.00');
    expect(u.text(51_234)).toBe('512.34');
    expect(u.describe(50_000)).toBe('$500.00');
    // Typed dollars whose binary value is just under the cent still store the cent they say.
    expect(u.toStored(512.34)).toBe(51_234);
    expect(u.toStored(0.29)).toBe(29);
    expect(u.toStored(1.005)).toBe(101);
    expect(u.toStored(u.toShown(123_456_789))).toBe(123_456_789);
  });

  it('milliseconds are shown and typed as seconds, and stored back as whole milliseconds', () => {
    const u = shownUnit('ms')!;
    expect(u.label).toBe('seconds');
    expect(u.text(300_000)).toBe('300');
    expect(u.text(250)).toBe('0.25');
    expect(u.describe(300_000)).toBe('300 seconds');
    expect(u.describe(1_000)).toBe('1 second');
    expect(u.toStored(90)).toBe(90_000);
    expect(u.toStored(0.0015)).toBe(2);
    expect(u.toStored(4.1)).toBe(4_100);
    for (const ms of [1, 999, 60_000, 86_400_000]) expect(u.toStored(u.toShown(ms))).toBe(ms);
  });

  it('other units are shown as stored', () => {
    for (const unit of ['$ per share', 'fraction', 'seconds', 'minutes', undefined, null, 'toString', 'constructor']) expect(shownUnit(unit)).toBeNull();
  });
});
