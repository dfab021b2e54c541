/**
 * An assigned short SPY call (electron/engine/execution/assignments.ts), on the sim broker's paper
 * exchange: the SPY/SPX position is open, the exchange settles the 0DTE SPY calls in the money (it
 * assigns them: −1,000 SPY shares), and the next reconciliation records the assignment on the trade,
 * alerts, and flattens exactly the shares the assigned calls account for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposal, ProposedLeg } from '../../../electron/strategies/types.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { MARKET_TIME, simHarness, type Harness } from './helpers.ts';

const TODAY = '2025-03-18';
let h: Harness;
afterEach(async () => {
  await h?.close();
});

function atmCall(root: OptionRoot): ProposedLeg {
  const chain = h.market.chain(root, TODAY);
  const spot = chain.underlyingPrice!;
  const q = chain.contracts.filter((c) => c.right === 'C' && c.bid !== null && c.ask !== null).sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))[0]!;
  const spy = root === 'SPY';
  return { symbol: q.symbol, underlying: spy ? 'SPY' : 'SPX', root, expiration: TODAY, strike: q.strike, right: 'C', side: spy ? 'SELL' : 'BUY', ratio: spy ? 10 : 1, multiplier: 100, bid: q.bid!, ask: q.ask!, mid: (q.bid! + q.ask!) / 2, delta: q.delta, iv: q.iv };
}

describe('an assigned short SPY call', () => {
  it('is recorded on its trade, alerted, and its shares flattened — and only those shares', async () => {
    h = await simHarness();
    const spx = atmCall('SPXW');
    const spy = atmCall('SPY');
    const c = (d: number): number => Math.round(d * 100);
    const natural = 10 * c(spy.bid) - c(spx.ask);
    const proposal: Proposal = { structure: 'spx_spy_call_ratio', legs: [spx, spy], quantity: 1, midCents: natural, naturalCents: natural, floorCents: natural - 500, maxProfitCents: 0, maxLossCents: 50_000, score: null, notes: {} };
    const trade = h.store.trades.create({ strategyId: 'spy-spx-0dte', broker: 'sim', structure: proposal.structure, quantity: 1, at: h.clock.t, legs: proposal.legs.map((l) => ({ root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, quantity: l.ratio, symbol: l.symbol })) });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { stepTicks: 100, stepEverySeconds: 5, maxSteps: 1, timeoutSeconds: 600 }, now: h.clock.t });
    for (let i = 0; i < 10 && h.store.trades.get(trade.tradeId)!.status !== 'OPEN'; i++) {
      h.clock.t += 5_000;
      await h.om.onTick(h.clock.t, new Map());
      h.broker.exchange.match();
    }
    expect(h.store.trades.get(trade.tradeId)!.legs.map((l) => l.openedQty)).toEqual([1, 10]);
    expect(await h.om.reconcile(h.clock.t)).toEqual([]); // nothing assigned yet

    // The close: SPY $3 above the short strike; the exchange assigns the 10 calls (−1,000 shares).
    h.broker.exchange.settle(TODAY, { SPY: spy.strike + 3, SPX_PM: spx.strike + 30 });
    const shares = () => h.broker.exchange.positionList().filter((p) => p.contract.kind === 'stock').reduce((a, p) => a + p.quantity, 0);
    expect(shares()).toBe(-1000);
    h.clock.t = MARKET_TIME + 60_000;
    const lines = await h.om.reconcile(h.clock.t);
    expect(lines.join('\n')).toMatch(/10 short SPY\S* call\(s\) assigned — the broker holds -1000 SPY shares; buying 1000 back/);
    expect(h.notices.filter((n) => n.level === 'error').map((n) => n.title)).toContain('Assignment: SPY shares being flattened');
    // Said to be an assignment, so delivery routes it with the assignments whatever its title.
    expect(h.notices.filter((n) => n.title === 'Assignment: SPY shares being flattened').map((n) => [n.level, n.kind])).toEqual([['error', 'assignment']]);
    const events = h.store.events.list({ limit: 1000 }).filter((e) => e.type === 'execution.assignment');
    expect(events.map((e) => [e.tradeId, e.payload])).toEqual([[trade.tradeId, { symbol: spy.symbol, contracts: 10, shares: -1000, brokerShares: -1000 }]]);
    h.broker.exchange.match();
    expect(shares()).toBe(0);
    // Asked again (the trade waits for the engine's settlement), nothing more is bought.
    expect((await h.om.reconcile(h.clock.t)).join('\n')).not.toMatch(/assigned/);
    h.broker.exchange.match();
    expect(shares()).toBe(0);
  });
});
