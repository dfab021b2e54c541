import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChainKey, type ChainKey, type ChainSnapshot } from '../../../shared/domain/chain.ts';
import { underlyingsOf } from '../../../shared/domain/instruments.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { addDays, nextTradingDay, isTradingDay } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { createSimulator } from '../../market/sim/simulator.ts';
import type { EntryDecision, PositionView } from '../types.ts';
import type { Candidate } from './candidates.ts';
import { DEFAULT_CONFIG, parseCreditVerticalsConfig } from './config.ts';
import { compareScored, scoreCandidate } from './score.ts';
import { creditVerticals, RULESET_VERSION } from './strategy.ts';
import { EMPTY_PORTFOLIO, editChain, entryInput, realChains } from '../../../tests/helpers/credit-verticals.ts';

const enter = (d: readonly EntryDecision[]): EntryDecision[] => d.filter((x) => x.kind === 'ENTER');

describe('credit-verticals strategy module', () => {
  it('declares the seed: id, version, entry times 10/11/12 ET, 5-minute snapshots, SPX/SPXW', () => {
    expect(creditVerticals.id).toBe('credit-verticals');
    expect(creditVerticals.rulesetVersion).toBe('000-mvp-1');
    expect(RULESET_VERSION).toBe('000-mvp-1');
    expect(creditVerticals.entrySchedule).toEqual({ id: 'credit-verticals.entry', kind: 'at', times: ['10:00', '11:00', '12:00'] });
    expect(creditVerticals.snapshotSchedule).toEqual({ id: 'credit-verticals.snapshots', kind: 'every', minutes: 5, from: '09:35', to: '16:00' });
    expect(creditVerticals.roots).toEqual(['SPXW']);
    expect(underlyingsOf(creditVerticals.roots)).toEqual(['SPX']);
    expect(creditVerticals.about).toMatchObject({ seed: '000', cadence: 'intraday', backtest: { slippageFraction: 0.3 } });
    expect(creditVerticals.about.exitReasons.filter((r) => r.stop).map((r) => r.code)).toEqual(['STOP_LOSS']);
  });
});

