import { describe, expect, it } from 'vitest';
import type { OptionQuote } from '../../../shared/domain/chain.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { session } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import type { LegMark, ManageDecision, PositionLeg, PositionView } from '../types.ts';
import { DEFAULT_CONFIG, parseCreditVerticalsConfig, type CreditVerticalsConfig } from './config.ts';
import { takeProfitGate } from './manage.ts';
import { creditVerticals } from './strategy.ts';
import { contractAt, EMPTY_PORTFOLIO, emptyMarket, entryInput, realChains } from '../../../tests/helpers/credit-verticals.ts';

const mark = (bid: number | null, ask: number | null, mid: number | null = bid !== null && ask !== null ? (bid + ask) / 2 : null): LegMark => ({ bid, ask, mid, delta: null, iv: null, time: null });

function leg(strike: number, side: 'BUY' | 'SELL', m: LegMark | null): PositionLeg {
  return { symbol: occSymbol('SPXW', '2018-01-31', 'P', strike), underlying: 'SPX', root: 'SPXW', expiration: '2018-01-31', strike, right: 'P', side, openQuantity: 2, multiplier: 100, entryPriceCents: 0, mark: m };
}

/** A 2-lot 2800/2775 put credit vertical with the given entry credit and leg marks. */
function position(entryCreditCents: number, short: LegMark | null, long: LegMark | null): PositionView {
  return {
    tradeId: 7, structure: 'put_credit_vertical', openedAt: etToEpoch('2018-01-24', '10:00'), quantity: 2, entryCreditCents,
    maxProfitCents: entryCreditCents * 200, maxLossCents: (2500 - entryCreditCents) * 200,
    legs: [leg(2800, 'SELL', short), leg(2775, 'BUY', long)], notes: {},
  };
}

const DAY = '2018-01-25';
const CLOSE = session(DAY)!.close;
function manage(p: PositionView, config: CreditVerticalsConfig = DEFAULT_CONFIG, now = etToEpoch(DAY, '11:00')): ManageDecision {
  return creditVerticals.manage({ now, config, position: p, portfolio: EMPTY_PORTFOLIO, sessionClose: CLOSE, market: emptyMarket(now) });
}
const kindGate = (d: ManageDecision): string => (d.kind === 'EXIT' ? `EXIT ${d.gate} ${d.urgency}` : 'HOLD');

describe('manage: take profit at 50% of max profit', () => {
  it('exits exactly at the boundary and holds one cent short of it', () => {
    // Credit 2.00: TP when P&L ≥ 1.00, i.e. spread value ≤ 1.00.
    const at = manage(position(200, mark(1.45, 1.55), mark(0.45, 0.55))); // value 1.50 − 0.50
    expect(kindGate(at)).toBe('EXIT TAKE_PROFIT_50 normal');
    expect(at.details).toMatchObject({ valueCents: 100, pnlCents: 100, entryCreditCents: 200, takeProfitAtCents: 100, stopLossAtCents: -200, pnlPctOfMaxProfit: 0.5 });
    expect(at.kind === 'EXIT' && at.reason).toBe('Take profit: P&L $200.00 at mid ≥ 50% of max profit $400.00 (at $200.00)');
    expect(at.kind === 'EXIT' && at.target).toEqual({ pctOfMaxProfit: 0.5, maxProfitCents: 200, levelCents: 100, priceBasis: 'mid', pnlCents: 100 });
    const near = manage(position(200, mark(1.46, 1.56), mark(0.45, 0.55))); // value 1.01
    expect(near.kind).toBe('HOLD');
    expect(near.details).toMatchObject({ valueCents: 101, pnlCents: 99, takeProfitAtCents: 100 });
  });

  it('an odd credit: 50% of 2.35 is 1.175, so P&L must reach 1.18', () => {
    expect(kindGate(manage(position(235, mark(1.12, 1.22), mark(0, 0))))).toBe('EXIT TAKE_PROFIT_50 normal'); // value 1.17, P&L 1.18
    const hold = manage(position(235, mark(1.13, 1.23), mark(0, 0))); // value 1.18, P&L 1.17
    expect(hold.kind).toBe('HOLD');
    expect(hold.details).toMatchObject({ pnlCents: 117, takeProfitAtCents: 118 });
  });

  it('names the configured percentage: TAKE_PROFIT_40', () => {
    expect(takeProfitGate(0.4)).toBe('TAKE_PROFIT_40');
    const d = manage(position(200, mark(1.15, 1.25), mark(0, 0)), parseCreditVerticalsConfig({ takeProfitPct: 0.4 })); // P&L 0.80
    expect(kindGate(d)).toBe('EXIT TAKE_PROFIT_40 normal');
  });

  it('marks half-cent mids exactly: the value rounds half away from zero once, at the end', () => {
    expect(manage(position(200, mark(1.15, 1.2), mark(0.55, 0.6))).details).toMatchObject({ valueCents: 60 }); // 1.175 − 0.575
    expect(manage(position(200, mark(1.15, 1.2), mark(0.57, 0.57))).details).toMatchObject({ valueCents: 61 }); // 1.175 − 0.57 = 0.605
    // 1.17 − 0.565 = 0.605 → 0.61; rounding the long leg's mid first (0.57) would give 0.60.
    expect(manage(position(200, mark(1.16, 1.18), mark(0.56, 0.57))).details).toMatchObject({ valueCents: 61 });
    const d = manage(position(235, mark(3.7, 4), mark(1.75, 1.9))); // 3.85 − 1.825 = 2.025 → 2.03
    expect(d.details).toMatchObject({ valueCents: 203, pnlCents: 32 });
    for (const k of ['valueCents', 'pnlCents', 'takeProfitAtCents', 'stopLossAtCents'] as const) expect(Number.isInteger(d.details[k])).toBe(true);
  });
});

