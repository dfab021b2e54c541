/**
 * Optimus's entry evaluation end to end on real dates: the chain asked for only on signal days, the
 * construction from each strike's own IV (on the real 2018 SPXW chain, and on a model-priced chain of a
 * real signal day), sizing from the account, and the §9 blocks the decision keeps.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainKey, type ChainSnapshot, type OptionQuote, type OptionRoot } from '../../../shared/domain/chain.ts';
import { addDays, expirations } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { bsmGreeks } from '../../../shared/optionmath/index.ts';
import { dayToIso } from '../../market/data/csv.ts';
import { get, PUT } from '../../market/data/chain-columns.ts';
import { readEodChain } from '../../market/data/chain-eod.ts';
import { modelChain } from '../../market/model/chain.ts';
import { OptionModel } from '../../market/model/surface.ts';
import { closeView, DATA_DIR, realHistory } from '../../../tests/helpers/daily-history.ts';
import type { AccountView, EntryInput, Listed, PortfolioView } from '../types.ts';
import { OptimusConfigSchema, type OptimusConfig } from './config.ts';
import { buildSpread, pickExpiration } from './spread.ts';
import { optimus } from './strategy.ts';

const c = OptimusConfigSchema.parse({});
const EMPTY: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false, closed: [], lastEntryAt: {}, pendingMaxLossCents: 0, circuit: null };
const account = (equityCents: number): AccountView => ({ equityCents, peakEquityCents: equityCents, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 });
const listedOn = (date: string): Listed => ({ SPXW: expirations('SPXW', date, addDays(date, 120)), SPX: expirations('SPX', date, addDays(date, 120)) });
const closeOf = (bars: { date: string; close: number }[], date: string) => bars.find((b) => b.date === date)?.close ?? null;

/** The model chain a backtest would read for `date`'s close. */
function modelChainOn(date: string, root: OptionRoot, expiration: string): ChainSnapshot {
  const h = realHistory();
  const market = { spot: closeOf(h.SPX, date)!, vix: closeOf(h.VIX, date)!, vix9d: closeOf(h.VIX9D, date), vix3m: closeOf(h.VIX3M, date), skew: closeOf(h.SKEW, date) };
  return modelChain(new OptionModel(), market, { root, expiration, time: etToEpoch(date, '16:00'), minStrike: market.spot * 0.6, maxStrike: market.spot * 1.05 })!;
}

function input(date: string, o: { chains?: Map<string, ChainSnapshot>; equityCents?: number; config?: OptimusConfig; portfolio?: PortfolioView } = {}): EntryInput<OptimusConfig> {
  return {
    now: etToEpoch(date, '16:15'), slot: '16:15', config: o.config ?? c, chains: (o.chains ?? new Map()) as EntryInput<OptimusConfig>['chains'], expirations: listedOn(date),
    context: { spx: null, spy: null, vix: null, vix9d: null, vix3m: null, termStructure: null, gexNet: null, zeroGammaLevel: null },
    market: closeView(date), portfolio: o.portfolio ?? EMPTY, account: account(o.equityCents ?? 50_000_000),
  };
}

describe('which chain it reads', () => {
  it('none on a day without a signal (2011-03-11: IV rank 44.6 %); on a signal day (2024-09-12) the expiration nearest 45 DTE, with a strike band for a −0.16 put', () => {
    const quiet = optimus.chainsNeeded(etToEpoch('2011-03-11', '16:15'), c, listedOn('2011-03-11'), closeView('2011-03-11'));
    expect(quiet).toEqual([]);
    const needs = optimus.chainsNeeded(etToEpoch('2024-09-12', '16:15'), c, listedOn('2024-09-12'), closeView('2024-09-12'));
    expect(needs).toHaveLength(1);
    const pick = pickExpiration(etToEpoch('2024-09-12', '16:15'), listedOn('2024-09-12'), c)!;
    expect(needs[0]).toMatchObject({ root: pick.root, expiration: pick.expiration });
    // SPXW lists every weekday in 2024; 45 days out is a Sunday: Monday 2024-10-28 (46) is nearer than Friday the 25th (43).
    expect(pick).toEqual({ root: 'SPXW', expiration: '2024-10-28', dte: 46 });
    const spot = closeView('2024-09-12').underlyings.SPX!.last!;
    expect(needs[0]!.minStrike!).toBeLessThan(spot * 0.85);
    expect(needs[0]!.maxStrike!).toBeGreaterThan(spot);
  });

  it('expiration nearest 45 within 30–60 DTE: in 1992, with monthlies only, 1992-02-04 picks the 1992-03-20 monthly (45 DTE)', () => {
    expect(pickExpiration(etToEpoch('1992-02-04', '16:15'), listedOn('1992-02-04'), c)).toEqual({ root: 'SPX', expiration: '1992-03-20', dte: 45 });
    // Nothing in the window: only expirations under 30 or over 60 days out.
    expect(pickExpiration(etToEpoch('1992-02-04', '16:15'), { SPX: ['1992-02-21', '1992-04-16'] }, c)).toBeNull();
  });
});

