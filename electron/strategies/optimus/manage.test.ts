/**
 * Seed 002 §7 exits at their boundaries, on real dates: the day's regime comes from the real closes, the
 * DTE from the real calendar; the spread's marks are set to the cent around each level.
 */
import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { closeView } from '../../../tests/helpers/daily-history.ts';
import type { ManageDecision, PortfolioView, PositionView } from '../types.ts';
import { OptimusConfigSchema } from './config.ts';
import { manageOptimus } from './manage.ts';

const c = OptimusConfigSchema.parse({});
const at = (date: string) => etToEpoch(date, '16:15');

/** A 2 × 2900/2850 put credit spread opened at a $2.60 credit, marked at the given mids (null: unmarked). */
function spread(expiration: string, shortMid: number | null, longMid: number | null, openedOn = '2019-07-01'): PositionView {
  const leg = (strike: number, side: 'SELL' | 'BUY', mid: number | null, entry: number) => ({
    symbol: `SPX${expiration.replaceAll('-', '').slice(2)}P0${strike}000`, underlying: 'SPX' as const, root: 'SPX' as const, expiration, strike, right: 'P' as const, side, multiplier: 100,
    openQuantity: 2, entryPriceCents: entry, mark: mid === null ? null : { bid: mid - 0.05, ask: mid + 0.05, mid, delta: null, iv: null, time: null },
  });
  return {
    tradeId: 7, structure: 'put_credit_spread', openedAt: etToEpoch(openedOn, '10:00'), quantity: 2, entryCreditCents: 260, maxProfitCents: 52_000, maxLossCents: 948_000,
    legs: [leg(2900, 'SELL', shortMid, 1240), leg(2850, 'BUY', longMid, 980)], notes: {},
  };
}
const NO_RECORD: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };
const manage = (date: string, p: PositionView): ManageDecision => manageOptimus({ now: at(date), config: c, position: p, portfolio: NO_RECORD, sessionClose: etToEpoch(date, '16:00'), market: closeView(date) });
const gateOf = (m: ManageDecision) => (m.kind === 'EXIT' ? m.gate : 'HOLD');

describe('profit target (§7.1: 50 % of max profit; §7.3: 40 % from 28 DTE)', () => {
  it('2019-07-10, Bullish Calm, 37 DTE to the 2019-08-16 monthly: worth $1.30 (half the $2.60 credit) exits; $1.31 holds', () => {
    const hit = manage('2019-07-10', spread('2019-08-16', 5.3, 4.0));
    expect(hit).toMatchObject({ kind: 'EXIT', gate: 'TAKE_PROFIT_50', urgency: 'normal', target: { pctOfMaxProfit: 0.5, levelCents: 130, pnlCents: 130, priceBasis: 'mid' } });
    expect(hit.details).toMatchObject({ dte: 37, valueCents: 130, regime: 'Bullish Calm' });
    expect(gateOf(manage('2019-07-10', spread('2019-08-16', 5.31, 4.0)))).toBe('HOLD');
  });

  it('2019-07-19, 28 DTE — the soft warning: the target is 40 % ($1.04 of P&L): worth $1.56 exits as TAKE_PROFIT_40, $1.57 holds; a day earlier (29 DTE) $1.56 still holds', () => {
    expect(manage('2019-07-19', spread('2019-08-16', 5.56, 4.0))).toMatchObject({ kind: 'EXIT', gate: 'TAKE_PROFIT_40', target: { pctOfMaxProfit: 0.4, levelCents: 104 } });
    expect(gateOf(manage('2019-07-19', spread('2019-08-16', 5.57, 4.0)))).toBe('HOLD');
    expect(gateOf(manage('2019-07-18', spread('2019-08-16', 5.56, 4.0)))).toBe('HOLD');
  });
});

