/**
 * Strategy decision latency (issue 6, goal: ≤ 5 ms from chains to proposal for the strategy part; the
 * engine side is measured separately). Seed 000's credit verticals evaluate an entry slot over the
 * simulator's full SPXW chains for the 3/5/7 DTE targets (3 expirations, ~840 contracts each): pick
 * expirations, select legs by delta and width, run the sanity gates, score, and build the proposal.
 * Also: managing one open position (marks → hold/exit).
 */
import type { Figure, Suite } from './harness.ts';
import { medianMs, timeIt } from './harness.ts';
import { etToEpoch } from '../shared/time/et.ts';
import { createSimulator } from '../electron/market/sim/simulator.ts';
import { DEFAULT_CONFIG } from '../electron/strategies/credit-verticals/config.ts';
import { creditVerticals } from '../electron/strategies/credit-verticals/strategy.ts';
import type { EntryInput, PositionView } from '../electron/strategies/types.ts';
import { chainKey, type ChainKey, type ChainSnapshot } from '../shared/domain/chain.ts';
import type { CreditVerticalsConfig } from '../electron/strategies/credit-verticals/config.ts';

function entryAt(date: string, time: string): EntryInput<CreditVerticalsConfig> {
  const sim = createSimulator({ seed: 42, start: date, warmupDays: 0 });
  const now = etToEpoch(date, time);
  sim.advanceTo(now);
  const listed = sim.expirations('SPXW');
  const needs = creditVerticals.chainsNeeded(now, DEFAULT_CONFIG, { SPXW: listed });
  const chains = new Map<ChainKey, ChainSnapshot>(needs.map((n) => [chainKey(n.root, n.expiration), sim.chain(n.root, n.expiration)]));
  return {
    now, slot: time, config: DEFAULT_CONFIG, chains, expirations: { SPXW: listed },
    context: { spx: null, spy: null, vix: null, vix9d: null, vix3m: null, termStructure: null, gexNet: null, zeroGammaLevel: null },
    market: { at: now, underlyings: {}, series: {} },
    portfolio: { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false },
    account: { equityCents: 10_000_000, peakEquityCents: 10_000_000, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 },
  };
}

export const benches: Suite[] = [
  {
    name: 'strategy',
    async run(): Promise<Figure[]> {
      // Wednesday 2025-03-05 10:00 ET: 3 → Fri 03-07, 5 → Mon 03-10, 7 → Wed 03-12 (three distinct chains).
      const input = entryAt('2025-03-05', '10:00');
      const contracts = [...input.chains.values()].reduce((n, c) => n + c.contracts.length, 0);
      const decisions = creditVerticals.evaluateEntry(input);
      const entered = decisions.find((d) => d.kind === 'ENTER');
      if (!entered) throw new Error(`no ENTER in the bench scenario: ${decisions.map((d) => d.gate).join(', ')}`);

      const mean = timeIt(() => creditVerticals.evaluateEntry(input), { minMs: 500, warmup: 20 });
      const median = await medianMs(() => creditVerticals.evaluateEntry(input), 201, 20);

      const p = entered.proposal!;
      const position: PositionView = {
        tradeId: 1, structure: p.structure, openedAt: input.now, quantity: p.quantity, entryCreditCents: p.midCents, maxProfitCents: p.maxProfitCents, maxLossCents: p.maxLossCents, notes: p.notes,
        legs: p.legs.map((l) => ({ symbol: l.symbol, underlying: l.underlying, root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, openQuantity: p.quantity, multiplier: l.multiplier, entryPriceCents: Math.round(l.mid * 100), mark: { bid: l.bid, ask: l.ask, mid: l.mid, delta: l.delta, iv: l.iv, time: input.now } })),
      };
      const close = etToEpoch('2025-03-05', '16:00');
      const manageUs = timeIt(() => creditVerticals.manage({ now: input.now, config: DEFAULT_CONFIG, position, portfolio: input.portfolio, sessionClose: close, market: input.market }), { minMs: 300, warmup: 100 }) * 1000;

      const note = `${input.chains.size} SPXW chains, ${contracts} contracts, ${decisions.length} decisions`;
      return [
        { name: 'decision latency (strategy: chains → proposal)', subject: 'thetadesk', value: mean, unit: 'ms', goal: '≤ 5 ms', met: mean <= 5, note: `mean; ${note}` },
        { name: 'decision latency (strategy: chains → proposal)', subject: 'thetadesk (median)', value: median, unit: 'ms', goal: '≤ 5 ms', met: median <= 5, note: 'median of 201 single calls' },
        { name: 'manage one position (marks → hold/exit)', subject: 'thetadesk', value: manageUs, unit: 'µs' },
      ];
    },
  },
];
