/**
 * Seed 002 — Optimus: SPX put credit spreads at 45 DTE, sold into a confirmed Bollinger-band bounce
 * behind a regime filter. Read it like the seed:
 *
 * | Seed section                                         | Where                                           |
 * |------------------------------------------------------|-------------------------------------------------|
 * | §3 diagnosis: volatility, sentiment, regime          | diagnosis.ts                                    |
 * | §4.2 the ten entry gates, §4.3 confirmation          | signal.ts                                       |
 * | §4.4 evaluate on the close, execute 10:00–11:00 ET   | `entrySchedule` (16:15 ET), `executionWindow`   |
 * | §5 construction: 45 DTE, −0.16 delta, 50 wide        | spread.ts                                       |
 * | §6.1–6.2 sizing by max loss, conviction, drawdown    | sizing.ts                                       |
 * | §6.3 per underlying 3, total 8, heat 15 %, delta     | config.ts `risk` (the engine's risk manager vetoes) |
 * | §7 exits: 50 % / 40 % after 28 DTE, 200 %, 21 DTE, regime shift | manage.ts                            |
 * | §7.1 circuit breaker: 3 max losses → 5 days          | config.ts `risk.circuitBreakerStops` (risk manager) |
 * | §8 spacing                                           | signal.ts gate 10                               |
 * | §9 logs, §11.10 warm-up                              | log.ts, diagnosis.ts                            |
 * | §10 parameters                                       | config.ts                                       |
 *
 * One decision a day after the close (16:15 ET, the day's bar visible): its details carry the gates'
 * values, the §9.1 [ENTRY EVAL] block, the §9.5 [DAILY DASHBOARD] and, on days nothing is eligible, the
 * §9.4 [DAILY SUMMARY]; an entry also the §9.2 [TRADE OPENED] block. The chain is read only on signal
 * days (`chainsNeeded` evaluates the signal first).
 *
 * Pure: no I/O, no clock, no randomness. The engine calls it live and in backtests alike.
 */
import { chainKey, type ChainKey } from '../../../shared/domain/chain.ts';
import { instrument } from '../../../shared/domain/instruments.ts';
import { legOf } from '../../../shared/domain/leg.ts';
import { addDays } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { ChainNeed, EntryDecision, EntryInput, Listed, ManageDecision, ManageInput, MarketView, Proposal, ProposedLeg, Strategy, SystemAbout } from '../types.ts';
import { OptimusConfigSchema, type OptimusConfig } from './config.ts';
import { diagnose, type Diagnosis } from './diagnosis.ts';
import { book, dailySummaryLog, dashboardLog, tradeOpenedLog, warmupLog } from './log.ts';
import { exitLevels, manageOptimus, positionDte } from './manage.ts';
import { businessDaysSince, entryEvalLog, entryGates, firstFailure, gateValues, noTradeReason, signalGates } from './signal.ts';
import { capacityWarning, conviction, positionSize, riskPerTrade } from './sizing.ts';
import { buildSpread, pickExpiration, ROOTS, type ExpirationPick } from './spread.ts';

export const STRATEGY_ID = 'optimus';
export const RULESET_VERSION = '002-v1.0-1';

/**
 * Sessions of daily history read: 252 VIX closes for IV rank and a 250-bar EMA at most, plus 250 more
 * so the EMA is seeded well before the bars it judges.
 */
export const HISTORY_SESSIONS = 500;

/** Whether the signal gates 1–8 pass on the view's close (warm-up done). */
export function signalPasses(d: Diagnosis, c: OptimusConfig): boolean {
  return d.warmup.ready && firstFailure(signalGates(d, c)) === null;
}

/**
 * The chain to read: none unless the close gave a signal (so a day without one costs no chain), else
 * the expiration nearest 45 DTE, with a strike band wide enough for a −0.16-delta put at today's VIX
 * (three standard deviations of the log price below the spot, to the money above).
 */
