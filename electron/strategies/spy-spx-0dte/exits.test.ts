/**
 * Every exit of seeds 003/004 and the American-style rules, each at its boundary: the last value that
 * holds and the first that closes. The position is the default entry (tests/helpers/spy-spx.ts): long
 * 1 SPX 6000C bought at 12.30, short 10 SPY 600C sold at 1.64 — the assignment trigger is SPY 610.
 */
import { describe, expect, it } from 'vitest';
import type { ManageDecision, PositionView, Proposal } from '../types.ts';
import { SpySpxConfigSchema } from './config.ts';
import { evaluateEntry } from './entry.ts';
import { manage, positionPnlCents } from './exits.ts';
import { EMPTY_DAY, entryAt, manageAt, positionOf } from '../../../tests/helpers/spy-spx.ts';

const proposal = evaluateEntry(entryAt({}))[0]!.proposal as Proposal;
const [SPX, SPY] = proposal.legs.map((l) => l.symbol) as [string, string];
const at = (spxMid: number, spyMid: number): PositionView => positionOf(proposal, { [SPX]: spxMid, [SPY]: spyMid });
const flat = at(12.3, 1.64);
const verdict = (d: ManageDecision): string => (d.kind === 'EXIT' ? d.gate : 'HOLD');

describe('exits, each at its boundary', () => {
  it('ASSIGNMENT_RISK: SPY above the short strike + $10', () => {
    expect(verdict(manage(manageAt(flat, { spy: 610 })))).toBe('HOLD');
    const d = manage(manageAt(flat, { spy: 610.01 }));
    expect(verdict(d)).toBe('ASSIGNMENT_RISK');
    expect(d.kind === 'EXIT' && d.urgency).toBe('marketable');
    expect(d.details).toMatchObject({ spyLast: 610.01, spyStrike: 600, assignmentTrigger: 610, distanceToTrigger: -0.01 });
    // HOLD keeps the distance to the trigger for the page.
    expect(manage(manageAt(flat, { spy: 603.5 })).details).toMatchObject({ distanceToTrigger: 6.5, spyItm: 3.5 });
  });

  it('LOSS_LIMIT: the position loses more than $500 at mid (each leg with its multiplier)', () => {
    const atLimit = at(12.3, 2.14); // 10 × (2.14 − 1.64) × 100 = $500 lost
    expect(positionPnlCents(atLimit)).toBe(-50_000);
    expect(verdict(manage(manageAt(atLimit, { spy: 600.5 })))).toBe('HOLD');
    const beyond = at(12.29, 2.14); // one more cent on the SPX call: $501
    expect(positionPnlCents(beyond)).toBe(-50_100);
    expect(verdict(manage(manageAt(beyond, { spy: 600.5 })))).toBe('LOSS_LIMIT');
  });

  it("DAILY_LOSS_LIMIT: today's realized + open loss beyond $1,000 closes every position of the system", () => {
    const day = (realized: number) => ({ ...EMPTY_DAY, realizedTodayCents: realized, unrealizedCents: -20_000 });
    expect(verdict(manage(manageAt(flat, { spy: 600, portfolio: day(-80_000) })))).toBe('HOLD');
    expect(verdict(manage(manageAt(flat, { spy: 600, portfolio: day(-80_001) })))).toBe('DAILY_LOSS_LIMIT');
    const off = SpySpxConfigSchema.parse({ riskManagement: { emergencyExitEnabled: false } });
    expect(verdict(manage(manageAt(flat, { spy: 600, portfolio: day(-80_001), config: off })))).toBe('HOLD');
  });

  it('PRE_EXPIRATION: from 15:45, a position whose SPY calls are in the money closes; out of the money it settles', () => {
    expect(verdict(manage(manageAt(flat, { spy: 600.01, time: '15:40' })))).toBe('HOLD');
    expect(verdict(manage(manageAt(flat, { spy: 600.01, time: '15:45' })))).toBe('PRE_EXPIRATION');
    expect(verdict(manage(manageAt(flat, { spy: 600.01, time: '15:55' })))).toBe('PRE_EXPIRATION');
    expect(verdict(manage(manageAt(flat, { spy: 600, time: '15:45' })))).toBe('HOLD');
    const all = SpySpxConfigSchema.parse({ trading: { preExpirationClose: 'all' } });
    expect(verdict(manage(manageAt(flat, { spy: 590, time: '15:45', config: all })))).toBe('PRE_EXPIRATION');
    expect(verdict(manage(manageAt(flat, { spy: 590, time: '15:40', config: all })))).toBe('HOLD');
  });

  it('EX_DIVIDEND: the session before a SPY ex-dividend date, short SPY calls in the money close (early-assignment risk)', () => {
    // 2026-03-20 is the third Friday of March (SPY ex-dividend); its eve is Thursday 2026-03-19.
    expect(verdict(manage(manageAt(flat, { spy: 600, date: '2026-03-19' })))).toBe('HOLD');
    expect(verdict(manage(manageAt(flat, { spy: 600.01, date: '2026-03-19' })))).toBe('EX_DIVIDEND');
    expect(verdict(manage(manageAt(flat, { spy: 600.01, date: '2026-03-18' })))).toBe('HOLD');
    const off = SpySpxConfigSchema.parse({ trading: { exDividendClose: false } });
    expect(verdict(manage(manageAt(flat, { spy: 600.01, date: '2026-03-19', config: off })))).toBe('HOLD');
  });

  it('the rules in order: the daily limit and assignment risk before the position loss', () => {
    const losing = at(12.0, 3.0);
    expect(verdict(manage(manageAt(losing, { spy: 611 })))).toBe('ASSIGNMENT_RISK');
    expect(verdict(manage(manageAt(losing, { spy: 611, portfolio: { ...EMPTY_DAY, realizedTodayCents: -200_000 } })))).toBe('DAILY_LOSS_LIMIT');
  });

  it('without a SPY price or a mark it holds (the rules it can read still apply)', () => {
    const noMark = positionOf(proposal, { [SPX]: 12.3 });
    expect(positionPnlCents(noMark)).toBeNull();
    expect(verdict(manage(manageAt(noMark, { spy: null })))).toBe('HOLD');
    expect(verdict(manage(manageAt(noMark, { spy: 610.01 })))).toBe('ASSIGNMENT_RISK');
  });
});
