/**
 * Seed 000 — SPX credit verticals, 3/5/7 DTE (the MVP). Read it like the seed's "Trading rules (MVP)":
 *
 * | Seed rule                                   | Where                                   |
 * |---------------------------------------------|-----------------------------------------|
 * | Trade type: short + long farther OTM        | candidates.ts (`buildCandidate`)        |
 * | DTE targets 3/5/7, closest within ±1 or skip | expirations.ts (`pickExpirations`)      |
 * | Entry times 10:00, 11:00, 12:00 ET          | `entrySchedule` below                   |
 * | Active trade open → no new trade            | `evaluateEntry` below (gate `trade-open`) |
 * | Leg selection by delta 0.10 / 0.20, width   | candidates.ts                           |
 * | Sanity checks (liquidity/spread thresholds) | candidates.ts (gates in order)          |
 * | Select the better candidate by score        | score.ts                                |
 * | Management: TP 50%, SL −100%, session exit  | manage.ts                               |
 * | Fixed contracts; portfolio risk limits      | config.ts (`contracts`, `risk`)         |
 *
 * Pure: no I/O, no clock, no randomness. The engine calls it live and in backtests alike.
 */
import { chainKey, type ChainKey, type ChainSnapshot } from '../../../shared/domain/chain.ts';
import { instrument } from '../../../shared/domain/instruments.ts';
import { legOf } from '../../../shared/domain/leg.ts';
import { toCents } from '../../../shared/money.ts';
import type { ChainNeed, EntryDecision, EntryInput, Listed, ManageDecision, ManageInput, Proposal, ProposedLeg, Strategy, SystemAbout } from '../types.ts';
import { buildCandidate, type Candidate } from './candidates.ts';
import { CreditVerticalsConfigSchema, type CreditVerticalsConfig } from './config.ts';
import { listedAround, pickExpirations } from './expirations.ts';
import { creditVerticalExitLevels, manageCreditVertical } from './manage.ts';
import { compareScored, scoreCandidate, type ScoreParts } from './score.ts';

export const STRATEGY_ID = 'credit-verticals';
export const RULESET_VERSION = '000-mvp-1';

/** Which chains to fetch at `now`: one per distinct expiration of the root serving a DTE target. */
function chainsNeeded(now: number, config: CreditVerticalsConfig, expirations: Listed): ChainNeed[] {
  return pickExpirations(now, expirations[config.root] ?? [], config.targetDtes, config.dteTolerance)
    .filter((p) => p.expiration !== null && p.sharedWith === null)
    .map((p) => ({ root: config.root, expiration: p.expiration! }));
}

type Scored = { candidate: Candidate; parts: ScoreParts; index: number };

/**
 * Every candidate's decision at an entry slot, in config order (DTE target, then delta target), at
 * most one of them ENTER. Each row's `chains` is the chain it read (empty when it read none); its
 * details carry the candidate's `targetDte` (seed 000's `target_dte`) and `deltaTarget`.
 */
