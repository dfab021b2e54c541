/**
 * A small test system shaped like the next ones (seeds 002–004), to prove the strategy contract can
 * express them — not a system to trade:
 *
 * - one trade on two underlyings: buy 1 SPX ATM call, sell 10 SPY ATM calls, both 0DTE (seeds 003/004),
 *   from the SPXW and SPY chains of the same date (two chain keys);
 * - sized from the account: units = ⌊riskPct × equity / max loss per unit⌋, so the whole position's
 *   max loss is at most 2 % of equity (seed 002's "size by max loss");
 * - entries at 10:00 and 11:00, so the account-wide heat limit can veto the second;
 * - exits on the underlying's price (SPY above the short strike + $X: "assignment risk"), at 15:45 ET, or
 *   at the position's loss limit (its max loss per unit);
 * - a daily-history read: a 20-session SPX average and the VIX close, with the date of the last bar
 *   each decision saw kept in its details (`historyThrough`, `vixThrough`), so a test can prove that a
 *   10:00 decision never saw that day's bar and an after-the-close one did.
 *
 * SPX and SPY options both have a multiplier of 100 (shared/domain/instruments.ts): the two legs
 * differ by ratio (1 : 10) and by underlying; each leg still carries its own multiplier.
 */
import { z } from 'zod';
import { chainKey, type OptionQuote } from '../../shared/domain/chain.ts';
import { instrument, nearestStrike } from '../../shared/domain/instruments.ts';
import { legOf } from '../../shared/domain/leg.ts';
import { isMarket, quoteMid } from '../../shared/domain/quote.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { toCents } from '../../shared/money.ts';
import { executionSchema, riskLimitsSchema } from '../../electron/strategies/common.ts';
import type { EntryDecision, EntryInput, ManageDecision, ManageInput, Proposal, Strategy } from '../../electron/strategies/types.ts';

export const TwoUnderlyingsConfigSchema = z
  .object({
    /** Max loss of a trade as a share of equity (seed 002: 2 %). */
    riskPct: z.number().gt(0).max(0.1).default(0.02),
    /** The loss per unit (1 SPX call + 10 SPY calls) at which the position is closed, cents (seed 004: $500). */
    maxLossPerUnitCents: z.number().int().positive().default(50_000),
    /** Close when SPY is this many dollars above the short SPY strike (seeds 003/004: $10). */
    exitAboveStrike: z.number().positive().default(10),
    /** Close every position at this ET time (seeds 003/004: 15:45). */
    timeExit: z.string().regex(/^\d{2}:\d{2}$/).default('15:45'),
    /** Sessions of the SPX average the decisions read. */
    smaSessions: z.number().int().min(1).max(250).default(20),
    risk: riskLimitsSchema({ maxOpenTrades: 5, maxNewTradesPerDay: 5, dailyStopAfterStopLoss: false }).prefault({}),
    execution: executionSchema().prefault({}),
  })
  .strict();
export type TwoUnderlyingsConfig = z.infer<typeof TwoUnderlyingsConfigSchema>;

const skip = (gate: string, reason: string, details: Record<string, unknown>): EntryDecision => ({ kind: 'SKIP', gate, reason, details, chains: [], proposal: null, score: null });

/** The call of a chain at a strike, when it has a market. */
function callAt(contracts: readonly OptionQuote[], strike: number): (OptionQuote & { bid: number; ask: number }) | null {
  const q = contracts.find((c) => c.right === 'C' && c.strike === strike);
  return q && isMarket(q) && q.bid !== null && q.ask !== null ? (q as OptionQuote & { bid: number; ask: number }) : null;
}

