/**
 * Available funds from every broker (seed 004's /api/account `available_funds`): IB's AvailableFunds
 * account-summary tag, Tradier's balances (a cash account's `cash_available`; a margin or PDT account's
 * equity above its current requirement), the paper exchange's equity above its margin — never null
 * where the broker reports it. Against the sim and both wire-level fakes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESSES, type Harness } from './harness.ts';

for (const factory of HARNESSES.filter((f) => f.scripted)) {
  describe.skipIf(!factory.enabled)(`available funds — ${factory.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await factory.make();
      await h.broker.connect();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('the account summary carries available funds: a figure, at most the net liquidation', async () => {
      const a = await h.broker.account();
      expect(typeof a.availableFunds).toBe('number');
      expect(a.availableFunds!).toBeGreaterThan(0);
      expect(a.availableFunds!).toBeLessThanOrEqual(a.netLiquidation);
    });
  });
}