describe('construction from each strike\'s own IV (§5.2)', () => {
  it('on the real SPXW chain of 2018-01-02 (29 DTE to 2018-01-31): the put nearest −0.16 by its own IV, the long 50 below; a flat ATM IV would pick another strike', () => {
    const cols = readEodChain(path.join(DATA_DIR, 'spxw_options_eod_2018-01_2018-02.csv')).rows;
    const contracts: OptionQuote[] = [];
    let spot = 0;
    for (let i = 0; i < cols.length; i++) {
      if (dayToIso(cols.quoteDay[i]!) !== '2018-01-02' || cols.right[i] !== PUT) continue;
      spot = get(cols, 'underlyingPrice', i)!;
      contracts.push({ symbol: `SPXW180131P0${cols.strike[i]}000`, root: 'SPXW', expiration: '2018-01-31', strike: cols.strike[i]!, right: 'P', bid: get(cols, 'bid', i), ask: get(cols, 'ask', i), last: null, bidSize: null, askSize: null, volume: null, openInterest: null, iv: get(cols, 'iv', i), delta: get(cols, 'delta', i), gamma: null, theta: null, vega: null, rho: null, quoteTime: etToEpoch('2018-01-02', '16:00') });
    }
    const chain: ChainSnapshot = { underlying: 'SPX', underlyingPrice: spot, time: etToEpoch('2018-01-02', '16:00'), source: 'spxw-eod-csv', contracts };
    const built = buildSpread(chain, { root: 'SPXW', expiration: '2018-01-31', dte: 29 }, c);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const s = built.spread;
    expect(s.long.quote.strike).toBe(s.short.quote.strike - 50);
    expect(Math.abs(s.short.delta! + 0.16)).toBeLessThan(0.01);
    // Its delta from its own (vendor) IV, close to the vendor's own delta.
    expect(Math.abs(s.short.delta! - s.short.quote.delta!)).toBeLessThan(0.01);
    // One flat volatility (the ATM put's IV) puts −0.16 elsewhere: the skew moves the strike.
    const atm = contracts.reduce((b, q) => (Math.abs(q.strike - spot) < Math.abs(b.strike - spot) ? q : b));
    const flat = contracts.map((q) => ({ strike: q.strike, d: bsmGreeks({ spot, strike: q.strike, t: 29 / 365, vol: atm.iv!, rate: 0.03, div: 0.015, right: 'P' }).delta }));
    const flatPick = flat.reduce((b, x) => (Math.abs(x.d + 0.16) < Math.abs(b.d + 0.16) ? x : b)).strike;
    expect(flatPick).toBeGreaterThan(s.short.quote.strike);
  });

  it('"No suitable strikes for entry" when the long strike is not listed, or a leg is too wide', () => {
    const ch = modelChainOn('2024-09-12', 'SPXW', '2024-10-25');
    const ok = buildSpread(ch, { root: 'SPXW', expiration: '2024-10-25', dte: 43 }, c);
    expect(ok.ok).toBe(true);
    const longStrike = ok.ok ? ok.spread.long.quote.strike : 0;
    const thin: ChainSnapshot = { ...ch, contracts: ch.contracts.filter((q) => q.strike !== longStrike) };
    const r = buildSpread(thin, { root: 'SPXW', expiration: '2024-10-25', dte: 43 }, c);
    expect(!r.ok && r.why).toMatch(new RegExp(`^no ${longStrike} put listed 50 points below the short ${longStrike + 50} \\(delta -0\\.1\\d{2}\\)$`));
    const wide = buildSpread(ch, { root: 'SPXW', expiration: '2024-10-25', dte: 43 }, OptimusConfigSchema.parse({ maxBidAskPctOfPremium: 0.05 }));
    expect(wide).toMatchObject({ ok: false });
    expect(!wide.ok && wide.why).toMatch(/bid\/ask .* of its mid \(limit < 5\.0%\)$/);
  });
});

