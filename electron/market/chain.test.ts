import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChainSnapshot, OptionQuote } from '../../shared/domain/chain.ts';
import { occSymbol } from '../../shared/domain/occ.ts';
import { canonicalNumber, chainChecksum, compareContracts, normalizeChain } from './chain.ts';
import { etToEpoch } from '../../shared/time/et.ts';

const data = path.resolve(import.meta.dirname, '../../..', 'shared', 'data');

/** The real SPXW end-of-day chain of one quote date (Jan–Feb 2018 file). */
function realChain(date: string): ChainSnapshot {
  const rows = readFileSync(path.join(data, 'spxw_options_eod_2018-01_2018-02.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(',')).filter((r) => r[0] === date);
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
  const contracts: OptionQuote[] = rows.map((r) => ({
    symbol: r[3]!, root: 'SPXW', expiration: r[4]!, strike: Number(r[6]), right: r[5] as 'C' | 'P',
    bid: num(r[8]), ask: num(r[9]), last: num(r[7]), bidSize: null, askSize: null, volume: num(r[10]), openInterest: num(r[11]),
    iv: num(r[12]), delta: num(r[13]), gamma: num(r[14]), theta: num(r[15]), vega: num(r[16]), rho: null, quoteTime: null,
  }));
  return { underlying: 'SPX', underlyingPrice: Number(rows[0]![2]), time: etToEpoch(date, '16:00'), source: 'cboe-csv', contracts };
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('chainChecksum', () => {
  const chain = realChain('2018-02-05');

  it('is a SHA-256 hex that ignores contract order and float noise but sees a one-cent change', () => {
    const h = chainChecksum(chain);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chain.contracts.length).toBeGreaterThan(300);
    expect(chainChecksum({ ...chain, contracts: shuffle(chain.contracts, 7) })).toBe(h);
    const noisy = chain.contracts.map((c) => ({ ...c, bid: c.bid === null ? null : c.bid * (1 + 1e-14) }));
    expect(chainChecksum({ ...chain, contracts: noisy })).toBe(h);
    const k = chain.contracts.findIndex((c) => (c.ask ?? 0) > 1);
    const bumped = chain.contracts.map((c, i) => (i === k ? { ...c, ask: c.ask! + 0.01 } : c));
    expect(chainChecksum({ ...chain, contracts: bumped })).not.toBe(h);
    expect(chainChecksum({ ...chain, underlyingPrice: chain.underlyingPrice + 0.01 })).not.toBe(h);
    expect(chainChecksum({ ...chain, time: chain.time + 1 })).not.toBe(h);
    expect(chainChecksum({ ...chain, contracts: chain.contracts.slice(1) })).not.toBe(h);
    // A value moving between fields changes the hash (fields are positional, not a sum).
    const swapped = chain.contracts.map((c, i) => (i === k ? { ...c, bid: c.ask, ask: c.bid } : c));
    expect(chainChecksum({ ...chain, contracts: swapped })).not.toBe(h);
  });

  it('hashes the documented canonical text (pinned: a format change must bump the version)', () => {
    // Expected values: sha256 of the canonical lines, computed independently (Python hashlib).
    const empty: ChainSnapshot = { underlying: 'SPX', underlyingPrice: 5800.5, time: 1736951400000, source: 'sim', contracts: [] };
    expect(chainChecksum(empty)).toBe('31b8600b9fa80fe425a74c4f12d9217dbd0d792995959b0e7f001a4b0e0f4c49'); // "v1|SPX|5800.5|1736951400000|sim\n"
    const q: OptionQuote = {
      symbol: 'SPXW250117P05800000', root: 'SPXW', expiration: '2025-01-17', strike: 5800, right: 'P', bid: 12.3, ask: 12.6, last: null,
      bidSize: 10, askSize: 12, volume: 100, openInterest: 5000, iv: 0.1432, delta: -0.4512, gamma: 0.0021, theta: -3.2, vega: 2.1, rho: -0.3, quoteTime: 1736951400000,
    };
    expect(chainChecksum({ ...empty, contracts: [q] })).toBe('2bde6ae607459f9c6befb648d097c438f77a951a81b8613507c27dccbdf9a3c4');
    expect(canonicalNumber(-0)).toBe('0');
    expect(canonicalNumber(Number.NaN)).toBe('null');
    expect(canonicalNumber(0.1 + 0.2)).toBe('0.3');
    expect(canonicalNumber(5800.05)).toBe('5800.05');
    expect(canonicalNumber(1736951400001)).toBe('1736951400001');
    expect(canonicalNumber(1e-9)).toBe('1e-9');
  });
});

describe('normalizeChain', () => {
  it('passes the real 2018 chain through with symbols intact, sorted, and no issues', () => {
    const chain = realChain('2018-01-16');
    const { snapshot, issues } = normalizeChain({ ...chain, contracts: shuffle(chain.contracts, 3) });
    expect(issues).toEqual([]);
    expect(snapshot.contracts.length).toBe(chain.contracts.length);
    for (let i = 1; i < snapshot.contracts.length; i++) expect(compareContracts(snapshot.contracts[i - 1]!, snapshot.contracts[i]!)).toBeLessThan(0);
    expect(chainChecksum(snapshot)).toBe(chainChecksum(chain));
  });

  it('classifies and repairs bad input without throwing', () => {
    const good = realChain('2018-01-16').contracts.slice(0, 3);
    const bad: OptionQuote[] = [
      ...good,
      { ...good[0]!, bid: Number.NaN, volume: -5, quoteTime: 2 },
      { ...good[1]!, root: 'XYZ' as 'SPX' },
      { ...good[1]!, expiration: '2018-13-01' },
      { ...good[1]!, strike: 0, symbol: 'x' },
      { ...good[1]!, strike: Number.POSITIVE_INFINITY },
      { ...good[1]!, right: 'X' as 'C' },
      { ...good[2]!, symbol: 'SPXW  180131C01400000' }, // padded form of the same contract: fine, normalized
      { ...good[2]!, symbol: 'SPXW180131C09999000', quoteTime: null },
    ];
    const { snapshot, issues } = normalizeChain({ underlying: 'SPX', underlyingPrice: Number.NaN, time: 0, source: 't', contracts: bad });
    const codes = issues.map((i) => i.code).sort();
    expect(codes).toEqual(['bad-expiration', 'bad-right', 'bad-root', 'bad-strike', 'bad-strike', 'bad-underlying-price',
      'duplicate', 'duplicate', 'duplicate', 'negative-size', 'non-finite-number', 'symbol-mismatch'].sort());
    expect(snapshot.contracts.length).toBe(3);
    const first = snapshot.contracts.find((c) => c.strike === good[0]!.strike)!;
    expect(first.bid).toBeNull(); // the later (quoteTime 2) duplicate won, its NaN became null
    expect(first.volume).toBeNull();
    for (const c of snapshot.contracts) expect(c.symbol).toBe(occSymbol('SPXW', c.expiration, c.right, c.strike));
    expect(normalizeChain({ ...realChain('2018-01-16'), contracts: [] }).issues.map((i) => i.code)).toEqual(['empty-chain']);
  });

  it('never throws, never leaves NaN, and its checksum ignores order, for random chains', () => {
    const num = fc.oneof(fc.constant(null), fc.double(), fc.double({ min: 0, max: 500, noNaN: true }));
    const quote = fc.record({
      root: fc.constantFrom('SPX', 'SPXW', 'SPY', 'BAD'),
      expiration: fc.constantFrom('2025-01-17', '2025-01-16', 'nope', '2025-02-30'),
      strike: fc.oneof(fc.integer({ min: 1, max: 8000 }), fc.double()),
      right: fc.constantFrom('C', 'P', 'Z'),
      bid: num, ask: num, last: num, bidSize: num, askSize: num, volume: num, openInterest: num,
      iv: num, delta: num, gamma: num, theta: num, vega: num, rho: num, quoteTime: fc.oneof(fc.constant(null), fc.integer()),
    }).map((q) => ({ ...q, symbol: 'S' }) as unknown as OptionQuote);
    fc.assert(fc.property(fc.array(quote, { maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (contracts, seed) => {
      const snap: ChainSnapshot = { underlying: 'SPX', underlyingPrice: 5800, time: 1, source: 'fc', contracts };
      const { snapshot } = normalizeChain(snap);
      for (const c of snapshot.contracts) for (const v of Object.values(c)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      const again = normalizeChain({ ...snap, contracts: shuffle(contracts, seed) }).snapshot;
      expect(again.contracts.length).toBe(snapshot.contracts.length);
      expect(chainChecksum(normalizeChain(snapshot).snapshot)).toBe(chainChecksum(snapshot));
    }), { numRuns: 300 });
  });
});
