/**
 * Seed 002 §3 on real closes: the warm-up of §11.10, the regimes of §3.3 with their allocations, and the
 * §3.2 data-port filters (off by default, "no data" when nothing feeds them, never passed silently).
 */
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../../shared/domain/bars.ts';
import { closeView, realHistory } from '../../../tests/helpers/daily-history.ts';
import { OptimusConfigSchema } from './config.ts';
import { allocationOf, diagnose, layersOf } from './diagnosis.ts';
import { signalGates } from './signal.ts';

const cfg = (o: Record<string, unknown> = {}) => OptimusConfigSchema.parse(o);
/** A `date,value` series on the SPX dates up to `date`, every value `v` (a data port's feed). */
const fed = (date: string, v: number | ((i: number) => number)): DailyBar[] =>
  realHistory().SPX.filter((b) => b.date <= date).slice(-60).map((b, i) => {
    const x = typeof v === 'number' ? v : v(i);
    return { date: b.date, open: x, high: x, low: x, close: x, volume: null };
  });

describe('warm-up (§11.10)', () => {
  it('1990-06-01: the VIX file starts 1990-01-02, so IV rank has too few closes — "WARMUP: indicators not ready, X bars remaining"', () => {
    const view = closeView('1990-06-01');
    const vixBars = view.series.VIX!.length;
    const d = diagnose(view, cfg());
    expect(d.warmup.ready).toBe(false);
    expect(d.warmup.remaining).toBe(252 - vixBars);
    expect(d.warmup.needs.find((n) => n.what.startsWith('VIX closes'))).toMatchObject({ have: vixBars, need: 252 });
    expect(d.ivRank).toBeNull();
  });

  it('the first ready close is the 252nd VIX close (1990-12-28), not a day earlier', () => {
    const vix = realHistory().VIX;
    expect(diagnose(closeView(vix[250]!.date), cfg()).warmup).toMatchObject({ ready: false, remaining: 1 });
    expect(diagnose(closeView(vix[251]!.date), cfg()).warmup.ready).toBe(true);
    expect(vix[251]!.date).toBe('1990-12-28');
  });

  it('a longer EMA period needs more SPX bars: 180 bars are not enough for EMA(200)', () => {
    const d = diagnose(closeView('2019-05-14', { sessions: 180 }), cfg());
    expect(d.warmup.ready).toBe(false);
    expect(d.warmup.needs[0]).toMatchObject({ have: 180, need: 200 });
    expect(d.ema).toBeNull();
    expect(d.regime).toBeNull();
  });
});

describe('regimes and allocations (§3.3)', () => {
  it.each([
    // date, why, regime, allocation
    ['1993-11-05', 'VIX 14.97 below 18, SPX above its EMA', 'Bullish Calm', 1],
    ['1992-03-10', 'VIX 18.68 in 18–25', 'Elevated Vol', 1],
    ['1997-10-28', 'VIX 31.22 in 25–35 after the Asian crisis selloff', 'High Vol', 0.5],
    ['2018-02-05', 'VIX 37.32 ("Volmageddon")', 'Crisis', 0],
    ['2022-01-25', 'SPX below its 200-day EMA', 'Bear Trend', 0],
  ] as const)('%s: %s — %s, allocation %s', (date, _why, regime, allocation) => {
    const d = diagnose(closeView(date), cfg());
    expect(d.regime).toBe(regime);
    expect(d.allocation).toBe(allocation);
  });

  it('High Vol allocation is configurable within 50–75 %', () => {
    expect(allocationOf('High Vol', cfg({ highVolAllocation: 0.75 }))).toBe(0.75);
    expect(OptimusConfigSchema.safeParse({ highVolAllocation: 0.8 }).success).toBe(false);
  });

  it('the three layers show each check with its value and threshold', () => {
    const d = diagnose(closeView('2019-05-14'), cfg());
    const layers = layersOf(d, cfg());
    expect(layers.map((l) => l.id)).toEqual(['volatility', 'sentiment', 'regime']);
    const vol = layers[0]!.checks;
    expect(vol.map((c) => c.id)).toEqual(['iv-rank', 'vix', 'term-structure', 'iv-hv']);
    for (const c of vol) expect(['pass', 'fail']).toContain(c.verdict);
    expect(vol.find((c) => c.id === 'iv-hv')!.value).toBe(d.ivHv);
    expect(layers[1]!.checks.map((c) => [c.id, c.verdict])).toEqual([['trend', 'pass'], ['breadth', 'no-data'], ['put-call', 'no-data'], ['credit', 'no-data']]);
  });
});

describe('§3.2 data-port filters', () => {
  const date = '1992-10-15'; // a signal day: every gate passes
  it('off by default: "no data" shown, nothing blocked', () => {
    const d = diagnose(closeView(date), cfg());
    expect(d.breadth).toMatchObject({ verdict: 'no-data', text: 'Breadth: no data (filter off)' });
    expect(signalGates(d, cfg()).every((g) => g.verdict !== 'fail')).toBe(true);
  });

  it('on with nothing feeding it: fails with "no data" — never passed silently', () => {
    const c = cfg({ breadth: { enabled: true } });
    const g = signalGates(diagnose(closeView(date), c), c);
    const trend = g.find((x) => x.id === 'trend')!;
    expect(trend.verdict).toBe('fail');
    expect(trend.lines).toContain('Breadth: no data (filter on, nothing feeds it) (FAIL)');
    expect(trend.why).toBe('Breadth filter failed (no data; > 40%)');
  });

  it('on and fed: breadth 40.1 passes, 40 fails (strictly above 40 %)', () => {
    const c = cfg({ breadth: { enabled: true } });
    const pass = diagnose(closeView(date, { series: { BREADTH: fed(date, 40.1) } }), c);
    expect(pass.breadth).toMatchObject({ verdict: 'pass', value: 40.1 });
    const fail = diagnose(closeView(date, { series: { BREADTH: fed(date, 40) } }), c);
    expect(fail.breadth.verdict).toBe('fail');
    expect(signalGates(fail, c).find((x) => x.id === 'trend')!.verdict).toBe('fail');
  });

  it('put/call: the 5-day average between the extremes; credit spreads: widening over 20 days at most 1 point', () => {
    const c = cfg({ putCall: { enabled: true }, creditSpreads: { enabled: true } });
    const calm = diagnose(closeView(date, { series: { PUTCALL: fed(date, 0.8), CREDIT: fed(date, (i) => 4 + i * 0.05) } }), c);
    expect(calm.putCall).toMatchObject({ verdict: 'pass', value: 0.8 });
    expect(calm.credit).toMatchObject({ verdict: 'pass', value: 1 });
    const stressed = diagnose(closeView(date, { series: { PUTCALL: fed(date, 1.3), CREDIT: fed(date, (i) => 4 + i * 0.06) } }), c);
    expect(stressed.putCall.verdict).toBe('fail');
    expect(stressed.credit.verdict).toBe('fail');
  });
});
