/**
 * T7, the outcome simulator of a 0DTE put seller. Each recommended ladder row (not skipped) opens a
 * short put at the entry anchor (the next bar's open after the decision), sold at the fill model's
 * price (bid by default, less slippage), sized by the assumptions (fixed contracts, or a share of
 * capital as cash-secured notional), within the same-day concurrency caps (per session, per tier: the
 * rest are skipped `concurrency_cap`). Two parallel outcome tracks of the same entries:
 * - `hold_to_close`: settles at the close on intrinsic value, max(0, strike − close) (PM, cash);
 * - `adaptive_exit`: at each later bar close before the close, buys back at the ask (plus slippage) when
 *   the underlying closes within `stopBufferPct` of the strike (`stop`), or — when a take-profit is set —
 *   when the put's value has fallen to (1 − `takeProfitFraction`) of the credit (`take_profit`);
 *   otherwise settles like the first.
 * P&L per position = (credit − exit price) × 100 × contracts − commissions (per contract and side; none
 * for a put expiring at settlement). The two tracks agree on every day the adaptive rule never fires.
 */
import type { SessionBar } from '../../../shared/domain/bars.ts';
import type { ExitMode, LadderRow, Outcomes, SimulatedTrade, SkipReason, StudyAnchor, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { session } from '../../../shared/market/calendar.ts';
import { minutesToClose, premiumFor, type QuoteSource } from './ladder.ts';

const MULTIPLIER = 100;
const cents = (x: number) => Math.round(x * 100) / 100;

/** Contracts for a position at `strike` under the sizing assumption (0: the capital cannot hold one). */
export function contractsFor(strike: number, a: ZeroDteAssumptions): number {
  if (a.sizing.mode === 'fixed_contracts') return a.sizing.contracts;
  return Math.floor((a.sizing.capital * a.sizing.pct) / (strike * MULTIPLIER));
}

export type SessionDecision = { state: StudyState; anchor: StudyAnchor; ladder: LadderRow[] };
export type SimulationSkip = { sessionDate: string; decisionTs: number; riskTier: number; skipReason: SkipReason; detail: string };

/** The price to buy the put back at instant `at` with the underlying at `spot`: the ask plus slippage. */
function buyBackPrice(state: StudyState, strike: number, at: number, spot: number, closeTs: number, a: ZeroDteAssumptions, source: QuoteSource | null): { ask: number | null; mid: number | null } {
  const p = premiumFor(state, strike, at, spot, minutesToClose(at, closeTs), a, source);
  if (!p.ok) return { ask: null, mid: null };
  const ask = p.premium.ask === null ? null : cents(p.premium.ask + a.fill.slippage);
  return { ask, mid: p.premium.mid };
}

/**
 * Simulates one session's decisions (time order) under both exit tracks. `bars` are the session's
 * bars (all of them: the outcome after the entry). Returns the trades and the skips.
 */
export function simulateSession(decisions: readonly SessionDecision[], bars: readonly SessionBar[], a: ZeroDteAssumptions, source: QuoteSource | null): { trades: SimulatedTrade[]; skips: SimulationSkip[] } {
  const trades: SimulatedTrade[] = [];
  const skips: SimulationSkip[] = [];
  let open = 0;
  const perTier = new Map<number, number>();
  for (const { state, anchor, ladder } of decisions) {
    const s = session(state.sessionDate);
    for (const row of ladder) {
      const skip = (skipReason: SkipReason, detail: string) => skips.push({ sessionDate: state.sessionDate, decisionTs: state.decisionTs, riskTier: row.riskTier, skipReason, detail });
      if (row.skipReason !== null || row.strike === null) {
        skip(row.skipReason ?? 'no_strike_within_tier', row.skipDetail ?? '');
        continue;
      }
      if (anchor.entryAnchorTs === null || anchor.entryPrice === null) {
        skip('no_entry_anchor', 'no tradable bar after the decision');
        continue;
      }
      if (anchor.closePrice === null || s === null) {
        skip('missing_close_bar', 'the close is unknown');
        continue;
      }
      if (open >= a.concurrency.maxPositionsPerSession || (perTier.get(row.riskTier) ?? 0) >= a.concurrency.maxPositionsPerTier) {
        skip('concurrency_cap', `${open} open today (cap ${a.concurrency.maxPositionsPerSession}), ${perTier.get(row.riskTier) ?? 0} in tier ${row.riskTier} (cap ${a.concurrency.maxPositionsPerTier})`);
        continue;
      }
      const strike = row.strike;
      // The entry: priced at the anchor (the next bar's open), not at the decision.
      const entry = premiumFor(state, strike, anchor.entryAnchorTs, anchor.entryPrice, minutesToClose(anchor.entryAnchorTs, s.close), a, source);
      if (!entry.ok || entry.premium.fill === null) {
        skip('quote_quality', entry.ok ? `${entry.premium.quality} at the entry anchor: ${entry.premium.detail}` : entry.detail);
        continue;
      }
      const contracts = contractsFor(strike, a);
      if (contracts < 1) {
        skip('concurrency_cap', `the capital (${a.sizing.mode === 'notional_pct' ? a.sizing.capital : 0}) cannot secure one contract at ${strike}`);
        continue;
      }
      open++;
      perTier.set(row.riskTier, (perTier.get(row.riskTier) ?? 0) + 1);
      const credit = entry.premium.fill;
      const close = anchor.closePrice;
      const intrinsic = cents(Math.max(0, strike - close));
      const commission = a.fill.commissionPerContract * contracts;
      const settle = (mode: ExitMode): SimulatedTrade => ({
        sessionDate: state.sessionDate, decisionTs: state.decisionTs, riskTier: row.riskTier, exitMode: mode, strike, contracts,
        entryTs: anchor.entryAnchorTs!, entryPremium: credit, exitTs: s.close, exitReason: 'settlement', exitPrice: intrinsic, settlementPrice: close,
        fees: cents(commission), pnl: cents((credit - intrinsic) * MULTIPLIER * contracts - commission), breached: close <= strike,
      });
      trades.push(settle('hold_to_close'));
      // The adaptive track: check each bar that closes after the entry and before the close.
      let adaptive: SimulatedTrade | null = null;
      for (const b of bars) {
        if (b.end <= anchor.entryAnchorTs || b.end >= s.close) continue;
        const stop = b.close <= strike * (1 + a.adaptiveExit.stopBufferPct);
        const px = buyBackPrice(state, strike, b.end, b.close, s.close, a, source);
        const tpAt = a.adaptiveExit.takeProfitFraction;
        const tp = tpAt !== null && px.mid !== null && px.mid <= credit * (1 - tpAt);
        if ((stop || tp) && px.ask !== null) {
          const fees = 2 * commission;
          adaptive = {
            sessionDate: state.sessionDate, decisionTs: state.decisionTs, riskTier: row.riskTier, exitMode: 'adaptive_exit', strike, contracts,
            entryTs: anchor.entryAnchorTs, entryPremium: credit, exitTs: b.end, exitReason: stop ? 'stop' : 'take_profit', exitPrice: px.ask, settlementPrice: close,
            fees: cents(fees), pnl: cents((credit - px.ask) * MULTIPLIER * contracts - fees), breached: close <= strike,
          };
          break;
        }
      }
      trades.push(adaptive ?? settle('adaptive_exit'));
    }
  }
  return { trades, skips };
}

/** Trading outcome figures of a set of trades (one exit view): the contract's `Outcomes`. */
export type { Outcomes };

export function outcomes(trades: readonly SimulatedTrade[]): Outcomes {
  let wins = 0;
  let total = 0;
  let worst: number | null = null;
  let breaches = 0;
  let early = 0;
  for (const t of trades) {
    if (t.pnl > 0) wins++;
    total += t.pnl;
    if (worst === null || t.pnl < worst) worst = t.pnl;
    if (t.breached) breaches++;
    if (t.exitReason !== 'settlement') early++;
  }
  const n = trades.length;
  return { trades: n, wins, winRate: n > 0 ? wins / n : null, totalPnl: cents(total), avgPnl: n > 0 ? cents(total / n) : null, worst, breaches, earlyExits: early };
}
