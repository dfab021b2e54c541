/**
 * The one instrument table: what every option root Thetadesk trades is, and what each underlying is.
 * Every rule that depends on the root — its underlying, contract multiplier, minimum tick, exercise
 * style, AM/PM settlement, strike grid — reads it here instead of testing `root === 'SPX'`
 * (../shared/reference/spx-market-facts.md, "Contract facts").
 *
 * | root | underlying | multiplier | tick | style | settles | settlement | strikes near the money |
 * |------|-----------|-----------|------|-------|---------|-----------|------------------------|
 * | SPX  | SPX (index) | 100 | $0.05 below $3.00, $0.10 above | European | AM (SOQ, 3rd Friday) | cash | 5 points |
 * | SPXW | SPX (index) | 100 | same | European | PM (the close) | cash | 5 points |
 * | SPY  | SPY (ETF)   | 100 | $0.01 (penny pilot) | American | PM (the close) | physical (shares) | $1 |
 *
 * Every listed SPX, SPXW and SPY option has a multiplier of 100: a trade of 1 SPX call and 10 SPY calls
 * differs by its ratio and its underlyings' prices (SPX ≈ 10 × SPY), not by multiplier. Code still takes
 * each leg's own multiplier (a leg carries it), so a root with another multiplier is one row here.
 */
import type { OptionRoot, Underlying } from './chain.ts';

/** Which minimum-tick table applies: 'spx' = $0.05 below $3.00 and $0.10 at or above; 'penny' = $0.01. */
export type TickRule = 'spx' | 'penny';
export type ExerciseStyle = 'european' | 'american';
export type SettlementTime = 'AM' | 'PM';

export type Instrument = {
  root: OptionRoot;
  underlying: Underlying;
  /** Contract multiplier: dollars per point of option premium (100 → a 1.25 premium is $125). */
  multiplier: number;
  tick: TickRule;
  style: ExerciseStyle;
  /** AM: settled on the expiration morning's opening value (and stops trading the day before); PM: on the close. */
  settles: SettlementTime;
  settlement: 'cash' | 'physical';
  /** Strike spacing near the money (points); far strikes and long-dated series are wider. */
  strikeStep: number;
};

export const INSTRUMENTS: Readonly<Record<OptionRoot, Instrument>> = {
  SPX: { root: 'SPX', underlying: 'SPX', multiplier: 100, tick: 'spx', style: 'european', settles: 'AM', settlement: 'cash', strikeStep: 5 },
  SPXW: { root: 'SPXW', underlying: 'SPX', multiplier: 100, tick: 'spx', style: 'european', settles: 'PM', settlement: 'cash', strikeStep: 5 },
  SPY: { root: 'SPY', underlying: 'SPY', multiplier: 100, tick: 'penny', style: 'american', settles: 'PM', settlement: 'physical', strikeStep: 1 },
};

export type UnderlyingInfo = {
  underlying: Underlying;
  kind: 'index' | 'etf';
  /** Its option roots. */
  roots: readonly OptionRoot[];
};

export const UNDERLYINGS: Readonly<Record<Underlying, UnderlyingInfo>> = {
  SPX: { underlying: 'SPX', kind: 'index', roots: ['SPX', 'SPXW'] },
  SPY: { underlying: 'SPY', kind: 'etf', roots: ['SPY'] },
};

/** Whether a string is a root of the table. */
export function isOptionRoot(root: string): root is OptionRoot {
  return Object.hasOwn(INSTRUMENTS, root);
}

/** The instrument of a root; throws a RangeError naming the known roots for anything else. */
export function instrument(root: string): Instrument {
  if (!isOptionRoot(root)) throw new RangeError(`Unknown option root ${JSON.stringify(root)}: Thetadesk trades ${Object.keys(INSTRUMENTS).join(', ')}.`);
  return INSTRUMENTS[root];
}

/** The underlying an option root settles against (SPX and SPXW → SPX, SPY → SPY). */
export function underlyingOf(root: string): Underlying {
  return instrument(root).underlying;
}

/** The distinct underlyings of some roots, in the order first seen. */
export function underlyingsOf(roots: readonly string[]): Underlying[] {
  return [...new Set(roots.map(underlyingOf))];
}

/** Cents at which the 'spx' tick widens from 5 to 10. */
export const SPX_TICK_BREAK_CENTS = 300;

/** The minimum increment (cents) of a tick rule at an absolute price (cents). */
export function tickAt(rule: TickRule, absCents: number): number {
  if (rule === 'penny') return 1;
  return Math.abs(absCents) < SPX_TICK_BREAK_CENTS ? 5 : 10;
}

/**
 * The tick rule of a combo from its legs' roots: the coarsest of them (any SPX/SPXW leg → the SPX
 * table), so every limit sent is valid under each leg's rule.
 */
export function comboTickRule(roots: readonly string[]): TickRule {
  return roots.some((r) => instrument(r).tick === 'spx') ? 'spx' : 'penny';
}

/** The strike of the root's near-the-money grid nearest a price (the "ATM strike": SPX to 5 points, SPY to $1); halves round up. */
export function nearestStrike(root: string, price: number): number {
  const step = instrument(root).strikeStep;
  return Math.round(price / step) * step;
}
