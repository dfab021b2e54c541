import { describe, expect, it } from 'vitest';
import { expirations, isHoliday } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { createSimulator } from '../../market/sim/simulator.ts';
import { parseCreditVerticalsConfig, DEFAULT_CONFIG } from './config.ts';
import { pickExpirations } from './expirations.ts';
import { creditVerticals } from './strategy.ts';
import { entryInput, realChains } from '../../../tests/helpers/credit-verticals.ts';

const at = (date: string, time = '10:00'): number => etToEpoch(date, time);
const pick = (date: string, listed: readonly string[], tol = 1, targets = [3, 5, 7]) =>
  Object.fromEntries(pickExpirations(at(date), listed, targets, tol).map((p) => [p.targetDte, p.sharedWith === null ? p.expiration : `shared:${p.sharedWith}`]));

describe('DTE targets → expirations (seed 000: 3/5/7, closest within ±1 or skip)', () => {
  it('on the real 2018 EOD file picks the month-end expiration only where it is within 3/5/7 ±1', () => {
    const listed = ['2018-01-31', '2018-02-28'];
    expect(pick('2018-01-24', listed)).toEqual({ 3: null, 5: null, 7: '2018-01-31' }); // exactly 7 DTE
    expect(pick('2018-01-26', listed)).toEqual({ 3: null, 5: '2018-01-31', 7: null }); // exactly 5 DTE
    expect(pick('2018-01-29', listed)).toEqual({ 3: '2018-01-31', 5: null, 7: null }); // 2 DTE, within 3 ± 1
    expect(pick('2018-01-30', listed)).toEqual({ 3: null, 5: null, 7: null }); // 1 DTE: skip
    expect(pick('2018-01-29', listed, 0)).toEqual({ 3: null, 5: null, 7: null }); // no tolerance: skip
  });

  it('dedupes an expiration serving two targets and labels it with the nearer one (tie: config order)', () => {
    // 2018-01-25 → 2018-01-31 is 6 DTE: one day from both 5 and 7.
    expect(pick('2018-01-25', ['2018-01-31'])).toEqual({ 3: null, 5: '2018-01-31', 7: 'shared:5' });
    expect(pick('2018-01-25', ['2018-01-31'], 1, [7, 5, 3])).toEqual({ 7: '2018-01-31', 5: 'shared:7', 3: null });
    // With ±2, 2018-01-26 → 01-31 is 5 DTE: exact for 5, two off 3 and 7 → evaluated for 5 only.
    expect(pick('2018-01-26', ['2018-01-31'], 2)).toEqual({ 3: 'shared:5', 5: '2018-01-31', 7: 'shared:5' });
    expect(creditVerticals.chainsNeeded(at('2018-01-25'), DEFAULT_CONFIG, { SPXW: ['2018-01-31', '2018-02-28'] })).toEqual([{ root: 'SPXW', expiration: '2018-01-31' }]);
  });

  it("handles the Presidents' Day 2018 week (Mon/Wed/Fri SPXW, Monday closed)", () => {
    const listed = expirations('SPXW', '2018-02-12', '2018-03-15');
    expect(isHoliday('2018-02-19')).toBe(true);
    expect(listed).not.toContain('2018-02-19');
    // Fri 02-16: 3 DTE would be the holiday Monday; Sunday and Tuesday list nothing → skip.
    expect(pick('2018-02-16', listed)).toEqual({ 3: null, 5: '2018-02-21', 7: '2018-02-23' });
    // Wed 02-14: 5 DTE is the holiday → skip; 3 → Fri (2 DTE).
    expect(pick('2018-02-14', listed)).toEqual({ 3: '2018-02-16', 5: null, 7: '2018-02-21' });
    // Thu 02-15: 7 DTE is Thursday (none in 2018): Wed and Fri are both 1 away → the later one.
    expect(pick('2018-02-15', listed)).toEqual({ 3: null, 5: '2018-02-21', 7: '2018-02-23' });
  });

  it("handles Good Friday 2025 on the simulator's listed expirations", () => {
    const sim = createSimulator({ seed: 1, start: '2025-04-14', warmupDays: 0 });
    const listed = sim.expirations('SPXW');
    expect(listed).not.toContain('2025-04-18');
    expect(pick('2025-04-14', listed)).toEqual({ 3: '2025-04-17', 5: null, 7: '2025-04-21' });
    expect(pick('2025-04-15', listed)).toEqual({ 3: '2025-04-17', 5: '2025-04-21', 7: '2025-04-22' });
    expect(pick('2025-04-16', listed)).toEqual({ 3: null, 5: '2025-04-21', 7: '2025-04-23' });
    expect(creditVerticals.chainsNeeded(at('2025-04-15'), DEFAULT_CONFIG, { SPXW: listed })).toEqual([
      { root: 'SPXW', expiration: '2025-04-17' },
      { root: 'SPXW', expiration: '2025-04-21' },
      { root: 'SPXW', expiration: '2025-04-22' },
    ]);
  });

  it('counts DTE from the ET date, also late in the evening (after midnight UTC)', () => {
    // 23:30 ET on 2018-01-24 is 04:30 UTC on the 25th: still 7 DTE to 01-31.
    expect(pickExpirations(at('2018-01-24', '23:30'), ['2018-01-31'], [7], 0)[0]!.expiration).toBe('2018-01-31');
    expect(pickExpirations(at('2018-01-25', '00:30'), ['2018-01-31'], [7], 0)[0]!.expiration).toBeNull();
  });

  it('ignores past and malformed expirations', () => {
    expect(pick('2018-01-24', ['2018-01-23', 'not-a-date', '2018-01-27'])).toEqual({ 3: '2018-01-27', 5: null, 7: null });
  });
});

describe('evaluateEntry: expiration skips', () => {
  it('SKIPs no-expiration per target with the nearest listed dates', () => {
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24')));
    const three = d.find((x) => x.details.targetDte === 3)!;
    expect(three).toMatchObject({ kind: 'SKIP', gate: 'no-expiration', reason: 'No SPXW expiration within 3±1 DTE', chains: [] });
    expect(three.details).toEqual({ targetDte: 3, tolerance: 1, listedBefore: null, listedAfter: '2018-01-31' });
    expect(d.filter((x) => x.kind === 'ENTER')).toHaveLength(1);
  });

  it('SKIPs no-chain when an expiration is listed but its chain did not arrive', () => {
    const chains = realChains('2018-01-24');
    chains.delete('2018-01-31');
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', chains, { expirations: ['2018-01-31', '2018-02-28'] }));
    expect(d.map((x) => x.gate)).toEqual(['no-expiration', 'no-expiration', 'no-chain']);
    expect(d[2]).toMatchObject({ chains: [], details: { targetDte: 7, dte: 7 } });
  });

  it('evaluates a shared expiration once and says so for the other target', () => {
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-25', realChains('2018-01-25')));
    expect(d.map((x) => [x.details.targetDte, x.gate])).toEqual([[3, 'no-expiration'], [5, 'lower-score'], [5, 'best-score'], [7, 'same-expiration']]);
    expect(d[3]!.details).toEqual({ targetDte: 7, dte: 6, servedTarget: 5 });
  });

  it('with tolerance 0 there is nothing to trade on 2018-01-25 (6 DTE)', () => {
    const config = parseCreditVerticalsConfig({ dteTolerance: 0 });
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-25', realChains('2018-01-25'), { config }));
    expect(d.every((x) => x.kind === 'SKIP' && x.gate === 'no-expiration')).toBe(true);
    expect(d).toHaveLength(3);
  });
});
