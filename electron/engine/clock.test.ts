import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.ts';

describe('VirtualClock', () => {
  it('fires timers in time order, then creation order, as it advances', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(3_000, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(2_000, () => {
      fired.push(`a@${clock.now()}`);
      clock.setTimer(2_500, () => fired.push(`a2@${clock.now()}`));
    });
    clock.setTimer(3_000, () => fired.push(`c@${clock.now()}`));
    const cancelled = clock.setTimer(2_200, () => fired.push('never'));
    cancelled.cancel();
    clock.advanceTo(2_900);
    expect(fired).toEqual(['a@2000', 'a2@2500']);
    expect(clock.now()).toBe(2_900);
    clock.advanceTo(10_000);
    expect(fired).toEqual(['a@2000', 'a2@2500', 'b@3000', 'c@3000']);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('refuses to go back in time', () => {
    const clock = new VirtualClock(5);
    expect(() => clock.advanceTo(4)).toThrow(RangeError);
  });
});
