import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bsmPrice, impliedVolFromQuote } from '../../shared/optionmath/index.ts';
import type { OptionRight } from '../../shared/optionmath/index.ts';

// Real-data check of the shared implied-vol solver (lives here because shared/ may not read files).
describe('real data: SPXW end-of-day chains, Jan–Feb 2018', () => {
  const file = path.resolve(import.meta.dirname, '../../..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

  it('every quote gets a vol or a typed reason; out-of-the-money vols track the vendor’s', () => {
    let ok = 0;
    const diffs: number[] = [];
    const reasons = new Map<string, number>();
    for (const [quoteDate, , und, , expiry, right, strike, , bid, ask, , , vendorIv, vendorDelta] of rows) {
      // EOD snapshot at the 16:00 close, PM expiry at 16:00: whole calendar days.
      const days = (Date.parse(expiry!) - Date.parse(quoteDate!)) / 86_400_000;
      const i = { spot: Number(und), strike: Number(strike), t: days / 365, rate: 0.015, div: 0.018, right: right as OptionRight };
      const r = impliedVolFromQuote(Number(bid), Number(ask), i);
      if (!r.ok) {
        reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
        continue;
      }
      ok++;
      expect(bsmPrice({ ...i, vol: r.iv })).toBeCloseTo((Number(bid) + Number(ask)) / 2, 8);
      const otm = right === 'C' ? i.strike > i.spot : i.strike < i.spot;
      const d = Math.abs(Number(vendorDelta));
      if (otm && d >= 0.1 && d <= 0.5) diffs.push(Math.abs(r.iv - Number(vendorIv)));
    }
    expect(ok + [...reasons.values()].reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(ok / rows.length).toBeGreaterThan(0.6);
    // 0DTE rows (expiry = quote date) have t = 0: bad-input "expired"; deep ITM quotes at parity: no time value.
    expect([...reasons.keys()].every((k) => ['bad-input', 'below-intrinsic', 'no-time-value', 'crossed-quote'].includes(k))).toBe(true);
    diffs.sort((a, b) => a - b);
    expect(diffs.length).toBeGreaterThan(1000);
    // The vendor's snapshot time and rates are unknown, so agreement is loose but systematic.
    expect(diffs[Math.floor(diffs.length / 2)]).toBeLessThan(0.01);
  });
});
