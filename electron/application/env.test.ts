/** Start-up validation of the environment: every variable's refusal names it, the value, and the allowed range. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../engine/clock.ts';
import { parseHeadlessOptions } from '../headless/options.ts';
import { brokerFromEnv } from './broker/setup.ts';
import { describeRange, envChoice, envDate, envNumber } from './env.ts';

const clock = new VirtualClock(Date.parse('2026-03-02T15:00:00Z'));
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};
const sim = (env: Record<string, string>) => refusal(() => brokerFromEnv('sim', env, clock));
const ib = (env: Record<string, string>) => refusal(() => brokerFromEnv('ibkr', env, clock));
const headless = (env: Record<string, string>) => refusal(() => parseHeadlessOptions([], env));

describe('each variable, refused with its name, its value and its range', () => {
  it('THETADESK_SIM_SPEED: greater than 0 (0 is refused without saying "from 0")', () => {
    for (const v of ['0', '-1', 'abc', '1e9', 'Infinity']) {
      const m = sim({ THETADESK_SIM_SPEED: v });
      expect(m).toBe(`THETADESK_SIM_SPEED must be a number greater than 0 and at most 1000000 (1 = real time, 600 = ten simulated minutes a second), got "${v}".`);
    }
    expect(brokerFromEnv('sim', { THETADESK_SIM_SPEED: '0.5', THETADESK_SIM_START: '2026-03-02' }, clock).simulation?.speed).toBe(0.5);
  });

  it('THETADESK_SIM_START: a calendar date in the range, named', () => {
    for (const v of ['2026-02-30', 'yesterday', '03/02/2026', '1900-01-02', '2100-01-04']) {
      const m = sim({ THETADESK_SIM_START: v });
      expect(m).toMatch(/^THETADESK_SIM_START must be a calendar date written YYYY-MM-DD from 1998-01-02 to 2099-12-31/);
      expect(m).toContain(`got "${v}".`);
    }
    expect(sim({ THETADESK_SIM_START: '2026-02-30' })).toContain('(that day does not exist)');
  });

  it('THETADESK_SIM_SEED: a whole number', () => {
    for (const v of ['abc', '1.5', '-3']) expect(sim({ THETADESK_SIM_SEED: v })).toBe(`THETADESK_SIM_SEED must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (the same seed replays the same market), got "${v}".`);
  });

  it('THETADESK_IB_PORT and THETADESK_IB_CLIENT_ID: whole numbers in range (not passed on as NaN)', () => {
    for (const v of ['abc', '0', '70000', '4002.5']) expect(ib({ THETADESK_IB_PORT: v })).toBe(`THETADESK_IB_PORT must be a whole number from 1 to 65535 (IB Gateway's API port: 4002 paper, 4001 live), got "${v}".`);
    for (const v of ['x', '-1']) expect(ib({ THETADESK_IB_CLIENT_ID: v })).toMatch(new RegExp(`^THETADESK_IB_CLIENT_ID must be a whole number from 0 to 2147483647 .*got "${v}"\\.$`));
    expect(ib({ THETADESK_IB_AUTO_RESTART: '25:00' })).toMatch(/^THETADESK_IB_AUTO_RESTART must be .* HH:MM .*got "25:00"\.$/);
  });

  it('THETADESK_PORT, THETADESK_BROKER and THETADESK_TOKEN (the token by its length, never its value)', () => {
    expect(headless({ THETADESK_PORT: '70000' })).toBe('THETADESK_PORT must be a whole number from 0 to 65535 (0 picks a free port), got "70000".');
    expect(headless({ THETADESK_BROKER: 'schwab' })).toBe('THETADESK_BROKER must be one of sim, ibkr, tradier, got "schwab".');
    const m = headless({ THETADESK_TOKEN: 'short-secret' });
    expect(m).toMatch(/^THETADESK_TOKEN must be at least 16 printable characters without spaces, got 12 characters/);
    expect(m).not.toContain('short-secret');
    // The command line's own wording stays.
    expect(refusal(() => parseHeadlessOptions(['--port', '70000'], {}))).toMatch(/^Port "70000" is not valid/);
  });
});

describe('the helpers', () => {
  it('an unset or empty variable takes the default; bounds read as they hold', () => {
    expect(envNumber({}, 'X', { min: 0, max: 1 }, 0.5)).toBe(0.5);
    expect(envNumber({ X: '  ' }, 'X', { min: 0, max: 1 })).toBeUndefined();
    expect(envNumber({ X: '1' }, 'X', { min: 0, max: 1 })).toBe(1);
    expect(describeRange({ min: 0, above: true, max: 10 })).toBe('a number greater than 0 and at most 10');
    expect(describeRange({ min: 1, max: 10, integer: true })).toBe('a whole number from 1 to 10');
    expect(envChoice({ B: 'ibkr' }, 'B', ['sim', 'ibkr'] as const)).toBe('ibkr');
    expect(envChoice({}, 'B', ['sim', 'ibkr'] as const)).toBeUndefined();
    expect(() => envChoice({ B: 'IBKR' }, 'B', ['sim', 'ibkr'] as const)).toThrow('B must be one of sim, ibkr, got "IBKR".');
    expect(envDate({}, 'D', { earliest: '2000-01-01', latest: '2000-12-31' }, '2000-06-01')).toBe('2000-06-01');
    expect(envDate({ D: '2000-12-31' }, 'D', { earliest: '2000-01-01', latest: '2000-12-31' }, '2000-06-01')).toBe('2000-12-31');
  });
});
