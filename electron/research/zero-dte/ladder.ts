/**
 * T3 and T6: premiums for candidate strikes, and the strike ladder per risk tier.
 *
 * Premium (T3). With a quote source (the simulator's 0DTE chains, or any broker snapshot) the strike
 * resolves to the session's own 0DTE put of the study's root (SPY, or SPXW for SPX — PM-settled, never
 * the AM-settled SPX monthly): no listed expiration that day → `no_contract`, a contract that does not
 * settle at the close → `settlement_mismatch`; the quote is judged by the one quote-quality rule
 * (shared/market/quality.ts: missing, crossed, locked, zero bid, stale, wide). Without quotes (the SPY
 * hourly history has none) the premium is a **model value**, flagged `modeled`: Black–Scholes with the
 * previous VIX close × `ivScale` as the volatility and the session's remaining trading minutes as the
 * time, a modeled half-spread around it. The fill: the bid (default) or the mid, less the slippage.
 *
 * Ladder (T6). For each risk tier the recommended strike is the one nearest the money whose breach
 * probability is within the tier (a tighter tier can only move it further out of the money). Each row
 * carries the premium, quality flags, the EV proxy per share — fill − E[intrinsic at the close] −
 * commission / 100 — with bands at the interval's ends, and an explicit skip reason when it is not a
 * recommendation (low-sample bucket, no strike within the tier, quote quality, EV below the minimum).
 */
