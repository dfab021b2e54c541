/**
 * The ten entry gates of seed 002 §4.2 at their boundaries, on real closes (../shared/data: SPX, VIX and
 * VIX3M daily). Each case says which date and why it was picked; a gate "at its boundary" is shown
 * either by a real close that sits within cents of its threshold, or by setting the threshold to the
 * real value of that date (the comparison is strict where the seed says "above" / "below").
 */
import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { closeView } from '../../../tests/helpers/daily-history.ts';
import type { PortfolioView, PositionView } from '../types.ts';
import { OptimusConfigSchema, type OptimusConfig } from './config.ts';
import { diagnose } from './diagnosis.ts';
import { businessDaysSince, entryEvalLog, entryGates, firstFailure, gateValueText, noTradeReason, signalGates, type Gate, type GateId } from './signal.ts';

const cfg = (o: Record<string, unknown> = {}): OptimusConfig => OptimusConfigSchema.parse(o);
const gatesOn = (date: string, o: Record<string, unknown> = {}): Gate[] => signalGates(diagnose(closeView(date), cfg(o)), cfg(o));
const gate = (gates: Gate[], id: GateId): Gate => gates.find((g) => g.id === id)!;
const failing = (gates: Gate[]): GateId[] => gates.filter((g) => g.verdict === 'fail').map((g) => g.id);

const EMPTY: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };

describe('gate 1 — market regime (not Crisis, not Bear Trend)', () => {
  it('2020-10-29: VIX closed 37.59 with every other gate passing — Crisis (VIX > 35); at a 37.59 threshold it is High Vol (strictly above)', () => {
    const g = gatesOn('2020-10-29');
    expect(failing(g)).toEqual(['regime']);
    expect(gate(g, 'regime').value).toBe('Crisis');
    expect(gate(g, 'regime').why).toBe('Crisis regime (VIX 37.59 > 35)');
    const at = gatesOn('2020-10-29', { vixCrisisThreshold: 37.59 });
    expect(gate(at, 'regime')).toMatchObject({ verdict: 'pass', value: 'High Vol' });
    expect(failing(at)).toEqual([]);
    expect(gate(gatesOn('2020-10-29', { vixCrisisThreshold: 37.58 }), 'regime').value).toBe('Crisis');
  });

  it('2020-06-19: VIX 35.12 — Crisis by 12 cents of VIX at the default 35', () => {
    const d = diagnose(closeView('2020-06-19'), cfg());
    expect(d.vix).toBe(35.12);
    expect(d.regime).toBe('Crisis');
  });

  it('2015-12-31: SPX closed 2,043.94, a few cents under its 200-day EMA — Bear Trend; gate 4 fails with it', () => {
    const d = diagnose(closeView('2015-12-31'), cfg());
    expect(d.spx!.close).toBe(2043.94);
    expect(d.ema! - d.spx!.close).toBeGreaterThan(0);
    expect(d.ema! - d.spx!.close).toBeLessThan(0.5);
    expect(d.regime).toBe('Bear Trend');
    const g = signalGates(d, cfg());
    expect(gate(g, 'regime').verdict).toBe('fail');
    expect(gate(g, 'trend').verdict).toBe('fail');
    expect(gate(g, 'trend').lines[0]).toMatch(/^Trend: SPX 2,043\.94 ≤ 200 EMA 2,04\d\.\d\d \(FAIL\)$/);
  });

  it('2018-03-22: VIX 23.34 but VIX/VIX3M ≥ 1.05 — Crisis by steep backwardation; at a threshold just above the ratio it is not', () => {
    const d = diagnose(closeView('2018-03-22'), cfg());
    expect(d.vix).toBeLessThan(35);
    expect(d.termRatio).toBeGreaterThanOrEqual(1.05);
    expect(d.regime).toBe('Crisis');
    expect(d.regimeReason).toMatch(/steep backwardation/);
    const above = Math.round((d.termRatio! + 0.0001) * 10_000) / 10_000;
    expect(diagnose(closeView('2018-03-22'), cfg({ vixTermStructureThreshold: Math.min(1.1, above) })).regime).not.toBe('Crisis');
  });
});