function chainsNeeded(now: number, config: OptimusConfig, listed: Listed, market?: MarketView): ChainNeed[] {
  const d = market === undefined ? null : diagnose(market, config);
  if (d !== null && !signalPasses(d, config)) return [];
  const pick = pickExpiration(now, listed, config);
  if (pick === null) return [];
  if (market === undefined || d === null) return [{ root: pick.root, expiration: pick.expiration }];
  const spot = market.underlyings.SPX?.last ?? d.spx?.close ?? null;
  if (spot === null || d.vix === null) return [{ root: pick.root, expiration: pick.expiration }];
  const sd = (1.5 * d.vix) / 100 * Math.sqrt(Math.max(pick.dte, 1) / 365);
  const minStrike = Math.floor((spot * Math.exp(-3 * sd) - config.spreadWidth) / 5) * 5;
  const maxStrike = Math.ceil((spot * 1.02) / 5) * 5;
  return [{ root: pick.root, expiration: pick.expiration, minStrike, maxStrike }];
}

const skip = (gate: string, reason: string, details: Record<string, unknown>, chains: readonly ChainKey[] = []): EntryDecision => ({ kind: 'SKIP', gate, reason, details, chains, proposal: null, score: null });

function evaluateEntry(input: EntryInput<OptimusConfig>): EntryDecision[] {
  const { now, config: c, market, portfolio, account, chains } = input;
  const d = diagnose(market, c);
  const date = d.date ?? etDate(now);
  const spot = market.underlyings.SPX?.last ?? d.spx?.close ?? null;
  const b = book(portfolio.positions, account.equityCents, spot, now);
  const last = portfolio.lastEntryAt?.SPX ?? null;
  const lastEntryDays = last === null ? null : businessDaysSince(last, date);
  const dashboard = dashboardLog({ date, d, b, portfolio, c });
  const base = { date, regime: d.regime, allocation: d.allocation, ivRank: d.ivRank, vix: d.vix, termRatio: d.termRatio };
  const summary = (blocked: string, gate?: string) => dailySummaryLog({ date, blocked, gate, d, b, portfolio, lastEntryDays, c });

  if (d.date === null) return [skip('no-data', 'No SPX daily bars: nothing to evaluate', { ...base, dashboard })];
  if (!d.warmup.ready) {
    const line = warmupLog(d.warmup.remaining);
    return [skip('warmup', line, { ...base, warmup: d.warmup, log: [`[ENTRY EVAL] ${date} | SPX`, `  ${line}`], summary: summary(`warm-up (${d.warmup.remaining} bars remaining)`), dashboard })];
  }

  const gates = entryGates(d, portfolio, date, c);
  const log = entryEvalLog(date, gates);
  const values = gateValues(gates);
  const failed = firstFailure(gates);
  if (failed !== null) {
    const reason = `NO TRADE: ${noTradeReason(gates)}`;
    return [skip(failed.id, reason, { ...base, gates: values, failed: failed.id, log, summary: summary(noTradeReason(gates), failed.id), dashboard })];
  }

  const pick: ExpirationPick | null = pickExpiration(now, input.expirations, c);
  const withGates = { ...base, gates: values, log, dashboard };
  if (pick === null) {
    const listed = ROOTS.flatMap((r) => input.expirations[r] ?? []);
    return [skip('no-expiration', `Signal, but no SPX expiration within ${c.minDteEntry}–${c.maxDteEntry} DTE (${listed.length} listed)`, { ...withGates, listed: listed.length, summary: summary('no expiration in the DTE window', 'no-expiration') })];
  }
  const key = chainKey(pick.root, pick.expiration);
  const chain = chains.get(key);
  if (!chain) return [skip('no-chain', `Signal, but no chain for ${pick.root} ${pick.expiration} (${pick.dte} DTE): the engine could not get it`, { ...withGates, expiration: pick.expiration, dte: pick.dte, summary: summary('no option chain', 'no-chain') })];
  const built = buildSpread(chain, pick, c);
  if (!built.ok) {
    return [skip('no-suitable-strikes', `No suitable strikes for entry: ${built.why}`, { ...withGates, expiration: pick.expiration, dte: pick.dte, ...built.details, summary: summary('no suitable strikes', 'no-suitable-strikes') }, [key])];
  }
  const s = built.spread;

  // §6: size by max loss, scaled by drawdown, regime allocation and conviction.
  const risk = riskPerTrade(account, c);
  const conv = conviction(d, portfolio.closed, c);
  const multiplier = instrument(pick.root).multiplier;
  const size = positionSize({ equityCents: account.equityCents, riskPct: risk.riskPct, allocation: d.allocation, conviction: conv.multiplier, creditCents: s.midCents, widthPoints: c.spreadWidth, multiplier });
  const sizing = { equityCents: account.equityCents, peakEquityCents: account.peakEquityCents, riskPct: risk.riskPct, drawdownPct: risk.drawdownPct, drawdownStep: risk.step, allocation: d.allocation, conviction: conv, ...size };
  // The spread's theta per share a day (a seller earns the short's decay and pays the long's): §16's theta capture.
  const theta = s.short.quote.theta !== null && s.long.quote.theta !== null ? Math.round((s.long.quote.theta - s.short.quote.theta) * 10_000) / 10_000 : null;
  const spreadDetails = {
    expiration: pick.expiration, root: pick.root, dte: pick.dte, thetaPerDay: theta,
    shortStrike: s.short.quote.strike, longStrike: s.long.quote.strike, shortDelta: s.short.delta, longDelta: s.long.delta, shortIv: s.short.iv, longIv: s.long.iv,
    midCents: s.midCents, naturalCents: s.naturalCents, candidates: built.candidates,
  };
  if (size.contracts < 1) {
    return [skip('size', `Max risk $${(size.maxRiskCents / 100).toFixed(2)} (${(risk.riskPct * 100).toFixed(2)}% × ${d.allocation} × ${conv.multiplier}) is below one contract's max loss $${(size.maxLossPerContractCents / 100).toFixed(2)}`,
      { ...withGates, ...spreadDetails, sizing, summary: summary('size below one contract', 'size') }, [key])];
  }

  const leg = (p: typeof s.short, side: 'BUY' | 'SELL'): ProposedLeg => ({
    ...legOf(p.quote, side), ratio: 1, bid: p.quote.bid, ask: p.quote.ask, mid: (Math.round(p.quote.bid * 100) + Math.round(p.quote.ask * 100)) / 200, delta: p.delta, iv: p.iv,
  });
  const contracts = size.contracts;
  const timeStopDate = addDays(pick.expiration, -c.timeStopDte);
  const openMaxLoss = b.maxLossCents + (portfolio.pendingMaxLossCents ?? 0);
  const proposal: Proposal = {
    structure: 'put_credit_spread',
    legs: [leg(s.short, 'SELL'), leg(s.long, 'BUY')],
    quantity: contracts,
    midCents: s.midCents,
    naturalCents: s.naturalCents,
    // Worked from mid toward natural; a queued entry is re-quoted when the window opens (the engine).
    floorCents: s.naturalCents,
    maxProfitCents: s.midCents * multiplier * contracts,
    maxLossCents: (c.spreadWidth * 100 - s.midCents) * multiplier * contracts,
    score: conv.multiplier,
    notes: {
      ...spreadDetails, width: c.spreadWidth, timeStopDate, signalDate: date, regime: d.regime, conviction: conv.multiplier,
      termStructureWaived: gates.find((g) => g.id === 'term-structure')?.verdict === 'waived', rulesetVersion: RULESET_VERSION,
    },
  };
  const trade = tradeOpenedLog({
    date, shortStrike: s.short.quote.strike, shortMid: (s.short.quote.bid + s.short.quote.ask) / 2, shortDelta: s.short.delta,
    longStrike: s.long.quote.strike, longMid: (s.long.quote.bid + s.long.quote.ask) / 2, creditCents: s.midCents, contracts, width: c.spreadWidth, multiplier,
    dte: pick.dte, expiration: pick.expiration, timeStopDate, c, equityCents: account.equityCents, openMaxLossCents: openMaxLoss, openPositions: b.positions + portfolio.pendingEntries,
  });
  return [{
    kind: 'ENTER',
    gate: 'signal',
    reason: `SIGNAL: ENTRY TRIGGERED — SPX ${s.short.quote.strike}/${s.long.quote.strike} put credit spread ${pick.expiration} (${pick.dte} DTE) ×${contracts} at $${(s.midCents / 100).toFixed(2)} credit, short delta ${s.short.delta?.toFixed(3) ?? 'n/a'}`,
    details: { ...withGates, ...spreadDetails, sizing, trade },
    chains: [key],
    proposal,
    score: conv.multiplier,
  }];
}

