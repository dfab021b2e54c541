/**
 * Seed 000, "Leg selection (delta-based)" and the basic sanity checks of `strategy/vertical_credit.py`.
 *
 * For one expiration and one delta target:
 * - **Short leg**: the option (puts for `side: 'put'`, calls for `'call'`) whose |delta| is closest to
 *   the target (`closestDelta`, ties to the farther OTM strike).
 * - **Long leg**: same expiration, farther OTM by exactly `width` points (`strikeAtDistance`, exact).
 *
 * Sanity gates, checked in this order (the first that fails skips the candidate, with its numbers):
 * 1. `no-delta-match`      no contract of that right has a delta, or the closest misses the target by
 *                          more than `maxDeltaGap`
 * 2. `long-strike-missing` the strike `width` points farther out is not listed
 * 3. `quote-quality`       a leg's quote is missing, negative, crossed, locked, stale (older than
 *                          `staleAfterMs` at the snapshot's own time) or too wide (shared/market/quality.ts).
 *                          A zero bid is left to gate 4 on the short leg; on the long leg (which we buy)
 *                          it is fine while its ask is no wider than `pctFloorAbs` (a 0 × 0.05 wing) and it is not stale
 * 4. `short-bid-zero`      the short leg's bid is 0: nothing to sell into
 * 5. `min-credit`          the credit at mid is below `minCredit`
 * 6. `credit-above-width`  the credit at mid is at least the width (bad data: no risk, no trade)
 * 7. `open-interest`       a leg's open interest is below `minOpenInterest` (unknown fails; 0 = gate off)
 *
 * All prices of the combo are integer cents (per share) computed from the legs' bids and asks.
 */
import type { ChainSnapshot, OptionQuote, Right } from '../../../shared/domain/chain.ts';
import { toCents } from '../../../shared/money.ts';
import { quoteQuality, type QualityVerdict } from '../../../shared/market/quality.ts';
import { closestDelta, strikeAtDistance } from '../../../shared/market/select.ts';
import type { CreditVerticalsConfig } from './config.ts';

/** A candidate that passed every gate. Cents are per share, per combo unit. */
export type Candidate = {
  targetDte: number;
  dte: number;
  expiration: string;
  deltaTarget: number;
  short: OptionQuote & { bid: number; ask: number };
  long: OptionQuote & { bid: number; ask: number };
  /** Short mid − long mid, rounded half away from zero to the cent. */
  midCents: number;
  /** Short bid − long ask (the worst fill), may be ≤ 0. */
  naturalCents: number;
  /** (short ask − short bid) + (long ask − long bid): what crossing both markets costs. */
  comboSpreadCents: number;
};

export type GateFailure = { gate: string; reason: string; details: Record<string, unknown> };

export type CandidateResult = { ok: true; candidate: Candidate } | { ok: false; failure: GateFailure };

