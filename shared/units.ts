/**
 * Units a config keeps for exactness that a trader should never have to read: integer cents and
 * milliseconds. A schema field says which with its `unit` annotation (`.meta({ unit: 'cents' })`);
 * this table is the one place that turns such a value into what is shown and typed ($ with 2
 * decimals, seconds) and back. The saved config stays in the schema's unit.
 */
import { formatUsd } from './format.ts';
import { fromCents, toCents } from './money.ts';

export type ShownUnit = {
  /** The schema's unit annotation this converts ('cents', 'ms'). */
  stored: string;
  /** What the field's label says instead: "Max loss per trade ($)", "Stale after (seconds)". */
  label: string;
  /** Decimals a typed value keeps (the stored unit's resolution): the input's step is 10^-decimals. */
  decimals: number;
  /** Stored → shown. */
  toShown: (stored: number) => number;
  /** Shown → stored, rounded half away from zero to the stored unit (an integer). */
  toStored: (shown: number) => number;
  /** A stored value as the input shows it: dollars always with 2 decimals ("500.00"), seconds as short as exact ("300", "0.25"). */
  text: (stored: number) => string;
  /** A stored value in words: "$500.00", "300 seconds". */
  describe: (stored: number) => string;
};

const MS_PER_SECOND = 1000;

const SHOWN_UNITS: Record<string, ShownUnit> = {
  cents: {
    stored: 'cents',
    label: '$',
    decimals: 2,
    toShown: fromCents,
    toStored: toCents,
    text: (cents) => fromCents(cents).toFixed(2),
    describe: (cents) => formatUsd(fromCents(cents)),
  },
  ms: {
    stored: 'ms',
    label: 'seconds',
    decimals: 3,
    toShown: (ms) => ms / MS_PER_SECOND,
    // The same nudge as toCents, so binary representation error never drops a millisecond (0.0015 s → 2 ms).
    toStored: (s) => Math.sign(s) * Math.round(Math.abs(s) * MS_PER_SECOND + 1e-9),
    text: (ms) => String(ms / MS_PER_SECOND),
    describe: (ms) => `${ms / MS_PER_SECOND} second${ms === MS_PER_SECOND ? '' : 's'}`,
  },
};

/** The conversion for a schema unit annotation, or null when the value is shown as stored. */
export function shownUnit(schemaUnit: unknown): ShownUnit | null {
  return typeof schemaUnit === 'string' && Object.hasOwn(SHOWN_UNITS, schemaUnit) ? SHOWN_UNITS[schemaUnit]! : null;
}