/** What the application shows about seed 002 (the registry, electron/strategies/index.ts). */
export const ABOUT: SystemAbout = {
  seed: '002',
  summary: 'SPX put credit spreads at 45 DTE, short put at −0.16 delta, 50 wide, sold into a confirmed lower-Bollinger-band bounce behind a regime filter; sized by max loss (2 % of equity), 50 % profit target, 200 % stop, 21-DTE time stop, circuit breaker.',
  cadence: 'daily',
  exitReasons: [
    { code: 'TAKE_PROFIT_', prefix: true, label: 'Profit target (% of max profit)' },
    { code: 'STOP_LOSS', label: 'Stop loss (200 % of credit)', stop: true },
    { code: 'TIME_STOP', label: 'Time stop (21 DTE)' },
    { code: 'REGIME_SHIFT', label: 'Regime shift (Crisis or Bear Trend)' },
  ],
  figures: ['closedTrades', 'winRate', 'profitFactor', 'realizedPnl', 'maxDrawdown', 'openPositions', 'unrealizedPnl'],
  decisionFields: [
    { key: 'regime', label: 'Regime' },
    { key: 'ivRank', label: 'IV rank' },
  ],
  backtest: {
    sources: [
      { kind: 'model', label: 'Real SPX, VIX, VIX3M and SKEW daily files, options priced by the calibrated model' },
      { kind: 'sim', label: 'Simulator' },
      { kind: 'chains', file: 'spxw_options_eod_2018-01_2018-02.csv', label: 'SPXW end-of-day chains, Jan–Feb 2018 (no 30–60 DTE expiration: no entries)' },
    ],
    // The seed states no fill assumption; seed 000's conservative 0.30 of the spread from mid.
    slippageFraction: 0.3,
    // §6.1's example account: at 2 % of $100,000 not one 50-wide SPX spread fits.
    capitalCents: 50_000_000,
  },
};

/** Seed 002's Optimus. */
export const optimus: Strategy<OptimusConfig> = {
  id: STRATEGY_ID,
  title: 'Optimus — SPX 45-DTE put credit spreads',
  rulesetVersion: RULESET_VERSION,
  about: ABOUT,
  configSchema: OptimusConfigSchema,
  // §4.4 / §11.6: evaluate on the close (16:15 ET, once SPX options have closed too), execute next morning.
  entrySchedule: { id: 'optimus.close', kind: 'close', offsetMinutes: 15 },
  snapshotSchedule: { id: 'optimus.manage', kind: 'close', offsetMinutes: 15 },
  executionWindow: { from: '10:00', to: '11:00' },
  roots: ROOTS,
  history: { sessions: HISTORY_SESSIONS, series: ['VIX', 'VIX3M', 'BREADTH', 'PUTCALL', 'CREDIT'] },
  chainsNeeded,
  evaluateEntry,
  exitLevels(position, config) {
    return exitLevels(position.entryCreditCents, config, null);
  },
  capacityWarning,
  manage(input: ManageInput<OptimusConfig>): ManageDecision {
    return manageOptimus(input);
  },
};

export { positionDte };
