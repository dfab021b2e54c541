import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { createSimulator } from '../../market/sim/simulator.ts';
import { fromSimulator } from '../market-source.ts';
import type { OrderLeg } from '../port.ts';
import { PaperExchange, type ExchangeEvent } from './matching.ts';

function setup(insideFraction?: number) {
  const sim = createSimulator({ seed: 3, start: '2026-11-23' });
  sim.advanceTo(etToEpoch('2026-11-23', '10:00'));
  const exp = sim.expirations('SPXW')[3]!;
  const puts = sim.chain('SPXW', exp).contracts.filter((q) => q.right === 'P' && q.delta !== null && q.bid !== null && q.bid > 1);
  const short = puts.reduce((a, b) => (Math.abs(Math.abs(b.delta!) - 0.2) < Math.abs(Math.abs(a.delta!) - 0.2) ? b : a));
  const long = puts.find((q) => q.strike === short.strike - 25)!;
  const legs: OrderLeg[] = [
    { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: exp, strike: short.strike, right: 'P' }, side: 'SELL', ratio: 1, intent: 'open' },
    { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: exp, strike: long.strike, right: 'P' }, side: 'BUY', ratio: 1, intent: 'open' },
  ];
  const c = (x: number) => Math.round(x * 100);
  const midCredit = (c(short.bid!) + c(short.ask!)) / 2 - (c(long.bid!) + c(long.ask!)) / 2;
  const spreads = c(short.ask!) - c(short.bid!) + (c(long.ask!) - c(long.bid!));
  const natural = c(short.bid!) - c(long.ask!);
  const ex = new PaperExchange(fromSimulator(sim), insideFraction === undefined ? {} : { insideFraction });
  const fills: Extract<ExchangeEvent, { type: 'filled' }>[] = [];
  ex.onEvent((e) => {
    if (e.type === 'filled') fills.push(e);
  });
  return { ex, legs, midCredit, spreads, natural, fills };
}

describe('paper matching inside the spread (seed 000 fill model for the simulator)', () => {
  it('off by default: a credit limit between mid and natural rests', () => {
    const s = setup();
    const credit = Math.floor(s.midCredit - 0.3 * s.spreads);
    expect(credit).toBeGreaterThan(s.natural);
    s.ex.submit({ ref: 'a', legs: s.legs, quantity: 1, limitSigned: -credit });
    expect(s.ex.match()).toBe(0);
    expect(s.fills).toHaveLength(0);
  });

  it('with f = 0.30 a credit limit at mid − 0.30 × spreads fills at its own limit; one tick better rests', () => {
    const s = setup(0.3);
    const threshold = Math.floor(s.midCredit - 0.3 * s.spreads);
    s.ex.submit({ ref: 'rest', legs: s.legs, quantity: 1, limitSigned: -(threshold + 5) });
    s.ex.submit({ ref: 'fill', legs: s.legs, quantity: 2, limitSigned: -threshold });
    s.ex.match();
    expect(s.fills).toHaveLength(1);
    const f = s.fills[0]!;
    expect(f.order.ref).toBe('fill');
    expect(f.fill.netSigned).toBe(-threshold);
    // Leg prices sum exactly to the net (sell − buy), in cents.
    const [sell, buy] = f.fill.legPrices.map((p) => Math.round(p * 100)) as [number, number];
    expect(sell - buy).toBe(threshold);
    expect(f.fill.quantity).toBe(2);
  });

  it('a marketable limit still fills at natural, never worse than its limit', () => {
    const s = setup(0.3);
    s.ex.submit({ ref: 'mkt', legs: s.legs, quantity: 1, limitSigned: -(s.natural - 20) });
    s.ex.match();
    expect(s.fills[0]!.fill.netSigned).toBe(-s.natural);
  });
});

describe('paper buying power (Reg-T-like, defined risk)', () => {
  it('a 25-wide credit vertical needs its width, and closing it is never refused', () => {
    const s = setup(0.3);
    const before = s.ex.buyingPower();
    s.ex.submit({ ref: 'open', legs: s.legs, quantity: 2, limitSigned: -s.natural });
    s.ex.match();
    expect(s.fills).toHaveLength(1);
    // Margin = worst loss at expiration = 25 points × 100 × 2 = $5,000; net liq moved by the spread paid.
    const netLiqChange = s.ex.netLiquidation() - 100_000;
    expect(s.ex.buyingPower()).toBeCloseTo(before + netLiqChange - 5_000, 2);
    const close = s.legs.map((l) => ({ ...l, side: l.side === 'BUY' ? ('SELL' as const) : ('BUY' as const), intent: 'close' as const }));
    const order = s.ex.submit({ ref: 'close', legs: close, quantity: 2, limitSigned: 100_000 });
    expect(order.status).not.toBe('rejected');
  });
});