describe('stop loss (§7.1: spread value at 200 % of the credit)', () => {
  it('2019-07-10: worth $5.20 (2 × $2.60) exits, marketable; $5.19 holds', () => {
    const hit = manage('2019-07-10', spread('2019-08-16', 9.2, 4.0));
    expect(hit).toMatchObject({ kind: 'EXIT', gate: 'STOP_LOSS', urgency: 'marketable', target: { pctOfMaxProfit: -1, levelCents: -260, pnlCents: -260 } });
    expect(hit.kind === 'EXIT' && hit.reason).toBe('Stop loss: the spread is worth $5.20 ≥ 200% of the $2.60 credit ($5.20)');
    expect(gateOf(manage('2019-07-10', spread('2019-08-16', 9.19, 4.0)))).toBe('HOLD');
  });

  it('the §9.3 block at the decision: a loss of 1× the premium, running stats with this trade', () => {
    const hit = manage('2019-07-10', spread('2019-08-16', 9.2, 4.0));
    expect(hit.details.log).toEqual([
      '[TRADE CLOSED] 2019-07-10 | SPX Put Credit Spread',
      '  Reason: STOP LOSS (200% of credit)',
      '  Entry Credit: $2.60',
      '  Exit Debit: $5.20',
      '  P/L: -$2.60 per contract (-$520 total, 2 contracts)',
      '  Return on Risk: -5.5% (-$520 / $9,480)',
      '  Days Held: 9',
      '  DTE at Close: 37',
      '  Win/Loss: LOSS',
      '  Running Stats: 0W / 1L (0.0% win rate), Profit Factor: 0.00',
    ]);
  });
});

describe('time stop (§7.1, §7.3: 21 DTE, whatever the P/L; never to expiration)', () => {
  it('2019-07-26 is 21 DTE to 2019-08-16: exits at a P&L between the levels; 2019-07-25 (22 DTE) holds', () => {
    expect(manage('2019-07-26', spread('2019-08-16', 4.5, 2.5))).toMatchObject({ kind: 'EXIT', gate: 'TIME_STOP', details: { dte: 21 } });
    expect(gateOf(manage('2019-07-25', spread('2019-08-16', 4.5, 2.5)))).toBe('HOLD');
  });

  it('fires without marks (it needs no price); a profit target does not', () => {
    expect(gateOf(manage('2019-07-26', spread('2019-08-16', null, null)))).toBe('TIME_STOP');
    const hold = manage('2019-07-25', spread('2019-08-16', null, null));
    expect(hold).toMatchObject({ kind: 'HOLD', details: { reason: 'A leg has no mid: holding, never exit on missing data' } });
  });

  it('priority (§7.2): at 21 DTE a spread at its profit target exits as a profit target', () => {
    expect(gateOf(manage('2019-07-26', spread('2019-08-16', 5.0, 4.0)))).toBe('TAKE_PROFIT_40');
  });
});

describe('regime shift (§7.1: Crisis or Bear Trend closes every position within one business day)', () => {
  it('2019-08-05: VIX/VIX3M 1.12, steep backwardation — Crisis: a 46-DTE spread between its levels exits, marketable', () => {
    const m = manage('2019-08-05', spread('2019-09-20', 8.0, 4.0, '2019-07-24'));
    expect(m).toMatchObject({ kind: 'EXIT', gate: 'REGIME_SHIFT', urgency: 'marketable', details: { regime: 'Crisis', dte: 46 } });
    expect(m.kind === 'EXIT' && m.reason).toMatch(/^Regime shift: Crisis \(VIX\/VIX3M 1\.1\d ≥ 1\.05: steep backwardation\)/);
  });

  it('2022-01-25: SPX under its 200-day EMA — Bear Trend: exits; 2022-01-24, still above it, the same spread holds', () => {
    expect(manage('2022-01-25', spread('2022-03-18', 8.0, 4.0, '2022-01-10'))).toMatchObject({ kind: 'EXIT', gate: 'REGIME_SHIFT', details: { regime: 'Bear Trend' } });
    expect(gateOf(manage('2022-01-24', spread('2022-03-18', 8.0, 4.0, '2022-01-10')))).toBe('HOLD');
  });
});
