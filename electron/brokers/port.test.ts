import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOrderTransition, ORDER_TRANSITIONS, TERMINAL, netPriceOf, signedCents, transition, type OrderEventType, type OrderStatus } from './port.ts';
import { toArray, errorText } from './tradier/broker.ts';
import { parseIbTime, domainContract } from './ibkr/parsing/contracts.ts';
import { applyOptionComputation, applyTickPrice, emptyTicks } from './ibkr/parsing/ticks.ts';
import { requestError } from './ibkr/parsing/errors.ts';
import { redact, registerSecret } from './redact.ts';

const STATUSES: OrderStatus[] = ['initialized', 'submitted', 'accepted', 'partially-filled', 'filled', 'pending-cancel', 'canceled', 'pending-replace', 'rejected', 'expired'];
const EVENTS: OrderEventType[] = ['submitted', 'accepted', 'rejected', 'partially-filled', 'filled', 'cancel-requested', 'canceled', 'cancel-rejected', 'replace-requested', 'replaced', 'replace-rejected', 'expired'];

describe('order state machine', () => {
  it('terminal states accept nothing except the real-world late fill after a cancel', () => {
    for (const s of TERMINAL) for (const e of EVENTS) {
      const next = ORDER_TRANSITIONS[`${s}:${e}`];
      if (s === 'canceled' && (e === 'filled' || e === 'partially-filled')) expect(next).toBeDefined();
      else expect(next).toBeUndefined();
    }
  });
  it('illegal pairs throw InvalidOrderTransition; filled and rejected are sinks', () => {
    expect(() => transition('filled', 'canceled')).toThrow(InvalidOrderTransition);
    expect(() => transition('initialized', 'filled')).toThrow(/cannot go from 'initialized' on 'filled'/);
    expect(transition('pending-cancel', 'filled')).toBe('filled');
  });
  it('any sequence of legal events never leaves the known states, and once filled stays filled', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 30 }), (events) => {
        let s: OrderStatus = 'initialized';
        let wasFilled = false;
        for (const e of events) {
          const n: OrderStatus | undefined = ORDER_TRANSITIONS[`${s}:${e}`];
          if (n === undefined) continue;
          s = n;
          expect(STATUSES).toContain(s);
          if (wasFilled) expect(s).toBe('filled');
          if (s === 'filled') wasFilled = true;
        }
      }),
    );
  });
  it('net prices round-trip through signed cents (debit +, credit −)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (c) => {
        expect(signedCents(netPriceOf(c))).toBe(c);
      }),
    );
    expect(netPriceOf(-125)).toEqual({ cents: 125, effect: 'credit' });
  });
});

describe('wire parsing', () => {
  it("Tradier lists: array, bare object, null and the string 'null'", () => {
    expect(toArray([1, 2])).toEqual([1, 2]);
    expect(toArray({ a: 1 })).toEqual([{ a: 1 }]);
    expect(toArray(null)).toEqual([]);
    expect(toArray('null')).toEqual([]);
    expect(errorText({ errors: { error: ['Invalid option symbol.', 'Backoffice rejected override of the order.'] } })).toBe('Invalid option symbol. Backoffice rejected override of the order.');
    expect(errorText({ order: { id: 1 } })).toBeNull();
  });
  it('IB times: UTC, US/Eastern across DST, epoch seconds; unreadable → null', () => {
    expect(parseIbTime('20250103 10:01:02 US/Eastern')).toBe(Date.parse('2025-01-03T15:01:02Z'));
    expect(parseIbTime('20250703 10:01:02 US/Eastern')).toBe(Date.parse('2025-07-03T14:01:02Z'));
    expect(parseIbTime('20250318 15:00:00 UTC')).toBe(Date.parse('2025-03-18T15:00:00Z'));
    expect(parseIbTime('1735914600')).toBe(1735914600000);
    expect(parseIbTime('yesterday')).toBeNull();
  });
  it('IB contracts → domain by trading class (SPXW vs SPX), SPY stock; others ignored', () => {
    expect(domainContract({ secType: 'OPT' as never, symbol: 'SPX', tradingClass: 'SPXW', lastTradeDateOrContractMonth: '20250321', strike: 5700, right: 'P' as never })).toEqual({ kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-21', strike: 5700, right: 'P' });
    expect(domainContract({ secType: 'STK' as never, symbol: 'SPY' })).toEqual({ kind: 'stock', symbol: 'SPY' });
    expect(domainContract({ secType: 'FUT' as never, symbol: 'ES' })).toBeNull();
  });
  it('ticks: −1 prices are missing (null), delayed tick types mark the quote delayed, model greeks win', () => {
    const s = emptyTicks();
    applyTickPrice(s, 1, -1);
    expect(s.bid).toBeNull();
    applyTickPrice(s, 67, 4.2);
    expect(s.ask).toBe(4.2);
    expect(s.delayed).toBe(true);
    applyOptionComputation(s, 10, { delta: -0.3 });
    applyOptionComputation(s, 13, { delta: -0.25, iv: undefined });
    expect(s.delta).toBe(-0.25);
    expect(s.iv).toBeNull();
  });
  it('IB error codes become classified advice', () => {
    expect(requestError(354, 'not subscribed', 'SPX quotes').kind).toBe('permission');
    expect(requestError(200, 'No security definition', 'SPXW 5701P').message).toMatch(/check the symbol, expiration, strike/);
    expect(requestError(162, 'pacing violation', 'SPX history').kind).toBe('rate-limited');
    expect(requestError(162, 'HMDS query returned no data', 'SPX history').kind).toBe('server');
  });
  it('redact masks registered secrets, account numbers and bearer tokens', () => {
    registerSecret('s3cr3t-token-value');
    const out = redact('Bearer abc123 for U1234567 and DU7654321 with s3cr3t-token-value');
    expect(out).not.toMatch(/abc123|U1234567|DU7654321|s3cr3t-token-value/);
    expect(out).toContain('…4567');
  });
});
