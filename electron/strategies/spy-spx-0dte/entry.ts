/**
 * The entry routine of seeds 003/004 ("morning_routine", `should_enter_trade`): every 5 minutes from
 * 09:35 to 10:00 ET, buy 1 SPX ATM 0DTE call at the ask and sell 10 SPY ATM 0DTE calls at the bid when
 * ALL of the seed's conditions hold. Each evaluation is one stored decision with its numbers; the gates
 * in order (the first that fails is the SKIP's gate):
 *
 * | gate            | seed words                                                         |
 * |-----------------|--------------------------------------------------------------------|
 * | `entry-window`  | "Time window: 9:35 AM - 10:00 AM ET"                               |
 * | `no-0dte`       | "0DTE options available" (a SPXW and a SPY expiration today)        |
 * | `max-trades`    | "Max trades: haven't exceeded daily limit (default: 2)"            |
 * | `daily-loss`    | "Haven't hit daily loss limit" (seed 003 `can_open_position`)      |
 * | `ex-dividend`   | not in the seeds: no entry on the eve of a SPY ex-dividend date (exits.ts `EX_DIVIDEND`) |
 * | `no-price`      | SPX and SPY prices                                                 |
 * | `ratio`         | "Tracking ratio: SPX/SPY ratio between 9.95 - 10.05"               |
 * | `no-chain`      | the two 0DTE chains                                                |
 * | `no-quote`      | the ATM calls (SPY strike to the nearest $1, SPX to the nearest $5) |
 * | `bid-ask`       | "Bid-ask spreads: Reasonable (not abnormally wide)"                |
 * | `min-credit`    | "Net credit: Minimum $400 after commissions"                       |
 * | `margin`        | "Require $25K margin per spread" (seed 003)                        |
 *
 * The net credit is the seed's `calculate_entry_credit`: receive 10 × SPY bid × $100, pay 1 × SPX ask ×
 * $100, subtract commissions.
 */
import { chainKey, type ChainSnapshot, type OptionQuote } from '../../../shared/domain/chain.ts';
import { instrument, nearestStrike } from '../../../shared/domain/instruments.ts';
import { legOf } from '../../../shared/domain/leg.ts';
import { quoteMid } from '../../../shared/domain/quote.ts';
import { nextTradingDay, spyExDividendDates } from '../../../shared/market/calendar.ts';
import { quoteQuality } from '../../../shared/market/quality.ts';
import { toCents } from '../../../shared/money.ts';
import { etDate, etDateTime } from '../../../shared/time/et.ts';
import type { EntryDecision, EntryInput, Proposal } from '../types.ts';
import type { SpySpxConfig } from './config.ts';
import { expirationValue, worstExpirationValue } from './payoff.ts';

export const STRUCTURE = 'spx_spy_call_ratio';

const usd = (cents: number): string => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;

function skip(gate: string, reason: string, details: Record<string, unknown>, chains: EntryDecision['chains'] = []): EntryDecision {
  return { kind: 'SKIP', gate, reason, details, chains, proposal: null, score: null };
}

/** Whether the session after `date` is a SPY ex-dividend date (calendar.ts: the third Friday of Mar/Jun/Sep/Dec). */
/** `HH:MM` ET of an instant, comparable with the config's times (etTime adds seconds and "ET"). */
export function hhmmEt(at: number): string {
  return etDateTime(at, false).slice(11);
}

export function isExDividendEve(date: string): boolean {
  const next = nextTradingDay(date);
  return spyExDividendDates(next, next).length > 0;
}

/** The call at `strike` of a chain, whatever its quote. */
function callAt(chain: ChainSnapshot, strike: number): OptionQuote | null {
  return chain.contracts.find((c) => c.right === 'C' && c.strike === strike) ?? null;
}

/** Commissions of one spread (both legs' contracts), cents. */
export function spreadCommissionsCents(config: SpySpxConfig): number {
  const t = config.trading;
  return (t.spxContractsPerSpread + t.spyContractsPerSpread) * t.commissionPerContractCents;
}