describe('evaluateEntry on the real 2018-01-24 chain', () => {
  it('ENTERs the better-scoring 0.20 candidate with an exact proposal in cents', () => {
    const config = parseCreditVerticalsConfig({ contracts: 3 });
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24'), { config, time: '11:00' }));
    expect(d.map((x) => [x.kind, x.gate, x.details.targetDte])).toEqual([['SKIP', 'no-expiration', 3], ['SKIP', 'no-expiration', 5], ['SKIP', 'lower-score', 7], ['ENTER', 'best-score', 7]]);
    const e = d[3]!;
    expect(e).toMatchObject({ chains: ['SPXW:2018-01-31'], score: 0.054873, details: { targetDte: 7, deltaTarget: 0.2 } });
    expect(e.proposal).toEqual({
      structure: 'put_credit_vertical',
      legs: [
        { symbol: 'SPXW180131P02800000', underlying: 'SPX', root: 'SPXW', expiration: '2018-01-31', strike: 2800, right: 'P', side: 'SELL', ratio: 1, multiplier: 100, bid: 4.5, ask: 4.8, mid: 4.65, delta: -0.1899, iv: 0.1183 },
        { symbol: 'SPXW180131P02775000', underlying: 'SPX', root: 'SPXW', expiration: '2018-01-31', strike: 2775, right: 'P', side: 'BUY', ratio: 1, multiplier: 100, bid: 2.2, ask: 2.4, mid: 2.3, delta: -0.0975, iv: 0.1329 },
      ],
      quantity: 3,
      midCents: 235,
      naturalCents: 210,
      floorCents: 210,
      maxProfitCents: 235 * 100 * 3,
      maxLossCents: (2500 - 235) * 100 * 3,
      score: 0.054873,
      notes: { targetDte: 7, dte: 7, deltaTarget: 0.2, expiration: '2018-01-31', shortStrike: 2800, longStrike: 2775, shortDelta: -0.1899, width: 25, side: 'put', slot: '11:00', rulesetVersion: '000-mvp-1' },
    });
    // The losing candidate carries the winner's score.
    expect(d[2]!.details).toMatchObject({ score: 0.00982, winnerScore: 0.054873, winner: { targetDte: 7, deltaTarget: 0.2, expiration: '2018-01-31' }, midCents: 113 });
    expect(d[2]!.proposal).toBeNull();
  });

  it('never lets execution accept less than the minimum credit: floor = max(natural, minCredit)', () => {
    const config = parseCreditVerticalsConfig({ minCredit: 2.2 });
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24'), { config }));
    const p = enter(d)[0]!.proposal!;
    expect([p.midCents, p.naturalCents, p.floorCents]).toEqual([235, 210, 220]);
    expect(d.find((x) => x.gate === 'min-credit')!.details).toMatchObject({ midCents: 113, minCreditCents: 220 });
  });

  it('the score is the documented formula of the numbers in details', () => {
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24')));
    for (const row of d.filter((x) => x.score !== null)) {
      const det = row.details as { midCents: number; comboSpreadCents: number; shortAbsDelta: number; score: number };
      const expected = (det.midCents / 2500) * (1 - det.shortAbsDelta) - 0.1 * (det.comboSpreadCents / det.midCents);
      expect(Math.abs(det.score - expected)).toBeLessThan(1e-6);
      expect(row.score).toBe(det.score);
    }
    // 0.20: 2.35 / 25 × (1 − 0.1899) − 0.1 × 0.50 / 2.35 = 0.054873
    expect(enter(d)[0]!.score).toBe(0.054873);
  });

  it('picks the 0.10 candidate when the 0.20 one is the worse trade (wide quotes)', () => {
    let chain = realChains('2018-01-24').get('2018-01-31')!;
    const patch = (strike: number, bid: number, ask: number) => { chain = editChain(chain, (q) => q.right === 'P' && q.strike === strike, (q) => ({ ...q, bid, ask })); };
    patch(2800, 4.1, 5.2); // the 0.20 short: 1.10 wide (23.7% of mid, still a usable quote)
    patch(2775, 2.25, 2.35); // 0.10 short and 0.20 long: tight
    patch(2750, 1.15, 1.2); // 0.10 long: tight
    const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', new Map([['2018-01-31', chain]])));
    const e = enter(d);
    expect(e).toHaveLength(1);
    expect(e[0]!.proposal!.notes).toMatchObject({ deltaTarget: 0.1, shortStrike: 2775, longStrike: 2750 });
    const loser = d.find((x) => x.gate === 'lower-score')!;
    expect(loser.details).toMatchObject({ deltaTarget: 0.2 });
    expect(loser.score!).toBeLessThan(e[0]!.score!);
  });

  it('skips everything while a trade is open or an entry is being worked', () => {
    const position = { tradeId: 1 } as PositionView;
    for (const portfolio of [{ ...EMPTY_PORTFOLIO, positions: [position] }, { ...EMPTY_PORTFOLIO, pendingEntries: 1 }]) {
      const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24'), { portfolio }));
      expect(d).toEqual([{
        kind: 'SKIP', gate: 'trade-open', reason: 'An active trade is open: no new trade at this entry time',
        details: { openPositions: portfolio.positions.length, pendingEntries: portfolio.pendingEntries },
        chains: [], proposal: null, score: null,
      }]);
    }
  });

  it('reads the listed expirations and chains of its own root only (a SPY chain of the same date is another key)', () => {
    const input = entryInput('2018-01-24', realChains('2018-01-24'));
    const spxw = input.expirations.SPXW!;
    // The same dates listed and quoted for SPY only: nothing for SPXW.
    const spyOnly = { ...input, expirations: { SPY: spxw }, chains: new Map([...input.chains].map(([k, c]) => [k.replace('SPXW:', 'SPY:') as ChainKey, c])) };
    expect(creditVerticals.evaluateEntry(spyOnly).map((x) => x.gate)).toEqual(['no-expiration', 'no-expiration', 'no-expiration']);
    // Listed for SPXW, but the chains under SPY keys: listed, yet no SPXW chain.
    expect(creditVerticals.evaluateEntry({ ...spyOnly, expirations: { SPXW: spxw } }).map((x) => x.gate)).toContain('no-chain');
    expect(enter(creditVerticals.evaluateEntry(input))[0]!.proposal!.midCents).toBe(235);
  });
});