function evaluateEntry(input: EntryInput<CreditVerticalsConfig>): EntryDecision[] {
  const { now, slot, config, chains, portfolio } = input;

  // "At each entry time, if an active trade is open, do not open a new trade."
  const open = portfolio.positions.length + portfolio.pendingEntries;
  if (open > 0) {
    return [skip('trade-open', 'An active trade is open: no new trade at this entry time', { openPositions: portfolio.positions.length, pendingEntries: portfolio.pendingEntries }, null)];
  }

  const listed = input.expirations[config.root] ?? [];
  const out: (EntryDecision | Scored)[] = [];
  const scored: Scored[] = [];
  for (const pick of pickExpirations(now, listed, config.targetDtes, config.dteTolerance)) {
    const { targetDte, expiration } = pick;
    if (expiration === null) {
      const around = listedAround(now, listed, targetDte);
      out.push(skip('no-expiration', `No ${config.root} expiration within ${targetDte}±${config.dteTolerance} DTE`, { targetDte, tolerance: config.dteTolerance, listedBefore: around.before, listedAfter: around.after }, targetDte));
      continue;
    }
    if (pick.sharedWith !== null) {
      out.push(skip('same-expiration', `${expiration} (${pick.dte} DTE) is nearer the ${pick.sharedWith} DTE target and evaluated there`, { targetDte, dte: pick.dte, servedTarget: pick.sharedWith }, targetDte));
      continue;
    }
    const chain: ChainSnapshot | undefined = chains.get(chainKey(config.root, expiration));
    if (chain === undefined) {
      out.push(skip('no-chain', `No chain for ${config.root} ${expiration} (${pick.dte} DTE): the engine could not get it`, { targetDte, dte: pick.dte }, targetDte));
      continue;
    }
    for (const deltaTarget of config.deltaTargets) {
      const r = buildCandidate(chain, { targetDte, dte: pick.dte!, expiration }, deltaTarget, config);
      if (!r.ok) {
        out.push(skip(r.failure.gate, r.failure.reason, { targetDte, deltaTarget, dte: pick.dte, ...r.failure.details }, targetDte, chainKey(config.root, expiration)));
        continue;
      }
      const s: Scored = { candidate: r.candidate, parts: scoreCandidate(r.candidate, config), index: out.length };
      scored.push(s);
      out.push(s);
    }
  }

  // "Select the better candidate by score": the best ENTERs, the rest are SKIP 'lower-score'.
  const ranked = [...scored].sort(compareScored);
  const best = ranked[0];
  return out.map((row): EntryDecision => {
    if (!('candidate' in row)) return row;
    const { candidate: c, parts } = row;
    const details = { targetDte: c.targetDte, deltaTarget: c.deltaTarget, dte: c.dte, ...scoreDetails(c, parts) };
    const read = [chainKey(config.root, c.expiration)];
    if (row === best) {
      return {
        kind: 'ENTER', gate: 'best-score',
        reason: `Best score ${parts.score} of ${scored.length} candidate${scored.length === 1 ? '' : 's'}: ${describe(c, config)}`,
        details, chains: read, proposal: proposal(c, parts, slot, config), score: parts.score,
      };
    }
    return {
      kind: 'SKIP', gate: 'lower-score',
      reason: `Score ${parts.score} is below the chosen candidate's ${best!.parts.score} (${describe(c, config)})`,
      details: { ...details, winnerScore: best!.parts.score, winner: { targetDte: best!.candidate.targetDte, deltaTarget: best!.candidate.deltaTarget, expiration: best!.candidate.expiration } },
      chains: read, proposal: null, score: parts.score,
    };
  });
}

function scoreDetails(c: Candidate, parts: ScoreParts): Record<string, unknown> {
  return {
    score: parts.score,
    creditToWidth: parts.creditToWidth,
    shortAbsDelta: parts.shortAbsDelta,
    spreadToCredit: parts.spreadToCredit,
    midCents: c.midCents,
    naturalCents: c.naturalCents,
    comboSpreadCents: c.comboSpreadCents,
    shortStrike: c.short.strike,
    longStrike: c.long.strike,
    shortSymbol: c.short.symbol,
    longSymbol: c.long.symbol,
  };
}

function describe(c: Candidate, config: CreditVerticalsConfig): string {
  return `${c.expiration} (${c.dte} DTE) ${c.short.strike}/${c.long.strike} ${config.side} vertical, |Δ| ${Math.abs(c.short.delta ?? 0).toFixed(3)} for target ${c.deltaTarget}, credit $${(c.midCents / 100).toFixed(2)}`;
}

/**
 * The order for the chosen candidate. Prices per combo unit, per-share cents:
 * - `midCents` = short mid − long mid (half away from zero to the cent);
 * - `naturalCents` = short bid − long ask (may be ≤ 0);
 * - `floorCents` = max(natural, minCredit): execution walks from mid toward natural but never accepts
 *   a credit below the configured minimum (the min-credit gate guarantees mid ≥ minCredit, and
 *   natural ≤ mid, so floor ≤ mid);
 * - max profit = mid credit × 100 × contracts; max loss = (width × 100 − mid credit) × 100 × contracts.
 */