describe('gate 2 — IV rank > 50 %', () => {
  it('1998-06-02: a signal with IV rank 50.2 — passes at 50, fails when the threshold is its own 50.2 (strictly above)', () => {
    const g = gatesOn('1998-06-02');
    expect(gate(g, 'iv-rank').value).toBe(50.2);
    expect(failing(g)).toEqual([]);
    const at = gatesOn('1998-06-02', { minIvRank: 50.2 });
    expect(failing(at)).toEqual(['iv-rank']);
    expect(gate(at, 'iv-rank').why).toBe('IV Rank below threshold (50.2% = 50.2%)');
    expect(failing(gatesOn('1998-06-02', { minIvRank: 50.19 }))).toEqual([]);
  });

  it('2011-03-11: everything else passed; IV rank 44.6 % stopped it — the seed\'s NO TRADE line', () => {
    const d = diagnose(closeView('2011-03-11'), cfg());
    const g = signalGates(d, cfg());
    expect(failing(g)).toEqual(['iv-rank']);
    expect(noTradeReason(g)).toBe('IV Rank below threshold (44.6% < 50%)');
    expect(entryEvalLog('2011-03-11', g)).toEqual([
      '[ENTRY EVAL] 2011-03-11 | SPX',
      `  Regime: ${d.regime} (PASS)`,
      '  IV Rank: 44.6% (FAIL, threshold: 50%)',
      '  >>> NO TRADE: IV Rank below threshold (44.6% < 50%)',
      '  [Remaining gates not evaluated — first failure stops chain]',
    ]);
  });

  it('is the 52-week percentile of the VIX close: the share of the other 251 closes strictly below today\'s', () => {
    const view = closeView('2011-03-11');
    const vix = view.series.VIX!.slice(-252).map((b) => b.close);
    const today = vix.at(-1)!;
    const below = vix.slice(0, -1).filter((v) => v < today).length;
    expect(diagnose(view, cfg()).ivRank).toBe(Math.round((below / 251) * 100 * 100) / 100);
  });
});

describe('gate 3 — VIX term structure (VIX / VIX3M) < 1.05', () => {
  it('2010-02-05: a signal in backwardation, VIX/VIX3M 1.0042 — passes at 1.05, fails at a 1.0042 threshold (strictly below), passes at 1.0043', () => {
    expect(gate(gatesOn('2010-02-05'), 'term-structure')).toMatchObject({ verdict: 'pass', value: 1.0042 });
    expect(gate(gatesOn('2010-02-05'), 'term-structure').lines[0]).toBe('VIX Term Structure: 1.00 backwardation ratio (PASS, threshold: <1.05)');
    expect(gate(gatesOn('2010-02-05', { vixTermStructureThreshold: 1.0042 }), 'term-structure').verdict).toBe('fail');
    expect(gate(gatesOn('2010-02-05', { vixTermStructureThreshold: 1.0043 }), 'term-structure').verdict).toBe('pass');
  });

  it('1998-06-02, before VIX3M exists (2009-09-18): no data — waived by default, blocking with termStructureWithoutData: block', () => {
    const g = gatesOn('1998-06-02');
    expect(gate(g, 'term-structure')).toMatchObject({ verdict: 'waived', value: null });
    expect(gate(g, 'term-structure').lines[0]).toBe('VIX Term Structure: no data, no VIX3M close (WAIVED: termStructureWithoutData)');
    const blocked = gatesOn('1998-06-02', { termStructureWithoutData: 'block' });
    expect(failing(blocked)).toEqual(['term-structure']);
  });
});

describe('gate 4 — trend: SPX above its 200-day EMA', () => {
  it('1992-10-13: a signal with SPX 409.30 just 0.72 above its 200-day EMA — passes (and 2015-12-31 above, a few cents under it, fails)', () => {
    const d = diagnose(closeView('1992-10-13'), cfg());
    expect(d.spx!.close - d.ema!).toBeCloseTo(0.72, 2);
    expect(gate(signalGates(d, cfg()), 'trend').verdict).toBe('pass');
  });
});