import type { Premium, BreachProbability, LadderRow, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { expirations, session, settlement } from '../../../shared/market/calendar.ts';
import { quoteQuality } from '../../../shared/market/quality.ts';
import { bsmPriceRaw } from '../../../shared/optionmath/index.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { optionRootOf } from './assumptions.ts';
import { breachProbabilities, type TailModel } from './model.ts';

/** A put quote of a listed contract; null when the strike is not listed. */
export type PutQuote = { bid: number | null; ask: number | null; quoteTime: number | null };

/** Where real option quotes come from (the simulator's chains, a broker). */
export interface QuoteSource {
  /** The put of `root` expiring `expiration` at `strike`, as quoted at `at` (epoch ms); null when not listed. */
  putQuote(root: OptionRoot, expiration: string, strike: number, at: number): PutQuote | null;
}

const cents = (x: number) => Math.round(x * 100) / 100;

/** What premium resolution says: a premium, or why there is none. */
export type PremiumResult = { ok: true; premium: Premium } | { ok: false; reason: 'no_contract' | 'settlement_mismatch'; detail: string };

/** The modeled put value (dollars per share) at `spot` with `minutesLeft` trading minutes to the close. */
export function modeledPutValue(spot: number, strike: number, minutesLeft: number, state: StudyState, a: ZeroDteAssumptions): { value: number; vol: number; basis: string } {
  const t = Math.max(0, minutesLeft) / a.premium.tradingMinutesPerYear;
  let vol: number;
  let basis: string;
  if (state.features.vixPriorClose !== null) {
    vol = (state.features.vixPriorClose / 100) * a.premium.ivScale;
    basis = `VIX ${state.features.vixPriorClose.toFixed(2)}`;
  } else {
    // No VIX: the realized volatility so far, annualized over the minutes it covers.
    const open = session(state.sessionDate)?.open ?? state.decisionTs;
    const elapsed = Math.max(1, (state.decisionTs - open) / 60_000);
    vol = Math.max(0.05, state.features.realizedVol * Math.sqrt(a.premium.tradingMinutesPerYear / elapsed)) * a.premium.ivScale;
    basis = 'realized volatility (no VIX)';
  }
  return { value: bsmPriceRaw(spot, strike, t, vol, 0, 0, false), vol, basis };
}

/** The sale price under the fill model, less slippage; null when there is nothing to sell into. */
function fillOf(bid: number | null, mid: number | null, a: ZeroDteAssumptions): number | null {
  const base = a.fill.model === 'bid' ? bid : mid;
  if (base === null || base <= 0) return null;
  const f = cents(base - a.fill.slippage);
  return f > 0 ? f : null;
}

/**
 * The premium of the 0DTE put at `strike` at instant `at` with the underlying at `spot` and
 * `minutesLeft` trading minutes to the close.
 */
export function premiumFor(state: StudyState, strike: number, at: number, spot: number, minutesLeft: number, a: ZeroDteAssumptions, source: QuoteSource | null): PremiumResult {
  if (source) {
    const root = optionRootOf(a.symbol);
    const date = state.sessionDate;
    if (!expirations(root, date, date).includes(date)) return { ok: false, reason: 'no_contract', detail: `no ${root} series expires on ${date}` };
    const s = settlement(root, date);
    if (s.settles !== 'PM') return { ok: false, reason: 'settlement_mismatch', detail: `${root} ${date} settles ${s.settles}, not at today's close` };
    const q = source.putQuote(root, date, strike, at);
    if (!q) return { ok: false, reason: 'no_contract', detail: `no ${root} ${date} ${strike} put listed` };
    const v = quoteQuality(q, at, a.quoteQuality);
    return { ok: true, premium: { bid: v.bid, ask: v.ask, mid: v.mid, fill: v.status === 'ok' ? fillOf(v.bid, v.mid, a) : null, source: 'quote', quality: v.status, detail: v.reason } };
  }
  const { value, basis } = modeledPutValue(spot, strike, minutesLeft, state, a);
  const half = Math.max(a.premium.minHalfSpread, value * a.premium.halfSpreadPct);
  const bid = Math.max(0, cents(value - half));
  const ask = cents(value + half);
  const mid = cents(value);
  const zero = bid <= 0;
  return {
    ok: true,
    premium: {
      bid,
      ask,
      mid,
      fill: zero ? null : fillOf(bid, mid, a),
      source: 'model',
      quality: zero ? 'zero-bid' : 'modeled',
      detail: `modeled (Black–Scholes at ${basis}${a.premium.ivScale !== 1 ? ` × ${a.premium.ivScale}` : ''}, ${Math.round(minutesLeft)} trading minutes left), not a quote${zero ? '; the modeled bid rounds to 0' : ''}`,
    },
  };
}

/** Trading minutes from `at` to the session's close (`closeTs`). */
export function minutesToClose(at: number, closeTs: number): number {
  return Math.max(0, (closeTs - at) / 60_000);
}

/**
 * The ladder (T6): one row per risk tier from the breach probabilities of the candidate strikes
 * (highest strike first) at `state`. Premiums are priced at the decision (the ladder is what a trader
 * sees then); `closeTs` is the session's close.
 */
export function strikeLadder(model: TailModel, state: StudyState, probabilities: readonly BreachProbability[], closeTs: number, a: ZeroDteAssumptions, source: QuoteSource | null): LadderRow[] {
  const byStrike = [...probabilities].sort((x, y) => y.strike - x.strike);
  const commissionPerShare = a.fill.commissionPerContract / 100;
  return a.riskTiers.map((tier): LadderRow => {
    const pick = byStrike.find((p) => p.pBreach <= tier);
    const empty: LadderRow = { riskTier: tier, strike: null, strikePct: null, pBreach: null, ciLow: null, ciHigh: null, n: null, premium: null, evProxy: null, evLow: null, evHigh: null, flags: [], skipReason: null, skipDetail: null };
    if (!pick) {
      const deepest = byStrike[byStrike.length - 1];
      return { ...empty, skipReason: 'no_strike_within_tier', skipDetail: deepest ? `the deepest candidate, ${deepest.strike}, has p = ${(deepest.pBreach * 100).toFixed(2)}% > ${(tier * 100).toFixed(1)}%` : 'no candidate strikes' };
    }
    // The interval for the chosen strike (the walk-forward's probabilities may come without).
    const withCi = pick.ciLow === pick.pBreach && pick.ciHigh === pick.pBreach ? breachProbabilities(model, state, [pick.strike], a.model, true)[0]! : pick;
    const row: LadderRow = { ...empty, strike: pick.strike, strikePct: pick.strikePct, pBreach: pick.pBreach, ciLow: withCi.ciLow, ciHigh: withCi.ciHigh, n: pick.n };
    const flags: LadderRow['flags'] = [];
    if (pick.lowSample) flags.push('low_sample');
    if (withCi.ciHigh - withCi.ciLow > tier) flags.push('wide_interval');
    const priced = premiumFor(state, pick.strike, state.decisionTs, state.decisionPrice, minutesToClose(state.decisionTs, closeTs), a, source);
    if (!priced.ok) return { ...row, flags, skipReason: priced.reason, skipDetail: priced.detail };
    const premium = priced.premium;
    if (premium.source === 'model') flags.push('modeled_premium');
    const out: LadderRow = { ...row, flags, premium };
    if (premium.fill !== null) {
      // E[intrinsic | breach] = E[intrinsic] / p; the EV at the interval's ends scales it by p.
      const lossIfBreached = pick.pBreach > 0 ? pick.expectedIntrinsic / pick.pBreach : 0;
      out.evProxy = premium.fill - pick.expectedIntrinsic - commissionPerShare;
      out.evLow = premium.fill - lossIfBreached * withCi.ciHigh - commissionPerShare;
      out.evHigh = premium.fill - lossIfBreached * withCi.ciLow - commissionPerShare;
    }
    if (pick.lowSample) return { ...out, skipReason: 'low_sample_bucket', skipDetail: `${pick.n} samples in the state's bucket (minimum ${a.model.minBucketSamples})` };
    if (premium.fill === null) return { ...out, skipReason: 'quote_quality', skipDetail: `${premium.quality}: ${premium.detail}` };
    if (out.evProxy! < a.evProxyMin) return { ...out, skipReason: 'ev_below_min', skipDetail: `EV proxy ${out.evProxy!.toFixed(3)} per share below ${a.evProxyMin}` };
    return out;
  });
}