function proposal(c: Candidate, parts: ScoreParts, slot: string, config: CreditVerticalsConfig): Proposal {
  const multiplier = instrument(config.root).multiplier;
  const leg = (q: Candidate['short'], side: 'BUY' | 'SELL'): ProposedLeg => ({
    ...legOf(q, side), ratio: 1, bid: q.bid, ask: q.ask, mid: (toCents(q.bid) + toCents(q.ask)) / 200, delta: q.delta, iv: q.iv,
  });
  const minCreditCents = toCents(config.minCredit);
  return {
    structure: config.side === 'put' ? 'put_credit_vertical' : 'call_credit_vertical',
    legs: [leg(c.short, 'SELL'), leg(c.long, 'BUY')],
    quantity: config.contracts,
    midCents: c.midCents,
    naturalCents: c.naturalCents,
    floorCents: Math.max(c.naturalCents, minCreditCents),
    maxProfitCents: c.midCents * multiplier * config.contracts,
    maxLossCents: (config.width * 100 - c.midCents) * multiplier * config.contracts,
    score: parts.score,
    notes: {
      targetDte: c.targetDte,
      dte: c.dte,
      deltaTarget: c.deltaTarget,
      expiration: c.expiration,
      shortStrike: c.short.strike,
      longStrike: c.long.strike,
      shortDelta: c.short.delta,
      width: config.width,
      side: config.side,
      slot,
      rulesetVersion: RULESET_VERSION,
    },
  };
}

/**
 * A SKIP row; `read` is the chain the evaluation read, if any (so the engine links its snapshot). A row
 * of a DTE target carries it in its details (seed 000's `target_dte`).
 */
function skip(gate: string, reason: string, details: Record<string, unknown>, targetDte: number | null, read: ChainKey | null = null): EntryDecision {
  return {
    kind: 'SKIP', gate, reason, details: targetDte === null || 'targetDte' in details ? details : { targetDte, ...details },
    chains: read === null ? [] : [read], proposal: null, score: null,
  };
}

/** What the application shows about seed 000 (the registry, electron/strategies/index.ts). */
export const ABOUT: SystemAbout = {
  seed: '000',
  summary: 'SPX put (or call) credit verticals at 3/5/7 DTE, short leg by |delta| 0.10/0.20, entries at 10:00, 11:00 and 12:00 ET; take profit at 50 %, stop loss at −100 % of max profit.',
  cadence: 'intraday',
  exitReasons: [
    { code: 'TAKE_PROFIT_', prefix: true, label: 'Take profit (% of max profit)' },
    { code: 'STOP_LOSS', label: 'Stop loss', stop: true },
    { code: 'SESSION_EXIT', label: 'Session exit' },
  ],
  figures: ['closedTrades', 'wins', 'winRate', 'realizedPnl', 'openPositions', 'unrealizedPnl'],
  decisionFields: [
    { key: 'targetDte', label: 'DTE' },
    { key: 'deltaTarget', label: 'Δ target' },
  ],
  backtest: {
    sources: [
      { kind: 'sim', label: 'Simulator, 5-minute chains' },
      { kind: 'chains', file: 'spxw_options_eod_2018-01_2018-02.csv', label: 'SPXW end-of-day chains, Jan–Feb 2018' },
    ],
    // "Pricing & fill assumptions": credit entry at mid − 0.30 × (ask − bid), exit at mid + 0.30 × (ask − bid).
    slippageFraction: 0.3,
  },
};

/** Seed 000's SPX credit-vertical strategy (MVP: 3/5/7 DTE, |Δ| 0.10 / 0.20, 25 wide, TP 50%, SL −100%). */
export const creditVerticals: Strategy<CreditVerticalsConfig> = {
  id: STRATEGY_ID,
  title: 'SPX credit verticals (3/5/7 DTE)',
  rulesetVersion: RULESET_VERSION,
  about: ABOUT,
  configSchema: CreditVerticalsConfigSchema,
  entrySchedule: { id: 'credit-verticals.entry', kind: 'at', times: ['10:00', '11:00', '12:00'] },
  snapshotSchedule: { id: 'credit-verticals.snapshots', kind: 'every', minutes: 5, from: '09:35', to: '16:00' },
  roots: ['SPXW'],
  chainsNeeded,
  evaluateEntry,
  exitLevels(position, config) {
    return creditVerticalExitLevels(position.entryCreditCents, config);
  },
  manage(input: ManageInput<CreditVerticalsConfig>): ManageDecision {
    return manageCreditVertical(input);
  },
};