describe('gate 5 — oversold: a low at or below the lower BB within the last 5 bars', () => {
  it('1992-10-15: a signal whose only touch was 1992-10-09, the fifth bar back (today is the first; low 402.42 under the band 402.71) — passes with a 5-bar lookback, fails with 4 and 3', () => {
    const g = gatesOn('1992-10-15');
    expect(failing(g)).toEqual([]);
    expect(gate(g, 'oversold').lines[0]).toBe('BB Touch: Lower BB 403, low 402 on 1992-10-09 (PASS, within 5-bar lookback)');
    expect(failing(gatesOn('1992-10-15', { bbTouchLookback: 4 }))).toEqual(['oversold']);
    expect(noTradeReason(gatesOn('1992-10-15', { bbTouchLookback: 3 }))).toBe('No lower-BB touch in the last 3 bars');
  });
});

describe('gate 6 — mean reversion: close back above the lower BB and a higher close', () => {
  it('2019-05-14: a higher close, but 2,834.41 is 4 cents under the lower band 2,834.45 — "BB touch detected but confirmation failed"', () => {
    const d = diagnose(closeView('2019-05-14'), cfg());
    expect(d.spx!.close).toBe(2834.41);
    expect(d.bb!.lower).toBe(2834.45);
    const g = signalGates(d, cfg());
    expect(failing(g)).toEqual(['mean-reversion']);
    expect(noTradeReason(g)).toBe('BB touch detected but confirmation failed — Mean Reversion: close 2,834.41 ≤ lower BB 2,834.45');
    expect(gate(g, 'mean-reversion').lines[0]).toBe('Mean Reversion: Close 2,834.41 ≤ Lower BB 2,834.45 (FAIL)');
  });

  it('1996-09-03: a signal 17 cents above the lower band', () => {
    const d = diagnose(closeView('1996-09-03'), cfg());
    expect(d.spx!.close - d.bb!.lower).toBeCloseTo(0.17, 2);
    expect(failing(signalGates(d, cfg()))).toEqual([]);
  });

  it('1992-02-04: two up-closes in a row — enough for min 1 and 2, not for 3', () => {
    expect(diagnose(closeView('1992-02-04'), cfg()).upCloses).toBe(2);
    expect(gate(gatesOn('1992-02-04', { minConsecutiveUpCloses: 2 }), 'mean-reversion').verdict).toBe('pass');
    const three = gatesOn('1992-02-04', { minConsecutiveUpCloses: 3 });
    expect(gate(three, 'mean-reversion').verdict).toBe('fail');
    expect(gate(three, 'mean-reversion').lines[1]).toBe('Price Action: +1.1% today, 2 consecutive up-closes (FAIL, min: 3)');
  });
});

describe('gate 7 — momentum: RSI(14) above 30 and rising', () => {
  it('1997-04-03: RSI 30.01 after 29.83 — passes by a hundredth at 30; fails at a 30.01 threshold (strictly above)', () => {
    const g = gatesOn('1997-04-03');
    expect(gate(g, 'momentum')).toMatchObject({ verdict: 'pass', value: 30.01 });
    expect(gate(g, 'momentum').lines[0]).toBe('RSI: 30.0, prior 29.8 (PASS, >30 and rising)');
    const at = gatesOn('1997-04-03', { rsiOversoldThreshold: 30.01 });
    expect(failing(at)).toEqual(['momentum']);
    expect(noTradeReason(at)).toBe('BB touch detected but confirmation failed — Momentum: RSI 30.01 (prior 29.83) is not above 30.01 and rising');
  });
});

describe('gate 8 — MACD confirmation (optional, off by default)', () => {
  it('is off by default and does not block', () => {
    expect(gate(gatesOn('1992-02-04'), 'macd')).toMatchObject({ verdict: 'off', lines: ['MACD: off (optional gate)'] });
  });

  it('1996-09-11: the histogram turned positive that close (0.011 after −0.557) — passes; 1992-02-04: rising but still −1.675 — fails', () => {
    const on = { macd: { enabled: true } };
    const g = gatesOn('1996-09-11', on);
    expect(gate(g, 'macd')).toMatchObject({ verdict: 'pass', value: 0.011 });
    expect(failing(g)).toEqual([]);
    const neg = gatesOn('1992-02-04', on);
    expect(failing(neg)).toEqual(['macd']);
    expect(gate(neg, 'macd').value).toBe(-1.675);
  });
});

