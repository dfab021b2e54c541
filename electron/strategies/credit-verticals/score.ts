/**
 * Seed 000: "Select the better candidate by score (rule-based initially; ML later)."
 *
 * The rule-based score of a candidate that passed every gate:
 *
 *     score = returnWeight × (credit / width) × (1 − |Δshort|)  −  spreadPenalty × (comboSpread / credit)
 *
 * - `credit / width`: credit at mid per point of width — the return on the spread's notional risk
 *   (a 2.35 credit on a 25-wide spread is 0.094);
 * - `1 − |Δshort|`: the short leg's delta as a rough probability of finishing in the money, so
 *   the return is weighted by a rough chance of keeping it;
 * - `comboSpread / credit`: what crossing both legs' markets costs, (short ask − short bid) + (long
 *   ask − long bid), relative to the credit — a credit that mostly lives inside the bid/ask is not
 *   really available.
 *
 * In practice (the real 2018 chains, the simulator) the 0.20-delta candidate usually wins: it collects
 * about twice the credit for a similar bid/ask cost. The 0.10 one wins when the 0.20's quotes are wide.
 *
 * Defaults: returnWeight 1, spreadPenalty 0.10. The score is rounded to 6 decimals, so scores that
 * differ only by float noise tie. Ties are broken deterministically, whatever the input order:
 * the smaller delta target (farther out of the money), then the earlier expiration (less time at
 * risk), then the short leg's OCC symbol.
 */
import type { Candidate } from './candidates.ts';
import type { CreditVerticalsConfig } from './config.ts';

export type ScoreParts = {
  score: number;
  creditToWidth: number;
  shortAbsDelta: number;
  spreadToCredit: number;
};

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The score of a candidate and the numbers behind it. */
export function scoreCandidate(c: Candidate, config: CreditVerticalsConfig): ScoreParts {
  const creditToWidth = c.midCents / (config.width * 100);
  const shortAbsDelta = Math.abs(c.short.delta ?? 0);
  const spreadToCredit = c.comboSpreadCents / c.midCents;
  const { returnWeight, spreadPenalty } = config.scoring;
  return {
    score: round6(returnWeight * creditToWidth * (1 - shortAbsDelta) - spreadPenalty * spreadToCredit),
    creditToWidth: round6(creditToWidth),
    shortAbsDelta,
    spreadToCredit: round6(spreadToCredit),
  };
}

/** Orders scored candidates best first (see the tie-break above). */
export function compareScored(a: { candidate: Candidate; parts: ScoreParts }, b: { candidate: Candidate; parts: ScoreParts }): number {
  if (a.parts.score !== b.parts.score) return b.parts.score - a.parts.score;
  if (a.candidate.deltaTarget !== b.candidate.deltaTarget) return a.candidate.deltaTarget - b.candidate.deltaTarget;
  if (a.candidate.expiration !== b.candidate.expiration) return a.candidate.expiration < b.candidate.expiration ? -1 : 1;
  return a.candidate.short.symbol < b.candidate.short.symbol ? -1 : a.candidate.short.symbol > b.candidate.short.symbol ? 1 : 0;
}