/**
 * The seed's `calculate_entry_credit`, in cents for one spread: 10 × SPY bid × 100 − 1 × SPX ask × 100,
 * then minus commissions. Seed 003's example: SPY bid 2.98, SPX ask 23.40 → $640.00 gross.
 */
export function entryCredit(spyBid: number, spxAsk: number, config: SpySpxConfig): { grossCents: number; commissionsCents: number; netCents: number } {
  const t = config.trading;
  const perShare = t.spyContractsPerSpread * toCents(spyBid) - t.spxContractsPerSpread * toCents(spxAsk);
  const grossCents = perShare * instrument('SPY').multiplier;
  const commissionsCents = spreadCommissionsCents(config);
  return { grossCents, commissionsCents, netCents: grossCents - commissionsCents };
}

export function evaluateEntry(input: EntryInput<SpySpxConfig>): EntryDecision[] {
  const { now, config, chains, expirations, market, portfolio, account } = input;
  const t = config.trading;
  const today = etDate(now);
  const time = hhmmEt(now);

  if (time < t.entryTime || time > t.entryEnd) {
    return [skip('entry-window', `Outside the entry window ${t.entryTime}–${t.entryEnd} ET (${time})`, { time, entryTime: t.entryTime, entryEnd: t.entryEnd })];
  }
  const spx0dte = expirations.SPXW?.includes(today) ?? false;
  const spy0dte = expirations.SPY?.includes(today) ?? false;
  if (!spx0dte || !spy0dte) {
    const missing = [!spx0dte ? 'SPXW' : null, !spy0dte ? 'SPY' : null].filter((x) => x !== null).join(' and ');
    return [skip('no-0dte', `No 0DTE expiration today for ${missing}`, { spx0dte, spy0dte })];
  }
  if (portfolio.newTradesToday >= config.risk.maxNewTradesPerDay) {
    return [skip('max-trades', `Max trades: ${portfolio.newTradesToday} of ${config.risk.maxNewTradesPerDay} spreads already entered today`, { tradesToday: portfolio.newTradesToday, maxSpreadsPerDay: config.risk.maxNewTradesPerDay })];
  }
  // Not in the seeds: on the eve of a SPY ex-dividend date the exits close short SPY calls the moment
  // they are in the money (early-assignment risk), so an at-the-money short opened that day is closed
  // at its first uptick — the entry would only pay the spreads. No entry that day.
  if (t.exDividendClose && isExDividendEve(today)) {
    return [skip('ex-dividend', `Ex-dividend tomorrow (SPY): short SPY calls in the money must be closed today, so no at-the-money short is opened`, { exDividendDate: nextTradingDay(today) })];
  }
  const dayPnlCents = portfolio.realizedTodayCents + portfolio.unrealizedCents;
  if (-dayPnlCents > config.riskManagement.maxDailyLossCents) {
    return [skip('daily-loss', `Daily loss limit: today's P&L ${usd(dayPnlCents)} is beyond −${usd(config.riskManagement.maxDailyLossCents)}; no more entries today`, { dayPnlCents, maxDailyLossCents: config.riskManagement.maxDailyLossCents })];
  }

  const spx = market.underlyings.SPX?.last ?? null;
  const spy = market.underlyings.SPY?.last ?? null;
  if (spx === null || spy === null || spy <= 0) return [skip('no-price', `No ${spx === null ? 'SPX' : 'SPY'} price`, { spx, spy })];
  const ratio = Math.round((spx / spy) * 1e6) / 1e6;
  const prices = { spx, spy, ratio };
  if (ratio < t.ratioMin || ratio > t.ratioMax) {
    return [skip('ratio', `Tracking ratio: SPX/SPY ${ratio.toFixed(4)} is outside ${t.ratioMin}–${t.ratioMax}`, { ...prices, ratioMin: t.ratioMin, ratioMax: t.ratioMax })];
  }

  const spxKey = chainKey('SPXW', today);
  const spyKey = chainKey('SPY', today);
  const spxChain = chains.get(spxKey);
  const spyChain = chains.get(spyKey);
  if (!spxChain || !spyChain) return [skip('no-chain', `No 0DTE ${!spxChain ? 'SPXW' : 'SPY'} chain for ${today}: the engine could not get it`, { ...prices, spxChain: spxChain !== undefined, spyChain: spyChain !== undefined })];
  const read = [spxKey, spyKey];
  const spxStrike = nearestStrike('SPXW', spx);
  const spyStrike = nearestStrike('SPY', spy);
  const strikes = { ...prices, spxStrike, spyStrike, strikeGap: Math.round((spxStrike - spyStrike * ratio) * 100) / 100 };
  const spxCall = callAt(spxChain, spxStrike);
  const spyCall = callAt(spyChain, spyStrike);
  if (!spxCall || !spyCall) return [skip('no-quote', `No ${!spxCall ? `SPX ${spxStrike}` : `SPY ${spyStrike}`} call in today's chain`, strikes, read)];
  // The credit on offer, whenever both quotes have their side (the page's "available credit at 9:35"), even when a later gate skips.
  const offered = spyCall.bid !== null && spxCall.ask !== null ? entryCredit(spyCall.bid, spxCall.ask, config).netCents : null;
  const quotes = { ...strikes, spxBid: spxCall.bid, spxAsk: spxCall.ask, spyBid: spyCall.bid, spyAsk: spyCall.ask, netCreditCents: offered };

  // Bid/ask sanity: both legs a live two-sided market (not missing, crossed, locked, zero-bid or stale
  // against their snapshot), no wider than the caps.
  for (const [leg, q, chain, cap] of [['SPX', spxCall, spxChain, t.maxSpxSpread], ['SPY', spyCall, spyChain, t.maxSpySpread]] as const) {
    const v = quoteQuality(q, chain.time, { maxSpreadAbs: cap, maxSpreadPct: 1, pctFloorAbs: cap, staleAfterMs: 5 * 60_000 });
    if (v.status !== 'ok') return [skip('bid-ask', `Bid-ask: the ${leg} ${q.strike} call is ${v.status} (${v.reason})`, { ...quotes, leg, status: v.status, maxSpread: cap }, read)];
  }
  const spxAsk = spxCall.ask as number;
  const spyBid = spyCall.bid as number;

  const credit = entryCredit(spyBid, spxAsk, config);
  const creditDetails = { ...quotes, grossCreditCents: credit.grossCents, commissionsCents: credit.commissionsCents, netCreditCents: credit.netCents, minEntryCreditCents: t.minEntryCreditCents };
  if (credit.netCents < t.minEntryCreditCents) {
    return [skip('min-credit', `Net credit ${usd(credit.netCents)} (10 × SPY bid ${spyBid.toFixed(2)} − SPX ask ${spxAsk.toFixed(2)}, less ${usd(credit.commissionsCents)} commissions) is below ${usd(t.minEntryCreditCents)}`, creditDetails, read)];
  }
  const openSpreads = portfolio.positions.length + portfolio.pendingEntries;
  const marginCents = t.marginPerSpreadCents * (openSpreads + 1);
  if (account.equityCents < marginCents) {
    return [skip('margin', `Margin: ${openSpreads + 1} spread(s) need ${usd(marginCents)}, the account has ${usd(account.equityCents)}`, { ...creditDetails, openSpreads, marginCents, equityCents: account.equityCents }, read)];
  }

  const proposal = proposalOf(config, { spxCall, spyCall, spx, spy, ratio, spxStrike, spyStrike, credit, today });
  return [
    {
      kind: 'ENTER',
      gate: 'atm-calls',
      reason: `Buy ${t.spxContractsPerSpread} SPX ${spxStrike}C at ${spxAsk.toFixed(2)}, sell ${t.spyContractsPerSpread} SPY ${spyStrike}C at ${spyBid.toFixed(2)}: net credit ${usd(credit.netCents)}, SPX/SPY ${ratio.toFixed(4)}`,
      details: { ...creditDetails, openSpreads, marginCents, equityCents: account.equityCents, maxLossCents: proposal.maxLossCents, structuralMaxLossCents: proposal.notes.structuralMaxLossCents },
      chains: read,
      proposal,
      score: null,
    },
  ];
}

