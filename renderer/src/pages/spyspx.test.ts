import { describe, expect, it } from 'vitest';
import type { SpySpxView } from '../../../shared/api.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { legText, triggerText } from './spyspx.ts';

type Leg = SpySpxView['positions'][number]['legs'][number];
const leg = (o: Partial<Leg>): Leg => ({ underlying: 'SPX', side: 'BUY', symbol: 'x', strike: 6000, quantity: 1, filled: 0, state: 'waiting', orders: 0, deadline: null, limit: null, ...o });

describe('SPY/SPX page: leg fill states and the assignment trigger', () => {
  it('reads each leg as legging.ts works it: SPX first, SPY n of 10 with its deadline, SPY waiting for SPX', () => {
    const spx = leg({ state: 'working', orders: 1, limit: 12.3, deadline: etToEpoch('2026-01-20', '09:35') + 30_000 });
    const spy = leg({ underlying: 'SPY', side: 'SELL', quantity: 10, strike: 600 });
    expect(legText(spx, spx)).toBe('SPX leg 0 of 1 filled, working at 12.30 until 09:35:30 ET');
    expect(legText(spy, spx)).toBe('SPY leg waiting for the SPX leg');
    expect(legText(leg({ state: 'filled', filled: 1 }), null)).toBe('SPX leg filled');
    expect(legText({ ...spy, state: 'working', filled: 4, orders: 2, limit: 1.6, deadline: etToEpoch('2026-01-20', '09:36') }, spx)).toBe('SPY leg 4 of 10 filled, working at 1.60 until 09:36:00 ET (order 2)');
    expect(legText({ ...spy, state: 'partial', filled: 4, orders: 4 }, spx)).toBe('SPY leg 4 of 10 filled, no order working (part filled)');
  });

  it('says how far SPY is below strike + $10, and when it is beyond', () => {
    expect(triggerText({ assignmentTrigger: 611, spyToTrigger: 9.95 })).toEqual({ text: '$9.95 below 611.00', tone: 'pos' });
    expect(triggerText({ assignmentTrigger: 611, spyToTrigger: 1.5 }).tone).toBe('warn');
    expect(triggerText({ assignmentTrigger: 611, spyToTrigger: -0.5 })).toEqual({ text: '$0.50 above 611.00: assignment risk', tone: 'neg' });
    expect(triggerText({ assignmentTrigger: 611, spyToTrigger: null }).tone).toBeNull();
  });
});
