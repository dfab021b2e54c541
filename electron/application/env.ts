/**
 * Start-up settings read from environment variables, checked in one place with one kind of message:
 * the variable's name, the value it had and what it must be (the range, with its bounds said the way
 * they hold: "greater than 0", "from 1 to 65535"), so a person can fix the line in their shell at once.
 * An unset or empty variable is "not given" (the caller's default applies).
 */
import { dayNumber } from '../../shared/time/days.ts';

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variable's text, or undefined when unset or empty. */
function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

function refuse(name: string, value: string, must: string, hint?: string): never {
  throw new EnvError(`${name} must be ${must}${hint ? ` (${hint})` : ''}, got "${value}".`);
}

export type NumberRule = {
  /** Least allowed value; `above: true` makes it exclusive ("greater than"). */
  min: number;
  above?: boolean;
  max: number;
  integer?: boolean;
  /** What the value means, shown after the range, e.g. "1 = real time". */
  hint?: string;
};

/** The range in words: "a whole number from 1 to 65535", "a number greater than 0 and at most 1000000". */
export function describeRange(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  return rule.above ? `${kind} greater than ${rule.min} and at most ${rule.max}` : `${kind} from ${rule.min} to ${rule.max}`;
}

/** A number from the environment, or `fallback` when the variable is not given. Throws EnvError otherwise. */
export function envNumber(env: Env, name: string, rule: NumberRule, fallback: number): number;
export function envNumber(env: Env, name: string, rule: NumberRule, fallback?: undefined): number | undefined;
export function envNumber(env: Env, name: string, rule: NumberRule, fallback?: number): number | undefined {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const v = Number(text.trim());
  const ok = Number.isFinite(v) && (rule.above ? v > rule.min : v >= rule.min) && v <= rule.max && (!rule.integer || Number.isInteger(v));
  if (!ok) refuse(name, text, describeRange(rule), rule.hint);
  return v;
}

/** One of `choices` from the environment, or undefined when not given. Throws EnvError naming them. */
export function envChoice<T extends string>(env: Env, name: string, choices: readonly T[]): T | undefined {
  const text = raw(env, name);
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) refuse(name, text, `one of ${choices.join(', ')}`);
  return text as T;
}

/**
 * A calendar date YYYY-MM-DD from the environment, or `fallback` when not given; `earliest`/`latest`
 * (YYYY-MM-DD, inclusive) bound it. Throws EnvError naming the variable, the value and the range.
 */
export function envDate(env: Env, name: string, range: { earliest: string; latest: string }, fallback: string): string {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const must = `a calendar date written YYYY-MM-DD from ${range.earliest} to ${range.latest}`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) refuse(name, text, must);
  try {
    dayNumber(text);
  } catch {
    refuse(name, text, must, 'that day does not exist');
  }
  if (text < range.earliest || text > range.latest) refuse(name, text, must);
  return text;
}