function evaluateEntry(input: EntryInput<TwoUnderlyingsConfig>): EntryDecision[] {
  const { now, config, market, account, chains } = input;
  const today = etDate(now);
  // The daily history, read through the market view (no lookahead: the engine cuts it).
  const spxDaily = market.underlyings.SPX?.daily ?? [];
  const vix = market.series.VIX ?? [];
  const history = { historyThrough: spxDaily.at(-1)?.date ?? null, vixThrough: vix.at(-1)?.date ?? null, vixClose: vix.at(-1)?.close ?? null };
  if (spxDaily.length < config.smaSessions) return [skip('warmup', `WARMUP: ${spxDaily.length} of ${config.smaSessions} SPX sessions`, { ...history, sessions: spxDaily.length })];
  const sma = Math.round((spxDaily.slice(-config.smaSessions).reduce((s, b) => s + b.close, 0) / config.smaSessions) * 100) / 100;
  const base = { ...history, sma };

  const spxKey = chainKey('SPXW', today);
  const spyKey = chainKey('SPY', today);
  const spxChain = chains.get(spxKey);
  const spyChain = chains.get(spyKey);
  if (!spxChain || !spyChain) return [skip('no-chain', `No 0DTE ${!spxChain ? 'SPXW' : 'SPY'} chain for ${today}`, { ...base, spx: spxChain !== undefined, spy: spyChain !== undefined })];
  const spxLast = market.underlyings.SPX?.last ?? null;
  const spyLast = market.underlyings.SPY?.last ?? null;
  if (spxLast === null || spyLast === null) return [skip('no-price', 'No SPX or SPY price', base)];
  const spxStrike = nearestStrike('SPXW', spxLast);
  const spyStrike = nearestStrike('SPY', spyLast);
  const spxCall = callAt(spxChain.contracts, spxStrike);
  const spyCall = callAt(spyChain.contracts, spyStrike);
  const atm = { ...base, spxLast, spyLast, spxStrike, spyStrike };
  if (!spxCall || !spyCall) return [{ ...skip('no-quote', `No market for the SPX ${spxStrike} or SPY ${spyStrike} call`, atm), chains: [spxKey, spyKey] }];

  // Sizing from the account: the whole position's max loss within riskPct of equity.
  const budget = Math.floor(config.riskPct * account.equityCents);
  const units = Math.floor(budget / config.maxLossPerUnitCents);
  const sizing = { equityCents: account.equityCents, budgetCents: budget, units, maxLossPerUnitCents: config.maxLossPerUnitCents };
  if (units < 1) return [{ ...skip('size', `${config.riskPct * 100} % of equity ($${(budget / 100).toFixed(2)}) is below one unit's max loss`, { ...atm, ...sizing }), chains: [spxKey, spyKey] }];

  // Per combo unit, per-share cents, credit positive: sell 10 SPY calls, buy 1 SPX call.
  const midCents = Math.round(10 * toCents(quoteMid(spyCall)!) - toCents(quoteMid(spxCall)!));
  const naturalCents = 10 * toCents(spyCall.bid) - toCents(spxCall.ask);
  const multiplier = instrument('SPY').multiplier; // both legs: 100
  const proposal: Proposal = {
    structure: 'spx_spy_call_ratio',
    legs: [
      { ...legOf(spxCall, 'BUY'), ratio: 1, bid: spxCall.bid, ask: spxCall.ask, mid: quoteMid(spxCall)!, delta: spxCall.delta, iv: spxCall.iv },
      { ...legOf(spyCall, 'SELL'), ratio: 10, bid: spyCall.bid, ask: spyCall.ask, mid: quoteMid(spyCall)!, delta: spyCall.delta, iv: spyCall.iv },
    ],
    quantity: units,
    midCents,
    naturalCents,
    floorCents: naturalCents,
    maxProfitCents: Math.max(0, midCents) * multiplier * units,
    maxLossCents: config.maxLossPerUnitCents * units,
    score: null,
    notes: { spxStrike, spyStrike, exitAboveStrike: config.exitAboveStrike },
  };
  return [{ kind: 'ENTER', gate: 'atm-calls', reason: `Buy 1 SPX ${spxStrike}C, sell 10 SPY ${spyStrike}C ×${units} (max loss $${(proposal.maxLossCents / 100).toFixed(2)} of equity $${(account.equityCents / 100).toFixed(2)})`, details: { ...atm, ...sizing }, chains: [spxKey, spyKey], proposal, score: null }];
}

