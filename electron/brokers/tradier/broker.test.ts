import { describe, expect, it } from 'vitest';
import { tradierAccountType } from './broker.ts';

describe('what a Tradier account is, from its address and its number', () => {
  it("the host says it first: sandbox.tradier.com is paper, api.tradier.com production (live) — whatever the mode asked for", () => {
    expect(tradierAccountType('https://sandbox.tradier.com', 'VA12345678').kind).toBe('paper');
    expect(tradierAccountType('https://api.tradier.com', '6YA12345').kind).toBe('live');
    // THETADESK_TRADIER_BASE_URL=https://api.tradier.com in paper mode: a production account, never "sandbox (paper)".
    expect(tradierAccountType('https://api.tradier.com/', 'ABC123')).toMatchObject({ kind: 'live', evidence: expect.stringContaining("api.tradier.com is Tradier's production (live) address") });
  });

  it('another host (a proxy, a fake) leaves it to the account number; host and number disagreeing is unknown', () => {
    expect(tradierAccountType('http://127.0.0.1:8080', 'VA31415926').kind).toBe('paper');
    expect(tradierAccountType('http://127.0.0.1:8080', '6YA31415').kind).toBe('live');
    expect(tradierAccountType('http://127.0.0.1:8080', 'ACCT1').kind).toBe('unknown');
    expect(tradierAccountType('https://api.tradier.com', 'VA31415926').kind).toBe('unknown');
  });

  it('never says the whole account number', () => {
    expect(JSON.stringify(tradierAccountType('https://sandbox.tradier.com', 'VA31415926'))).not.toContain('VA31415926');
  });
});