describe('tie-break', () => {
  /** The real 01-31 chain relabelled as another expiration (same quotes and deltas → same scores). */
  function relabel(chain: ChainSnapshot, expiration: string): ChainSnapshot {
    return editChain(chain, () => true, (q) => ({ ...q, expiration, symbol: occSymbol(q.root, expiration, q.right, q.strike) }));
  }

  it('equal scores → the earlier expiration, whatever the config or map order', () => {
    const real = realChains('2018-01-24').get('2018-01-31')!;
    const a = relabel(real, '2018-01-29'); // 5 DTE
    const b = real; // 7 DTE
    for (const targetDtes of [[5, 7], [7, 5]]) {
      for (const chains of [new Map([['2018-01-29', a], ['2018-01-31', b]]), new Map([['2018-01-31', b], ['2018-01-29', a]])]) {
        const config = parseCreditVerticalsConfig({ targetDtes, dteTolerance: 0 });
        const d = creditVerticals.evaluateEntry(entryInput('2018-01-24', chains, { config }));
        const e = enter(d);
        expect(e).toHaveLength(1);
        expect(e[0]!.chains).toEqual(['SPXW:2018-01-29']);
        expect(e[0]!.proposal!.legs[0]!.symbol).toBe('SPXW180129P02800000');
        const tied = d.find((x) => x.gate === 'lower-score' && x.chains[0] === 'SPXW:2018-01-31' && (x.details as { deltaTarget: number }).deltaTarget === 0.2)!;
        expect(tied.score).toBe(e[0]!.score);
      }
    }
  });

  it('equal scores → the smaller delta target, then the earlier expiration, then the symbol', () => {
    const chain = realChains('2018-01-24').get('2018-01-31')!;
    const base = (deltaTarget: number, expiration: string, symbol: string) => ({
      candidate: { deltaTarget, expiration, short: { ...chain.contracts[0]!, symbol } } as unknown as Candidate,
      parts: { score: 0.05, creditToWidth: 0, shortAbsDelta: 0, spreadToCredit: 0 },
    });
    const xs = [base(0.2, '2018-01-29', 'A'), base(0.1, '2018-01-31', 'B'), base(0.1, '2018-01-29', 'D'), base(0.1, '2018-01-29', 'C')];
    const order = (list: typeof xs) => [...list].sort(compareScored).map((x) => `${x.candidate.deltaTarget}/${x.candidate.expiration}/${x.candidate.short.symbol}`);
    const want = ['0.1/2018-01-29/C', '0.1/2018-01-29/D', '0.1/2018-01-31/B', '0.2/2018-01-29/A'];
    expect(order(xs)).toEqual(want);
    expect(order([...xs].reverse())).toEqual(want);
    // A higher score beats every tie-break.
    const better = { ...base(0.2, '2018-01-31', 'Z'), parts: { score: 0.050001, creditToWidth: 0, shortAbsDelta: 0, spreadToCredit: 0 } };
    expect(order([...xs, better])[0]).toBe('0.2/2018-01-31/Z');
  });

  it('rounds scores to 6 decimals so float noise ties', () => {
    const chain = realChains('2018-01-24').get('2018-01-31')!;
    const short = chain.contracts.find((q) => q.strike === 2800 && q.right === 'P')!;
    const c = { midCents: 235, comboSpreadCents: 50, short } as unknown as Candidate;
    expect(scoreCandidate(c, DEFAULT_CONFIG)).toEqual({ score: 0.054873, creditToWidth: 0.094, shortAbsDelta: 0.1899, spreadToCredit: 0.212766 });
    const noPenalty = parseCreditVerticalsConfig({ scoring: { spreadPenalty: 0 } });
    expect(scoreCandidate(c, noPenalty).score).toBe(0.076149); // 0.094 × 0.8101
  });
});