describe('gates 9 and 10 — capacity and spacing (the portfolio)', () => {
  const position = (id: number): PositionView => ({ tradeId: id, structure: 'put_credit_spread', openedAt: etToEpoch('1992-01-15', '10:00'), quantity: 1, entryCreditCents: 200, maxProfitCents: 20_000, maxLossCents: 480_000, legs: [], notes: {} });
  const d = diagnose(closeView('1992-02-04'), cfg());

  it('1992-02-04 (a signal): 7 open + 0 pending of 8 passes; 7 open + 1 queued fails — "Capacity: 8/8 open positions (FAIL)"', () => {
    const seven = { ...EMPTY, positions: [1, 2, 3, 4, 5, 6, 7].map(position) };
    expect(gate(entryGates(d, seven, '1992-02-04', cfg()), 'capacity')).toMatchObject({ verdict: 'pass', value: 7, lines: ['Capacity: 7/8 open positions (PASS)'] });
    const full = entryGates(d, { ...seven, pendingEntries: 1 }, '1992-02-04', cfg());
    expect(firstFailure(full)!.id).toBe('capacity');
    expect(gate(full, 'capacity').lines).toEqual(['Capacity: 8/8 open positions (FAIL)']);
  });

  it('1992-02-04 (Tuesday): an entry on Thursday 1992-01-30 is 3 business days back — passes; on Friday 01-31, 2 — fails', () => {
    const thu = entryGates(d, { ...EMPTY, lastEntryAt: { SPX: etToEpoch('1992-01-30', '10:00') } }, '1992-02-04', cfg());
    expect(gate(thu, 'spacing')).toMatchObject({ verdict: 'pass', value: 3, lines: ['Spacing: 3 business days since last entry (PASS, min: 3)'] });
    expect(firstFailure(thu)).toBeNull();
    const fri = entryGates(d, { ...EMPTY, lastEntryAt: { SPX: etToEpoch('1992-01-31', '10:00') } }, '1992-02-04', cfg());
    expect(firstFailure(fri)!.id).toBe('spacing');
    expect(noTradeReason(fri)).toBe('Only 2 business days since the last entry (min: 3)');
  });

  it('counts business days: weekends and holidays excluded (2025-12-24 → 2025-12-29 is 2: the 26th and the 29th)', () => {
    expect(businessDaysSince(etToEpoch('2025-12-24', '10:00'), '2025-12-29')).toBe(2);
    expect(businessDaysSince(etToEpoch('2025-12-29', '16:15'), '2025-12-29')).toBe(0);
  });

  it('the full §9.1 block of a signal day reads like the seed', () => {
    const log = entryEvalLog('1992-02-04', entryGates(d, { ...EMPTY, positions: [position(1)], lastEntryAt: { SPX: etToEpoch('1992-01-27', '10:00') } }, '1992-02-04', cfg()));
    expect(log[0]).toBe('[ENTRY EVAL] 1992-02-04 | SPX');
    expect(log.slice(1).map((l) => l.replace(/:.*/, ''))).toEqual(['  Regime', '  IV Rank', '  VIX Term Structure', '  Trend', '  BB Touch', '  Mean Reversion', '  Price Action', '  RSI', '  MACD', '  Capacity', '  Spacing', '  >>> SIGNAL']);
    expect(log.at(-3)).toBe('  Capacity: 1/8 open positions (PASS)');
    expect(log.at(-2)).toBe('  Spacing: 6 business days since last entry (PASS, min: 3)');
    expect(log.at(-1)).toBe('  >>> SIGNAL: ENTRY TRIGGERED');
  });
});

describe('gate values with their units (the Optimus page)', () => {
  it('says what each number is: points above the EMA, IV rank as a percentile, σ below the middle band', () => {
    expect(gateValueText({ id: 'trend', value: 537.02 })).toBe('+537.02 pts above the EMA');
    expect(gateValueText({ id: 'trend', value: -12.5 })).toBe('−12.50 pts below the EMA');
    expect(gateValueText({ id: 'iv-rank', value: 11.16 })).toBe('11.2 % (52-week percentile of the VIX)');
    expect(gateValueText({ id: 'oversold', value: 2.3112 })).toBe('low 2.31 σ below the middle band');
    expect(gateValueText({ id: 'oversold', value: null })).toBe('no touch');
    expect(gateValueText({ id: 'spacing', value: 1 })).toBe('1 business day since the last entry');
    expect(gateValueText({ id: 'regime', value: 'Bullish Calm' })).toBe('Bullish Calm');
  });
});