describe('an entry on a real signal day (2024-09-12), on the model-priced chain', () => {
  const date = '2024-09-12';
  const pick = pickExpiration(etToEpoch(date, '16:15'), listedOn(date), c)!;
  const chains = new Map([[chainKey(pick.root, pick.expiration), modelChainOn(date, pick.root, pick.expiration)]]);

  it('enters a 50-wide put credit spread sized by max loss from the account, with its §9 blocks', () => {
    const [d] = optimus.evaluateEntry(input(date, { chains }));
    expect(d!.kind).toBe('ENTER');
    const p = d!.proposal!;
    expect(p.structure).toBe('put_credit_spread');
    expect(p.legs.map((l) => [l.side, l.right, l.expiration])).toEqual([['SELL', 'P', pick.expiration], ['BUY', 'P', pick.expiration]]);
    expect(p.legs[0]!.strike - p.legs[1]!.strike).toBe(50);
    const sizing = d!.details.sizing as { maxRiskCents: number; maxLossPerContractCents: number; conviction: { multiplier: number } };
    expect(p.quantity).toBe(Math.floor(sizing.maxRiskCents / sizing.maxLossPerContractCents));
    expect(sizing.maxRiskCents).toBe(Math.floor(50_000_000 * 0.02 * (d!.details.allocation as number) * sizing.conviction.multiplier + 1e-6));
    expect(p.maxLossCents).toBe((5000 - p.midCents) * 100 * p.quantity);
    expect(p.maxLossCents).toBeLessThanOrEqual(50_000_000 * 0.03);
    expect((d!.details.log as string[]).at(-1)).toBe('  >>> SIGNAL: ENTRY TRIGGERED');
    expect((d!.details.trade as string[])[0]).toBe(`[TRADE OPENED] ${date} | SPX Put Credit Spread`);
    expect((d!.details.dashboard as string[])[0]).toBe(`[DAILY DASHBOARD] ${date}`);
    expect(d!.details.summary).toBeUndefined();
  });

  it('a $100,000 account cannot carry one 50-wide spread at 2 % — skipped with the numbers', () => {
    const [d] = optimus.evaluateEntry(input(date, { chains, equityCents: 10_000_000 }));
    expect(d).toMatchObject({ kind: 'SKIP', gate: 'size' });
    expect(d!.reason).toMatch(/is below one contract's max loss \$4,?\d{3}\.\d\d$/);
  });

  it('without its chain: "no-chain"; on a quiet day the [DAILY SUMMARY] says why', () => {
    expect(optimus.evaluateEntry(input(date))[0]).toMatchObject({ kind: 'SKIP', gate: 'no-chain' });
    const [q] = optimus.evaluateEntry(input('2022-01-25'));
    expect(q).toMatchObject({ kind: 'SKIP', gate: 'regime', reason: 'NO TRADE: Bear Trend regime (SPX below 200 EMA (4,356 < 4,395))' });
    expect((q!.details.summary as string[]).slice(0, 2)).toEqual(['[DAILY SUMMARY] 2022-01-25 | NO TRADES ELIGIBLE', '  SPX: BLOCKED — Bear Trend regime (SPX below 200 EMA (4,356 < 4,395))']);
    expect((q!.details.summary as string[]).at(-1)).toBe('  Note: Market in sustained downtrend. All entry signals suppressed.');
  });

  it('the [DAILY SUMMARY] note names what blocks: IV rank (2011-03-11, 44.6 %), not "waiting for an oversold touch"; the size gate says the account cannot fit a spread', () => {
    const [q] = optimus.evaluateEntry(input('2011-03-11'));
    expect(q).toMatchObject({ kind: 'SKIP', gate: 'iv-rank' });
    expect((q!.details.summary as string[]).at(-1)).toBe('  Note: Waiting for IV rank above 50 % (options too cheap to sell now).');
    const [s] = optimus.evaluateEntry(input(date, { chains, equityCents: 10_000_000 }));
    expect((s!.details.summary as string[]).at(-1)).toMatch(/^ {2}Note: Signal, but the account cannot fit one spread at the configured risk/);
  });

  it('during warm-up: "WARMUP: indicators not ready, X bars remaining"', () => {
    const [w] = optimus.evaluateEntry(input('1990-06-01'));
    expect(w).toMatchObject({ kind: 'SKIP', gate: 'warmup' });
    expect(w!.reason).toMatch(/^WARMUP: indicators not ready, \d+ bars remaining$/);
  });
});