describe('manage: stop loss at −100% of max profit', () => {
  it('exits marketable when the loss equals the credit, holds a cent before', () => {
    const sl = manage(position(200, mark(4.45, 4.55), mark(0.45, 0.55))); // value 4.00, P&L −2.00
    expect(kindGate(sl)).toBe('EXIT STOP_LOSS marketable');
    expect(sl.details).toMatchObject({ valueCents: 400, pnlCents: -200, stopLossAtCents: -200 });
    expect(sl.kind === 'EXIT' && sl.reason).toBe('Stop loss: P&L −$400.00 at mid ≤ −100% of max profit $400.00 (at −$400.00)');
    expect(sl.kind === 'EXIT' && sl.target).toEqual({ pctOfMaxProfit: -1, maxProfitCents: 200, levelCents: -200, priceBasis: 'mid', pnlCents: -200 });
    expect(manage(position(200, mark(4.44, 4.54), mark(0.45, 0.55))).kind).toBe('HOLD'); // value 3.99
  });

  it('honours a configured multiple (2× credit) and wins over a session exit', () => {
    const cfg = parseCreditVerticalsConfig({ stopLossPct: 2, sessionExit: { enabled: true } });
    expect(manage(position(200, mark(4.45, 4.55), mark(0.45, 0.55)), cfg).kind).toBe('HOLD');
    expect(kindGate(manage(position(200, mark(6.45, 6.55), mark(0.45, 0.55)), cfg, CLOSE - 60_000))).toBe('EXIT STOP_LOSS marketable');
  });
});

describe("manage: exitTriggerPrice 'natural' measures P&L at what the close can get", () => {
  const natural = parseCreditVerticalsConfig({ exitTriggerPrice: 'natural' });

  it("the seed's mid is the default", () => {
    expect(DEFAULT_CONFIG.exitTriggerPrice).toBe('mid');
    expect(() => parseCreditVerticalsConfig({ exitTriggerPrice: 'last' })).toThrow(/exitTriggerPrice must be 'mid' or 'natural'/);
  });

  it('take profit waits until the closing cost (short at the ask, long at the bid) reaches the level', () => {
    // Credit 2.00, TP at P&L 1.00. Mid value 1.50 − 0.50 = 1.00 fires at mid; the close costs 1.55 − 0.45 = 1.10.
    const p = position(200, mark(1.45, 1.55), mark(0.45, 0.55));
    expect(kindGate(manage(p))).toBe('EXIT TAKE_PROFIT_50 normal');
    const held = manage(p, natural);
    expect(held.kind).toBe('HOLD');
    expect(held.details).toMatchObject({ valueCents: 110, pnlCents: 90, takeProfitAtCents: 100, exitTriggerPrice: 'natural' });
    // One cent short at natural still holds; at a closing cost of exactly 1.00 it exits.
    expect(manage(position(200, mark(1.36, 1.46), mark(0.45, 0.55)), natural).details).toMatchObject({ valueCents: 101, pnlCents: 99 });
    expect(manage(position(200, mark(1.36, 1.46), mark(0.45, 0.55)), natural).kind).toBe('HOLD');
    const fired = manage(position(200, mark(1.35, 1.45), mark(0.45, 0.55)), natural);
    expect(kindGate(fired)).toBe('EXIT TAKE_PROFIT_50 normal');
    expect(fired.details).toMatchObject({ valueCents: 100, pnlCents: 100 });
    expect(fired.kind === 'EXIT' && fired.reason).toBe('Take profit: P&L $200.00 at natural ≥ 50% of max profit $400.00 (at $200.00)');
    expect(fired.kind === 'EXIT' && fired.target).toEqual({ pctOfMaxProfit: 0.5, maxProfitCents: 200, levelCents: 100, priceBasis: 'natural', pnlCents: 100 });
  });

  it('stop loss at natural fires when the closing cost reaches the loss, before the mid does', () => {
    // Mid value 3.90 (P&L −1.90) holds; buying back costs 4.00 (4.20 ask − 0.20 bid): P&L −2.00, the stop.
    const p = position(200, mark(3.8, 4.2), mark(0.2, 0.3));
    expect(manage(p).kind).toBe('HOLD');
    const d = manage(p, natural);
    expect(kindGate(d)).toBe('EXIT STOP_LOSS marketable');
    expect(d.details).toMatchObject({ valueCents: 400, pnlCents: -200, stopLossAtCents: -200 });
  });

  it('holds without the price the close needs: no ask on the short leg, no bid on the long leg', () => {
    for (const p of [position(200, mark(1, null, 1), mark(0.45, 0.55)), position(200, mark(0.1, 0.2), mark(null, 0.05, 0.05))]) {
      const d = manage(p, natural);
      expect(d.kind).toBe('HOLD');
      expect(String(d.details.reason)).toMatch(/^Closing prices \(ask of a short leg, bid of a long leg\) missing for SPXW180131P0(2800|2775)000/);
    }
  });
});

