import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChainSnapshot, OptionQuote } from '../../shared/domain/chain.ts';
import { tenThousandContracts } from '../../tests/store/chain-gen.ts';
import { occSymbol } from '../../shared/domain/occ.ts';
import { ChainCodecError, GREEK_PLACES, decodeChain, encodeChain, normalizeChain } from './chain-codec.ts';

const DATA = path.resolve(import.meta.dirname, '../..', '..', 'shared/data');

/** The real SPXW end-of-day chain of one quote date from ../shared/data as a ChainSnapshot. */
function realSpxwChain(date: string): ChainSnapshot {
  const lines = fs.readFileSync(path.join(DATA, 'spxw_options_eod_2018-01_2018-02.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const col = (name: string): number => header.indexOf(name);
  const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));
  const contracts: OptionQuote[] = [];
  let spot = 0;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[col('quote_date')] !== date) continue;
    spot = Number(f[col('underlying_last')]);
    contracts.push({
      symbol: f[col('option_symbol')]!, root: 'SPXW', expiration: f[col('expiry')]!, strike: Number(f[col('strike')]),
      right: f[col('right')] as 'C' | 'P', bid: num(f[col('bid')]), ask: num(f[col('ask')]), last: num(f[col('last')]),
      bidSize: null, askSize: null, volume: num(f[col('volume')]), openInterest: num(f[col('open_interest')]), iv: num(f[col('implied_vol')]),
      delta: num(f[col('delta')]), gamma: num(f[col('gamma')]), theta: num(f[col('theta')]), vega: num(f[col('vega')]), rho: null, quoteTime: null,
    });
  }
  return { underlying: 'SPX', underlyingPrice: spot, time: Date.parse(`${date}T21:00:00Z`), source: 'historicaloptiondata', contracts };
}

