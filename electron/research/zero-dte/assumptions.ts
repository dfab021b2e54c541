/**
 * The assumptions' hash (T0/T9): sha-256 of the filled assumptions' canonical JSON (keys sorted), first
 * 16 hex digits. Stored on every artifact (model states, runs, rows), so a model fitted under other
 * assumptions is never used to score, and rows of different assumptions never mix.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { INSTRUMENTS } from '../../../shared/domain/instruments.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';

export function assumptionsHash(a: ZeroDteAssumptions): string {
  return createHash('sha256').update(canonicalJson(a)).digest('hex').slice(0, 16);
}

/** The 0DTE root of the study's underlying: SPY's own options, SPXW (PM-settled) for SPX — never AM-settled SPX. */
export function optionRootOf(symbol: ZeroDteAssumptions['symbol']): OptionRoot {
  return symbol === 'SPX' ? 'SPXW' : 'SPY';
}

/** The strike spacing of the study's root (SPY $1, SPXW 5 points). */
export function strikeStepOf(symbol: ZeroDteAssumptions['symbol']): number {
  return INSTRUMENTS[optionRootOf(symbol)].strikeStep;
}
