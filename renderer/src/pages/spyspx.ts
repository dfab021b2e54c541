/** The SPY/SPX 0DTE page's pure parts (SpySpxPage.tsx): how a leg's fill state and SPY's distance to the trigger read. */
import type { SpySpxView } from '../../../shared/api.ts';
import { etTime } from '../../../shared/time/et.ts';

type Leg = SpySpxView['positions'][number]['legs'][number];

/** "SPX leg filled", "SPY leg 4 of 10 filled, working at 1.60 until 10:00:33 ET (order 2)", "SPY leg waiting for the SPX leg". */
export function legText(leg: Leg, first: Leg | null): string {
  const name = `${leg.underlying} leg`;
  if (leg.state === 'filled') return `${name} filled${leg.quantity > 1 ? ` (${leg.filled} of ${leg.quantity})` : ''}`;
  if (leg.state === 'waiting') return first && first !== leg ? `${name} waiting for the ${first.underlying} leg` : `${name} not sent yet`;
  const count = `${leg.filled} of ${leg.quantity} filled`;
  if (leg.state === 'working') {
    const at = leg.limit === null ? '' : ` at ${leg.limit.toFixed(2)}`;
    const until = leg.deadline === null ? '' : ` until ${etTime(leg.deadline)}`;
    return `${name} ${count}, working${at}${until}${leg.orders > 1 ? ` (order ${leg.orders})` : ''}`;
  }
  return `${name} ${count}, no order working${leg.state === 'partial' ? ' (part filled)' : ''}`;
}

/** SPY's distance below the assignment trigger: `$9.95 below 611.00`, or beyond it. */
export function triggerText(p: Pick<SpySpxView['positions'][number], 'assignmentTrigger' | 'spyToTrigger'>): { text: string; tone: 'pos' | 'warn' | 'neg' | null } {
  const d = p.spyToTrigger;
  if (d === null) return { text: `trigger ${p.assignmentTrigger.toFixed(2)} (no SPY price)`, tone: null };
  if (d < 0) return { text: `$${(-d).toFixed(2)} above ${p.assignmentTrigger.toFixed(2)}: assignment risk`, tone: 'neg' };
  return { text: `$${d.toFixed(2)} below ${p.assignmentTrigger.toFixed(2)}`, tone: d < 2 ? 'warn' : 'pos' };
}
