/**
 * Seeds 003 and 004 — the SPY/SPX 0DTE call position ("Daily 0DTE Credit Spread"): buy 1 SPX ATM call
 * at the ask, sell 10 SPY ATM calls at the bid, both expiring today. Read it like the seeds:
 *
 * | seed                                                     | where                                   |
 * |----------------------------------------------------------|-----------------------------------------|
 * | `config.yaml` (004), `config.yaml` (003)                 | config.ts                               |
 * | "9:35 AM: Entry routine", `should_enter_trade`            | entry.ts (`entrySchedule`: 09:35–10:00)  |
 * | `calculate_entry_credit`                                 | entry.ts `entryCredit`                  |
 * | "Every 5 min: Position monitoring", `check_exit_conditions` | exits.ts (`snapshotSchedule`)          |
 * | "4:05 PM: Settlement routine"                            | `settlementSchedule` (the engine settles) |
 * | `place_spread_order` (both legs), leg risk               | engine/execution/legging.ts             |
 * | `emergency_close_all`, `check_risk_limits`               | exits.ts `DAILY_LOSS_LIMIT`, entry.ts `daily-loss` |
 *
 * The seeds' claims ("Win Rate: 85-90%", "Average Profit: $500-800 per trade", a "structural
 * mispricing") are kept in `SEED_CLAIMS` and shown beside what the backtest measures
 * (electron/backtest/spy-spx/), never as a property of the system.
 *
 * Pure: no I/O, no clock, no randomness.
 */
import { etDate } from '../../../shared/time/et.ts';
import type { ChainNeed, Listed, Strategy, SystemAbout } from '../types.ts';
import { SpySpxConfigSchema, type SpySpxConfig } from './config.ts';
import { evaluateEntry } from './entry.ts';
import { manage } from './exits.ts';

export const STRATEGY_ID = 'spy-spx-0dte';
export const RULESET_VERSION = '004-1';

/** What seed 004 claims ("Expected Performance", "Historical Backtest Results"), for the report and the page. */
export const SEED_CLAIMS = {
  winRateLow: 0.85,
  winRateHigh: 0.9,
  avgProfitLowCents: 50_000,
  avgProfitHighCents: 80_000,
  avgWinCents: 60_000,
  avgLossCents: -20_000,
  tradesPerDayLow: 1,
  tradesPerDayHigh: 2,
  source: 'seed 004 "Expected Performance": win rate 85-90 %, average profit $500-800 per trade, 1-2 trades a day, average win +$600, average loss -$200',
} as const;

/** The two 0DTE chains, narrowed to the strikes around each underlying (the ATM calls are all it reads). */
function chainsNeeded(now: number, config: SpySpxConfig, listed: Listed): ChainNeed[] {
  const today = etDate(now);
  if (!listed.SPXW?.includes(today) || !listed.SPY?.includes(today)) return [];
  const bandPct = config.trading.bandPct;
  return [
    { root: 'SPXW', expiration: today, bandPct },
    { root: 'SPY', expiration: today, bandPct },
  ];
}

export const ABOUT: SystemAbout = {
  seed: '004',
  summary: 'Buy 1 SPX ATM 0DTE call at the ask, sell 10 SPY ATM 0DTE calls at the bid between 09:35 and 10:00 ET when SPX/SPY is within 9.95–10.05 and the net credit is at least $400; exits on SPY above strike + $10, a $500 position loss, the 15:45 pre-expiration close (SPY calls in the money) or settlement at 16:00.',
  cadence: 'intraday',
  exitReasons: [
    { code: 'ASSIGNMENT_RISK', label: 'Assignment risk: SPY above strike + $10' },
    { code: 'PRE_EXPIRATION', label: '15:45 pre-expiration close (SPY calls in the money)' },
    { code: 'LOSS_LIMIT', label: 'Position loss limit', stop: true },
    { code: 'DAILY_LOSS_LIMIT', label: 'Daily loss limit: emergency close', stop: true },
    { code: 'EX_DIVIDEND', label: 'Ex-dividend tomorrow, SPY calls in the money' },
    { code: 'LEG_UNWIND', label: 'Second leg not filled: first leg unwound' },
    { code: 'ASSIGNED', label: 'Assigned: shares flattened' },
  ],
  figures: ['closedTrades', 'winRate', 'avgPnl', 'realizedPnl', 'openPositions', 'unrealizedPnl'],
  claims: [
    { label: 'Win rate', claimed: '85–90 %', figure: 'winRate' },
    { label: 'Average P&L per trade', claimed: '$500–$800', figure: 'avgPnl' },
  ],
  claimsSource: `${SEED_CLAIMS.source}. Measured here: this system's closed trades; over the simulator: npx thetadesk backtest spy-spx-0dte (its report decomposes each trade's P&L).`,
  decisionFields: [
    { key: 'ratio', label: 'SPX/SPY' },
    { key: 'spxStrike', label: 'SPX K' },
    { key: 'spyStrike', label: 'SPY K' },
    { key: 'netCreditCents', label: 'Credit ¢' },
  ],
  backtest: {
    sources: [{ kind: 'sim', label: 'Simulator, 5-minute SPXW and SPY 0DTE chains' }],
    // The seeds' prices: the SPX call bought at the ask, the SPY calls sold at the bid (mid ∓ 0.5 × spread).
    slippageFraction: 0.5,
    // Commissions: the fill model's default, the paper exchange's $0.65 per contract — what the entry's
    // credit gate counts (trading.commissionPerContractCents' default), as the seed subtracts them.
  },
};

/** Seeds 003/004: 1 SPX ATM call bought, 10 SPY ATM calls sold, 0DTE. */
export const spySpx0dte: Strategy<SpySpxConfig> = {
  id: STRATEGY_ID,
  title: 'SPY/SPX 0DTE call position',
  rulesetVersion: RULESET_VERSION,
  about: ABOUT,
  configSchema: SpySpxConfigSchema,
  entrySchedule: { id: 'spy-spx-0dte.entry', kind: 'every', minutes: 5, from: '09:35', to: '10:00' },
  snapshotSchedule: { id: 'spy-spx-0dte.monitor', kind: 'every', minutes: 5, from: '09:35', to: '16:00' },
  settlementSchedule: { id: 'spy-spx-0dte.settlement', kind: 'close', offsetMinutes: 5 },
  // Off until switched on: a second system in an existing account must be a deliberate choice.
  enabledByDefault: false,
  roots: ['SPXW', 'SPY'],
  chainsNeeded,
  evaluateEntry,
  manage,
  exitLevels(_position, config) {
    // A loss limit, no take profit: per spread, per-share cents (the engine applies the multiplier).
    return { takeProfitCents: null, stopLossCents: -config.riskManagement.maxPositionLossCents / 100 };
  },
};