type Chosen = {
  spxCall: OptionQuote;
  spyCall: OptionQuote;
  spx: number;
  spy: number;
  ratio: number;
  spxStrike: number;
  spyStrike: number;
  credit: { grossCents: number; commissionsCents: number; netCents: number };
  today: string;
};

/**
 * One spread. Prices per spread, per-share cents (credit positive): natural = 10 × SPY bid − SPX ask
 * (the seed's prices: the SPX leg bought at the ask, the SPY legs sold at the bid); the floor is the
 * minimum credit plus commissions — execution never accepts less for the pair (legging.ts bounds the
 * second leg by what the first one cost). Max loss: the larger of the position loss limit (the stop)
 * and the structure's worst value at expiration with the ratio held (payoff.ts).
 */
function proposalOf(config: SpySpxConfig, c: Chosen): Proposal {
  const t = config.trading;
  const multiplier = instrument('SPY').multiplier;
  const spxBid = c.spxCall.bid as number;
  const spxAsk = c.spxCall.ask as number;
  const spyBid = c.spyCall.bid as number;
  const spyAsk = c.spyCall.ask as number;
  const naturalCents = t.spyContractsPerSpread * toCents(spyBid) - t.spxContractsPerSpread * toCents(spxAsk);
  const midCents = Math.round(t.spyContractsPerSpread * toCents(quoteMid(c.spyCall)!) - t.spxContractsPerSpread * toCents(quoteMid(c.spxCall)!));
  const floorCents = Math.ceil((t.minEntryCreditCents + c.credit.commissionsCents) / multiplier);
  const payoff = { spxStrike: c.spxStrike, spyStrike: c.spyStrike, ratio: c.ratio, spxContracts: t.spxContractsPerSpread, spyContracts: t.spyContractsPerSpread };
  const worst = worstExpirationValue(payoff, c.spx);
  const best = Math.max(expirationValue(payoff, c.spx * 0.8), expirationValue(payoff, c.spxStrike), expirationValue(payoff, c.spyStrike * c.ratio), expirationValue(payoff, c.spx * 1.2));
  const structuralMaxLossCents = Math.max(0, -Math.round((naturalCents + worst * 100) * multiplier));
  const maxLossCents = Math.max(config.riskManagement.maxPositionLossCents, structuralMaxLossCents);
  const maxProfitCents = Math.max(0, Math.round((naturalCents + best * 100) * multiplier));
  return {
    structure: STRUCTURE,
    // The long SPX leg first: legged execution sends the legs in this order (never a naked short call).
    legs: [
      { ...legOf(c.spxCall, 'BUY'), ratio: t.spxContractsPerSpread, bid: spxBid, ask: spxAsk, mid: quoteMid(c.spxCall)!, delta: c.spxCall.delta, iv: c.spxCall.iv },
      { ...legOf(c.spyCall, 'SELL'), ratio: t.spyContractsPerSpread, bid: spyBid, ask: spyAsk, mid: quoteMid(c.spyCall)!, delta: c.spyCall.delta, iv: c.spyCall.iv },
    ],
    quantity: 1,
    midCents,
    naturalCents,
    floorCents,
    maxProfitCents,
    maxLossCents,
    score: null,
    notes: {
      spx: c.spx,
      spy: c.spy,
      ratio: c.ratio,
      spxStrike: c.spxStrike,
      spyStrike: c.spyStrike,
      spxBid,
      spxAsk,
      spyBid,
      spyAsk,
      grossCreditCents: c.credit.grossCents,
      commissionsCents: c.credit.commissionsCents,
      netCreditCents: c.credit.netCents,
      assignmentTrigger: c.spyStrike + t.assignmentRiskThreshold,
      structuralMaxLossCents,
      exDividendEve: isExDividendEve(c.today),
    },
  };
}
