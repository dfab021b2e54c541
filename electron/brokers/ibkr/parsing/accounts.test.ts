import { describe, expect, it } from 'vitest';
import { ibAccountKind, ibAccountType } from './accounts.ts';

describe('what an IB account is, from the ids IB Gateway reports', () => {
  it('DU… (and DF…) are paper, U…/F…/I… live, anything else unknown', () => {
    expect(['DU1234567', 'DF998877', 'du42'].map(ibAccountKind)).toEqual(['paper', 'paper', 'paper']);
    expect(['U1234567', 'F55555', 'I777'].map(ibAccountKind)).toEqual(['live', 'live', 'live']);
    expect(['X123', '', 'DUX'].map(ibAccountKind)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('several accounts: live when any is live, paper only when all are; masked in what it says', () => {
    expect(ibAccountType(['DU1234567'])).toEqual({ kind: 'paper', account: '…4567', evidence: 'IB Gateway reports the account …4567 (DU… accounts are paper accounts)' });
    const mixed = ibAccountType(['DU1111111', 'U2222222'])!;
    expect(mixed.kind).toBe('live');
    expect(mixed.evidence).not.toMatch(/2222222|1111111/);
    expect(ibAccountType(['DU1111111', 'Z9'])!.kind).toBe('unknown');
    expect(ibAccountType([])).toBeNull();
  });
});