const usd = (cents: number): string => `${cents < 0 ? '−' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;
const fmtDelta = (d: number | null): string => (d === null ? 'none' : Math.abs(d).toFixed(3));

/** Net mid of two quotes in integer cents: (sb + sa − lb − la) / 2, rounded half away from zero. */
export function comboMidCents(shortBidC: number, shortAskC: number, longBidC: number, longAskC: number): number {
  const twice = shortBidC + shortAskC - longBidC - longAskC;
  return Math.sign(twice) * Math.floor((Math.abs(twice) + 1) / 2);
}

/** The contracts of one expiration, root and right of a chain. */
function legsOf(chain: ChainSnapshot, expiration: string, root: string, right: Right): OptionQuote[] {
  return chain.contracts.filter((c) => c.expiration === expiration && c.root === root && c.right === right);
}

function verdictDetails(leg: 'short' | 'long', q: OptionQuote, v: QualityVerdict, cfg: CreditVerticalsConfig['quoteQuality']): Record<string, unknown> {
  return {
    leg,
    symbol: q.symbol,
    strike: q.strike,
    status: v.status,
    bid: v.bid,
    ask: v.ask,
    spread: v.spread,
    spreadPct: v.spreadPct,
    ageMs: v.ageMs,
    limits: { maxSpreadAbs: cfg.maxSpreadAbs, maxSpreadPct: cfg.maxSpreadPct, pctFloorAbs: cfg.pctFloorAbs, staleAfterMs: cfg.staleAfterMs },
  };
}

/**
 * Builds and checks the candidate for (`expiration`, `deltaTarget`) from `chain`. Quote quality is
 * judged at `chain.time` (see config.ts on staleness).
 */
export function buildCandidate(chain: ChainSnapshot, pick: { targetDte: number; dte: number; expiration: string }, deltaTarget: number, config: CreditVerticalsConfig): CandidateResult {
  const right: Right = config.side === 'put' ? 'P' : 'C';
  const sideWord = config.side === 'put' ? 'put' : 'call';
  const { expiration } = pick;
  const contracts = legsOf(chain, expiration, config.root, right);

  // 1. Short leg: |delta| closest to the target.
  const short = closestDelta(contracts, right, deltaTarget);
  const withDelta = contracts.filter((c) => c.delta !== null && Number.isFinite(c.delta)).length;
  const gap = short === null ? null : Math.abs(Math.abs(short.delta!) - deltaTarget);
  if (short === null || gap! > config.maxDeltaGap + 1e-12) {
    return fail('no-delta-match',
      short === null
        ? `No ${config.root} ${expiration} ${sideWord} has a delta (${contracts.length} ${sideWord}s listed)`
        : `Closest ${sideWord} to |Δ| ${deltaTarget} is the ${short.strike} at |Δ| ${fmtDelta(short.delta)}, ${gap!.toFixed(3)} away (limit ${config.maxDeltaGap})`,
      { deltaTarget, right, contracts: contracts.length, contractsWithDelta: withDelta, closest: short === null ? null : { symbol: short.symbol, strike: short.strike, delta: short.delta }, gap, maxDeltaGap: config.maxDeltaGap });
  }

  // 2. Long leg: exactly `width` points farther out of the money.
  const points = right === 'P' ? -config.width : config.width;
  const long = strikeAtDistance(contracts, short.strike, points, right, 'exact');
  if (long === null) {
    const want = short.strike + points;
    const below = contracts.filter((c) => c.strike < want).reduce<number | null>((m, c) => (m === null || c.strike > m ? c.strike : m), null);
    const above = contracts.filter((c) => c.strike > want).reduce<number | null>((m, c) => (m === null || c.strike < m ? c.strike : m), null);
    return fail('long-strike-missing', `No ${want} ${sideWord} listed for a ${config.width}-point spread ${right === 'P' ? 'below' : 'above'} the short ${short.strike}`,
      { shortStrike: short.strike, wantedStrike: want, width: config.width, nearestListed: { below, above } });
  }

  // 3. Quote quality of each leg at the snapshot's time.
  const qc = config.quoteQuality;
  for (const [leg, q] of [['short', short], ['long', long]] as const) {
    const v = quoteQuality(q, chain.time, qc);
    if (v.status === 'ok') continue;
    if (v.status === 'zero-bid') {
      if (leg === 'short') continue; // gate 4 names it
      // quoteQuality stops at 'zero-bid' before its staleness test: apply it here for the long leg.
      if (v.ageMs !== null && v.ageMs > qc.staleAfterMs) {
        return fail('quote-quality', `Long ${q.strike} ${sideWord}: stale quote (${Math.round(v.ageMs / 1000)} s old, limit ${Math.round(qc.staleAfterMs / 1000)} s)`, { ...verdictDetails(leg, q, v, qc), status: 'stale' });
      }
      if (toCents(v.ask!) <= toCents(qc.pctFloorAbs)) continue; // a 0 × 0.05 wing is a normal long leg
      return fail('quote-quality', `Long ${q.strike} ${sideWord}: zero bid and ask ${v.ask} above ${qc.pctFloorAbs}`, verdictDetails(leg, q, v, qc));
    }
    return fail('quote-quality', `${leg === 'short' ? 'Short' : 'Long'} ${q.strike} ${sideWord}: ${v.status} quote (${v.reason})`, verdictDetails(leg, q, v, qc));
  }
  // Quality passed: both legs have a finite bid and ask.
  const sb = toCents(short.bid!), sa = toCents(short.ask!), lb = toCents(long.bid!), la = toCents(long.ask!);

  // 4. Something to sell into.
  if (sb <= 0) {
    return fail('short-bid-zero', `Short ${short.strike} ${sideWord} has no bid (ask ${usd(sa)})`, { symbol: short.symbol, strike: short.strike, bidCents: sb, askCents: sa });
  }

  // 5.–6. Credit at mid.
  const midCents = comboMidCents(sb, sa, lb, la);
  const naturalCents = sb - la;
  const minCreditCents = toCents(config.minCredit);
  const creditDetails = { midCents, naturalCents, minCreditCents, widthCents: config.width * 100, shortStrike: short.strike, longStrike: long.strike, short: { bidCents: sb, askCents: sa }, long: { bidCents: lb, askCents: la } };
  if (midCents < minCreditCents) {
    return fail('min-credit', `Credit at mid ${usd(midCents)} is below the minimum ${usd(minCreditCents)} (${short.strike}/${long.strike} ${sideWord}s)`, creditDetails);
  }
  if (midCents >= config.width * 100) {
    return fail('credit-above-width', `Credit at mid ${usd(midCents)} is not below the ${config.width}-point width: bad quotes`, creditDetails);
  }

  // 7. Open interest.
  if (config.minOpenInterest > 0) {
    for (const [leg, q] of [['short', short], ['long', long]] as const) {
      if (q.openInterest === null || q.openInterest < config.minOpenInterest) {
        return fail('open-interest', `${leg === 'short' ? 'Short' : 'Long'} ${q.strike} ${sideWord}: open interest ${q.openInterest ?? 'unknown'} below ${config.minOpenInterest}`,
          { leg, symbol: q.symbol, openInterest: q.openInterest, minOpenInterest: config.minOpenInterest });
      }
    }
  }

  return {
    ok: true,
    candidate: {
      targetDte: pick.targetDte,
      dte: pick.dte,
      expiration,
      deltaTarget,
      short: short as Candidate['short'],
      long: long as Candidate['long'],
      midCents,
      naturalCents,
      comboSpreadCents: sa - sb + (la - lb),
    },
  };
}

function fail(gate: string, reason: string, details: Record<string, unknown>): CandidateResult {
  return { ok: false, failure: { gate, reason, details } };
}