describe('on simulator chains', () => {
  /** A trading day from an offset, a simulator advanced to `time` ET, and the chains the strategy asks for. */
  function simEntry(seed: number, dayOffset: number, time: string) {
    let date = addDays('2024-01-02', dayOffset);
    if (!isTradingDay(date)) date = nextTradingDay(date);
    const sim = createSimulator({ seed, start: date, warmupDays: 0 });
    const now = etToEpoch(date, time);
    sim.advanceTo(now);
    const listed = sim.expirations('SPXW');
    return { sim, date, now, listed };
  }

  it('puts and calls: legs on the right side of the market and width apart', () => {
    const { sim, date, now, listed } = simEntry(7, 40, '10:00');
    for (const side of ['put', 'call'] as const) {
      const config = parseCreditVerticalsConfig({ side });
      const needs = creditVerticals.chainsNeeded(now, config, { SPXW: listed });
      expect(needs.length).toBeGreaterThan(0);
      const chains = new Map(needs.map((n) => [n.expiration, sim.chain('SPXW', n.expiration)]));
      const e = enter(creditVerticals.evaluateEntry(entryInput(date, chains, { config, expirations: listed })));
      expect(e).toHaveLength(1);
      const p = e[0]!.proposal!;
      const [s, l] = p.legs;
      const spot = chains.get(parseChainKey(e[0]!.chains[0]!).expiration)!.underlyingPrice;
      expect(p.structure).toBe(`${side}_credit_vertical`);
      if (side === 'put') expect([s!.strike < spot, l!.strike]).toEqual([true, s!.strike - 25]);
      else expect([s!.strike > spot, l!.strike]).toEqual([true, s!.strike + 25]);
    }
  });

  it('property: at most one ENTER, the best score, integer cents, consistent bounds, deterministic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 800 }),
        fc.constantFrom('10:00', '11:00', '12:00', '14:35'),
        fc.record({ side: fc.constantFrom('put' as const, 'call' as const), width: fc.constantFrom(5, 10, 25, 50), contracts: fc.integer({ min: 1, max: 5 }), minCredit: fc.constantFrom(0.05, 0.3, 2, 6) }),
        fc.option(fc.integer({ min: 2, max: 9 }), { nil: null }),
        (seed, dayOffset, time, overrides, zeroBidEvery) => {
          const { sim, date, now, listed } = simEntry(seed, dayOffset, time);
          const config = parseCreditVerticalsConfig(overrides);
          const needs = creditVerticals.chainsNeeded(now, config, { SPXW: listed });
          const chains = new Map<string, ChainSnapshot>();
          for (const n of needs) {
            let chain = sim.chain('SPXW', n.expiration);
            // Knock out some bids so the gates fire too.
            if (zeroBidEvery !== null) chain = { ...chain, contracts: chain.contracts.map((q, i) => (i % zeroBidEvery === 0 ? { ...q, bid: 0 } : q)) };
            chains.set(n.expiration, chain);
          }
          const input = entryInput(date, chains, { config, time, expirations: listed });
          const d = creditVerticals.evaluateEntry(input);

          const entries = enter(d);
          const scored = d.filter((x) => x.score !== null);
          expect(entries.length).toBe(scored.length > 0 ? 1 : 0);
          expect(d.length).toBeGreaterThanOrEqual(config.targetDtes.length);
          for (const row of d) {
            expect(row.gate.length).toBeGreaterThan(0);
            expect(row.reason.length).toBeGreaterThan(0);
            expect(row.proposal !== null).toBe(row.kind === 'ENTER');
          }
          if (entries.length === 1) {
            const e = entries[0]!;
            for (const s of scored) expect(e.score!).toBeGreaterThanOrEqual(s.score!);
            const p = e.proposal!;
            for (const v of [p.midCents, p.naturalCents, p.floorCents, p.maxProfitCents, p.maxLossCents]) expect(Number.isInteger(v)).toBe(true);
            expect(p.naturalCents).toBeLessThanOrEqual(p.midCents);
            expect(p.floorCents).toBeLessThanOrEqual(p.midCents);
            expect(p.floorCents).toBeGreaterThanOrEqual(Math.max(p.naturalCents, Math.round(config.minCredit * 100)));
            expect(p.midCents).toBeGreaterThanOrEqual(Math.round(config.minCredit * 100));
            expect(p.maxProfitCents + p.maxLossCents).toBe(config.width * 100 * 100 * config.contracts);
            expect(p.maxLossCents).toBeGreaterThan(0);
            expect(p.quantity).toBe(config.contracts);
            const [s, l] = p.legs;
            expect([s!.side, l!.side]).toEqual(['SELL', 'BUY']);
            expect(Math.abs(s!.strike - l!.strike)).toBe(config.width);
            const chain = chains.get(parseChainKey(e.chains[0]!).expiration)!;
            expect(chain.contracts.some((q) => q.symbol === s!.symbol)).toBe(true);
            expect(chain.contracts.some((q) => q.symbol === l!.symbol)).toBe(true);
          }
          // Same input → same decisions; the order of the chains map does not matter.
          expect(creditVerticals.evaluateEntry(input)).toEqual(d);
          const reversed = new Map([...input.chains].reverse());
          expect(creditVerticals.evaluateEntry({ ...input, chains: reversed })).toEqual(d);
        },
      ),
      { numRuns: 30 },
    );
  });
});
