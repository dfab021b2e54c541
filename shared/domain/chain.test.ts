import { describe, expect, it } from 'vitest';
import { chainKey, chainKeysOf, parseChainKey, type OptionQuote } from './chain.ts';

describe('chain keys', () => {
  it('an SPX and a SPY 0DTE chain of the same date are two keys', () => {
    expect(chainKey('SPXW', '2026-03-02')).toBe('SPXW:2026-03-02');
    expect(chainKey('SPY', '2026-03-02')).not.toBe(chainKey('SPXW', '2026-03-02'));
    expect(parseChainKey('SPY:2026-03-02')).toEqual({ root: 'SPY', expiration: '2026-03-02' });
  });

  it("a snapshot's keys are its contracts' roots and expirations (SPX AM and SPXW PM of a third Friday apart)", () => {
    const q = (root: OptionQuote['root'], expiration: string) => ({ root, expiration }) as OptionQuote;
    expect(chainKeysOf({ contracts: [q('SPXW', '2026-03-20'), q('SPX', '2026-03-20'), q('SPXW', '2026-03-20')] })).toEqual(['SPX:2026-03-20', 'SPXW:2026-03-20']);
  });
});