describe('manage: missing marks and session exit', () => {
  it('holds when any leg has no mid, whatever the other numbers say', () => {
    const cfg = parseCreditVerticalsConfig({ sessionExit: { enabled: true } });
    for (const p of [position(200, null, mark(0.45, 0.55)), position(200, mark(9, 10), mark(null, 0.55)), position(200, mark(4.45, 4.55), mark(0.1, 0.2, null))]) {
      const d = manage(p, cfg, CLOSE - 60_000);
      expect(d.kind).toBe('HOLD');
      expect(String(d.details.reason)).toMatch(/^Marks missing for SPXW180131P0(2800|2775)000: holding, never exit on missing data$/);
      expect((d.details.marksMissing as string[]).length).toBe(1);
    }
  });

  it('session exit: off by default; when on, from 15 minutes before the close', () => {
    const p = position(200, mark(1.95, 2.05), mark(0.45, 0.55)); // P&L 0.50: neither TP nor SL
    expect(manage(p, DEFAULT_CONFIG, CLOSE - 60_000).kind).toBe('HOLD');
    const cfg = parseCreditVerticalsConfig({ sessionExit: { enabled: true } });
    expect(manage(p, cfg, CLOSE - 16 * 60_000).kind).toBe('HOLD');
    const d = manage(p, cfg, CLOSE - 15 * 60_000);
    expect(kindGate(d)).toBe('EXIT SESSION_EXIT marketable');
    expect(d.details).toMatchObject({ sessionExitAt: CLOSE - 15 * 60_000, pnlCents: 50 });
    // An early close (2018-11-23, 13:00 ET) moves it with the session the engine passes.
    const early = session('2018-11-23')!.close;
    expect(early).toBe(etToEpoch('2018-11-23', '13:00'));
    const now = etToEpoch('2018-11-23', '12:50');
    expect(creditVerticals.manage({ now, config: cfg, position: p, portfolio: EMPTY_PORTFOLIO, sessionClose: early, market: emptyMarket(now) }).kind).toBe('EXIT');
  });
});

describe('manage on the real 2018-01 marks', () => {
  it('the 2018-01-24 ENTER holds on the 25th and takes profit on the 26th', () => {
    const entry = creditVerticals.evaluateEntry(entryInput('2018-01-24', realChains('2018-01-24'))).find((d) => d.kind === 'ENTER')!;
    const p = entry.proposal!;
    const markOn = (date: string, strike: number): LegMark => {
      const q: OptionQuote = contractAt(realChains(date).get('2018-01-31')!, strike, 'P');
      return mark(q.bid, q.ask);
    };
    const pos = (date: string): PositionView => ({
      ...position(p.midCents, markOn(date, p.legs[0]!.strike), markOn(date, p.legs[1]!.strike)),
      quantity: p.quantity,
      legs: p.legs.map((l, i) => ({ ...leg(l.strike, l.side, markOn(date, l.strike)), symbol: l.symbol, openQuantity: p.quantity, entryPriceCents: i === 0 ? 465 : 230 })),
    });
    // 25th: 2800P 3.70 × 4.00, 2775P 1.75 × 1.90 → value 2.025 → 2.03, P&L 0.32 of 2.35.
    const d25 = manage(pos('2018-01-25'), DEFAULT_CONFIG, etToEpoch('2018-01-25', '10:00'));
    expect(d25).toMatchObject({ kind: 'HOLD', details: { valueCents: 203, pnlCents: 32, takeProfitAtCents: 118, stopLossAtCents: -235 } });
    // 26th (SPX 2872.82): 0.55 × 0.70 and 0.35 × 0.45 → value 0.225 → 0.23, P&L 2.12 ≥ 1.18.
    const d26 = manage(pos('2018-01-26'), DEFAULT_CONFIG, etToEpoch('2018-01-26', '10:00'));
    expect(kindGate(d26)).toBe('EXIT TAKE_PROFIT_50 normal');
    expect(d26.details).toMatchObject({ valueCents: 23, pnlCents: 212 });
  });

  it('the real 2018-01-30 marks stop out a trade that had collected only $1.00', () => {
    const c = realChains('2018-01-30').get('2018-01-31')!;
    const s = contractAt(c, 2800, 'P'), l = contractAt(c, 2775, 'P'); // 3.10 × 3.40, 1.10 × 1.25: value 2.075 → 2.08
    const d = manage(position(100, mark(s.bid, s.ask), mark(l.bid, l.ask)));
    expect(kindGate(d)).toBe('EXIT STOP_LOSS marketable');
    expect(d.details).toMatchObject({ valueCents: 208, pnlCents: -108, stopLossAtCents: -100 });
  });
});