describe('chain codec', () => {
  it('round-trips a real SPXW chain exactly (prices, sizes and 4-decimal greeks are all exact decimals)', () => {
    const chain = realSpxwChain('2018-02-05');
    expect(chain.contracts.length).toBeGreaterThan(300);
    const { payload } = encodeChain(chain);
    expect(decodeChain(payload)).toEqual(chain);
    // Symbols in the vendor file are OCC symbols and are derived, not stored.
    expect(chain.contracts.every((c) => c.symbol === occSymbol(c.root, c.expiration, c.right, c.strike))).toBe(true);
    expect(payload.length).toBeLessThan(chain.contracts.length * 20);
  });

  it('keeps prices bit-exact and greeks within half a unit of GREEK_PLACES on a generated 10,000-contract chain', () => {
    const chain = tenThousandContracts(7);
    const back = decodeChain(encodeChain(chain).payload);
    expect(back.contracts).toHaveLength(10_000);
    for (let i = 0; i < chain.contracts.length; i++) {
      const a = chain.contracts[i]!;
      const b = back.contracts[i]!;
      expect([b.symbol, b.strike, b.bid, b.ask, b.last, b.bidSize, b.volume, b.openInterest, b.quoteTime]).toEqual([
        a.symbol, a.strike, a.bid, a.ask, a.last, a.bidSize, a.volume, a.openInterest, a.quoteTime,
      ]);
      for (const g of ['iv', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
        expect(Math.abs(b[g]! - a[g]!)).toBeLessThanOrEqual(0.5 * 10 ** -GREEK_PLACES[g] * (1 + 1e-9));
      }
    }
  });

  it('is idempotent: a normalized snapshot encodes to the same bytes and decodes to itself', () => {
    const chain = tenThousandContracts(11);
    const norm = normalizeChain(chain);
    expect(normalizeChain(norm)).toEqual(norm);
    expect(encodeChain(norm).checksum).toBe(encodeChain(chain).checksum);
  });

  const quote = (i: number): fc.Arbitrary<OptionQuote> => {
    const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
    const price = nullable(fc.oneof(fc.integer({ min: 0, max: 500_000 }).map((c) => c / 100), fc.integer({ min: 0, max: 5_000_000 }).map((c) => c / 10_000), fc.double({ min: 0, max: 1e6, noNaN: true })));
    const greek = nullable(fc.oneof(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.integer({ min: -10_000, max: 10_000 }).map((v) => v / 10_000)));
    const int = nullable(fc.integer({ min: 0, max: 2_000_000_000 }));
    return fc.record({
      root: fc.constantFrom('SPX', 'SPXW', 'SPY') as fc.Arbitrary<'SPX' | 'SPXW' | 'SPY'>,
      expiration: fc.constantFrom('2025-01-17', '2025-02-21', '2026-12-18'),
      strike: fc.integer({ min: 1, max: 20_000_000 }).map((m) => m / 1000),
      right: fc.constantFrom('C', 'P') as fc.Arbitrary<'C' | 'P'>,
      bid: price, ask: price, last: price, bidSize: int, askSize: int, volume: int, openInterest: int,
      iv: greek, delta: greek, gamma: greek, theta: greek, vega: greek, rho: greek,
      quoteTime: nullable(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 })),
      custom: fc.boolean(),
    }).map(({ custom, ...q }) => ({ ...q, symbol: custom ? `X${i}` : occSymbol(q.root, q.expiration, q.right, q.strike) }));
  };

  it('property: any chain round-trips — prices, sizes, strikes, symbols, times exact; greeks within tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 60 }).chain((ids) => fc.tuple(...ids.map((_, i) => quote(i)))),
        fc.double({ min: 1, max: 10_000, noNaN: true }),
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        (contracts, spot, time) => {
          const chain: ChainSnapshot = { underlying: 'SPX', underlyingPrice: spot, time, source: 'prop', contracts };
          const back = decodeChain(encodeChain(chain).payload);
          expect(back.underlyingPrice).toBe(spot);
          expect(back.time).toBe(time);
          expect(back.contracts).toHaveLength(contracts.length);
          contracts.forEach((a, i) => {
            const b = back.contracts[i]!;
            for (const k of ['symbol', 'root', 'expiration', 'strike', 'right', 'bid', 'ask', 'last', 'bidSize', 'askSize', 'volume', 'openInterest', 'quoteTime'] as const) {
              expect(b[k] === a[k] || (a[k] === 0 && b[k] === 0)).toBe(true);
            }
            for (const g of ['iv', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
              if (a[g] === null) expect(b[g]).toBeNull();
              else expect(Math.abs(b[g]! - a[g]!)).toBeLessThanOrEqual(0.5 * 10 ** -GREEK_PLACES[g] * (1 + 1e-9) + Math.abs(a[g]!) * 1e-15);
            }
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects NaN and Infinity instead of storing them (missing values must be null)', () => {
    const chain = tenThousandContracts(1);
    chain.contracts[5] = { ...chain.contracts[5]!, bid: Number.NaN };
    expect(() => encodeChain(chain)).toThrow(/contract #5 field bid is NaN/);
    chain.contracts[5] = { ...chain.contracts[5]!, bid: 1, delta: Infinity };
    expect(() => encodeChain(chain)).toThrow(ChainCodecError);
  });

  it('detects damage: a flipped byte fails the CRC or the stored checksum, a newer format is refused', () => {
    const { payload, checksum } = encodeChain(tenThousandContracts(2));
    const damaged = Buffer.from(payload);
    damaged[damaged.length - 100]! ^= 0xff;
    expect(() => decodeChain(damaged, { expectedChecksum: checksum })).toThrow(/checksum/);
    expect(() => decodeChain(damaged)).toThrow(ChainCodecError);
    const newer = Buffer.from(payload);
    newer[4] = 99;
    expect(() => decodeChain(newer)).toThrow(/newer than this app/);
  });

  it('supports all compressions it can write', () => {
    const chain = realSpxwChain('2018-01-02');
    for (const compression of ['none', 'deflate', 'brotli'] as const) expect(decodeChain(encodeChain(chain, { compression }).payload)).toEqual(chain);
  });
});
