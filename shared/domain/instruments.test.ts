import { describe, expect, it } from 'vitest';
import { settlement } from '../market/calendar.ts';
import { comboTickRule, instrument, INSTRUMENTS, isOptionRoot, nearestStrike, tickAt, underlyingOf, underlyingsOf, UNDERLYINGS } from './instruments.ts';
import { comboMultiplier, legOf } from './leg.ts';

describe('the instrument table', () => {
  it('states each root as ../shared/reference/spx-market-facts.md does', () => {
    expect(INSTRUMENTS.SPX).toMatchObject({ underlying: 'SPX', multiplier: 100, tick: 'spx', style: 'european', settles: 'AM', settlement: 'cash', strikeStep: 5 });
    expect(INSTRUMENTS.SPXW).toMatchObject({ underlying: 'SPX', multiplier: 100, tick: 'spx', style: 'european', settles: 'PM', settlement: 'cash', strikeStep: 5 });
    expect(INSTRUMENTS.SPY).toMatchObject({ underlying: 'SPY', multiplier: 100, tick: 'penny', style: 'american', settles: 'PM', settlement: 'physical', strikeStep: 1 });
    for (const u of Object.values(UNDERLYINGS)) for (const r of u.roots) expect(underlyingOf(r)).toBe(u.underlying);
  });

  it('is what the calendar settles by (style, AM/PM, cash or shares)', () => {
    // 2026-03-20 is a third Friday: an SPX AM and an SPXW PM series expire that day.
    expect(settlement('SPX', '2026-03-20')).toMatchObject({ style: 'european', settles: 'AM', settlement: 'cash' });
    expect(settlement('SPXW', '2026-03-20')).toMatchObject({ style: 'european', settles: 'PM', settlement: 'cash' });
    expect(settlement('SPY', '2026-03-20')).toMatchObject({ style: 'american', settles: 'PM', settlement: 'physical' });
  });

  it('refuses a root it does not know, naming the ones it does', () => {
    expect(isOptionRoot('XSP')).toBe(false);
    expect(isOptionRoot('toString')).toBe(false);
    expect(() => instrument('XSP')).toThrow(/Unknown option root "XSP": Thetadesk trades SPX, SPXW, SPY/);
  });

  it('ticks: SPX 0.05 below $3.00 and 0.10 from there, SPY pennies; a combo takes the coarsest', () => {
    expect([tickAt('spx', 295), tickAt('spx', 300), tickAt('penny', 1234)]).toEqual([5, 10, 1]);
    expect(comboTickRule(['SPY', 'SPY'])).toBe('penny');
    expect(comboTickRule(['SPX', 'SPY'])).toBe('spx');
  });

  it('ATM strikes on each root’s grid: SPX to 5 points, SPY to $1', () => {
    expect(nearestStrike('SPXW', 6002.4)).toBe(6000);
    expect(nearestStrike('SPXW', 6002.6)).toBe(6005);
    expect(nearestStrike('SPY', 600.49)).toBe(600);
    expect(underlyingsOf(['SPXW', 'SPY', 'SPX'])).toEqual(['SPX', 'SPY']);
  });
});

describe('the one leg type', () => {
  it('a leg from a quote takes its underlying and multiplier from the table', () => {
    const q = { symbol: 'SPY260302C00600000', root: 'SPY' as const, expiration: '2026-03-02', strike: 600, right: 'C' as const };
    expect(legOf(q, 'SELL')).toEqual({ symbol: 'SPY260302C00600000', underlying: 'SPY', root: 'SPY', expiration: '2026-03-02', strike: 600, right: 'C', side: 'SELL', multiplier: 100 });
  });

  it('a combo has one dollar multiplier only when its legs agree', () => {
    expect(comboMultiplier([{ multiplier: 100 }, { multiplier: 100 }])).toBe(100);
    expect(comboMultiplier([{ multiplier: 100 }, { multiplier: 10 }])).toBeNull();
    expect(comboMultiplier([])).toBeNull();
  });
});