function manage(input: ManageInput<TwoUnderlyingsConfig>): ManageDecision {
  const { now, config, position, market } = input;
  const tradeId = position.tradeId;
  const spy = position.legs.find((l) => l.underlying === 'SPY');
  const spyLast = market.underlyings.SPY?.last ?? null;
  // The exit on the underlying's price: SPY above the short strike + $X.
  if (spy && spyLast !== null && spyLast > spy.strike + config.exitAboveStrike) {
    return { kind: 'EXIT', tradeId, gate: 'ASSIGNMENT_RISK', urgency: 'marketable', reason: `SPY ${spyLast.toFixed(2)} is above the short ${spy.strike} call + $${config.exitAboveStrike}`, details: { spyLast, spyStrike: spy.strike, exitAboveStrike: config.exitAboveStrike } };
  }
  if (now >= etToEpoch(etDate(now), config.timeExit)) {
    return { kind: 'EXIT', tradeId, gate: 'TIME_EXIT', urgency: 'marketable', reason: `${config.timeExit} ET: close before the expiration`, details: { timeExit: config.timeExit } };
  }
  // The position's loss limit, at mid (each leg with its own multiplier).
  let pnl = 0;
  for (const l of position.legs) {
    if (l.mark?.mid === null || l.mark?.mid === undefined) return { kind: 'HOLD', tradeId, details: { reason: 'a leg has no mark' } };
    pnl += (l.side === 'SELL' ? 1 : -1) * (l.entryPriceCents - toCents(l.mark.mid)) * l.openQuantity * l.multiplier;
  }
  if (pnl <= -config.maxLossPerUnitCents * position.quantity) {
    return { kind: 'EXIT', tradeId, gate: 'LOSS_LIMIT', urgency: 'marketable', reason: `Loss $${(-pnl / 100).toFixed(2)} at the position's limit`, details: { pnlCents: pnl } };
  }
  return { kind: 'HOLD', tradeId, details: { spyLast } };
}

export const twoUnderlyings: Strategy<TwoUnderlyingsConfig> = {
  id: 'two-underlyings',
  title: '1 SPX call + 10 SPY calls, 0DTE (test)',
  rulesetVersion: 'test-1',
  about: {
    seed: null,
    summary: 'Test system: buy 1 SPX and sell 10 SPY ATM 0DTE calls, sized from equity; exits on SPY above strike + $X, at 15:45, at the loss limit.',
    cadence: 'intraday',
    exitReasons: [
      { code: 'ASSIGNMENT_RISK', label: 'SPY above strike + $X' },
      { code: 'TIME_EXIT', label: '15:45 exit' },
      { code: 'LOSS_LIMIT', label: 'Loss limit', stop: true },
    ],
    figures: ['closedTrades', 'realizedPnl', 'openPositions'],
    decisionFields: [{ key: 'units', label: 'Units' }],
    backtest: { sources: [{ kind: 'sim', label: 'Simulator, 5-minute chains' }], slippageFraction: 0.3 },
  },
  configSchema: TwoUnderlyingsConfigSchema,
  entrySchedule: { id: 'two-underlyings.entry', kind: 'at', times: ['10:00', '11:00'] },
  snapshotSchedule: { id: 'two-underlyings.snapshots', kind: 'every', minutes: 5, from: '09:35', to: '16:00' },
  roots: ['SPXW', 'SPY'],
  history: { sessions: 20, series: ['VIX'] },
  chainsNeeded(now, _config, listed) {
    const today = etDate(now);
    // The 0DTE chains of both roots, when both list today.
    return listed.SPXW?.includes(today) && listed.SPY?.includes(today) ? [{ root: 'SPXW', expiration: today }, { root: 'SPY', expiration: today }] : [];
  },
  evaluateEntry,
  manage,
};

/** The same system deciding once a day, 15 minutes after the close (a daily-cadence decision on the day's bar). */
export const twoUnderlyingsAfterClose: Strategy<TwoUnderlyingsConfig> = {
  ...twoUnderlyings,
  id: 'two-underlyings-close',
  about: { ...twoUnderlyings.about, cadence: 'daily' },
  entrySchedule: { id: 'two-underlyings-close.entry', kind: 'close', offsetMinutes: 15 },
  snapshotSchedule: { id: 'two-underlyings-close.snapshots', kind: 'close', offsetMinutes: 15 },
};
