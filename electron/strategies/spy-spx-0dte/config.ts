/**
 * Config of the SPY/SPX 0DTE call position (seeds 003 and 004). Every rule and default of seed 004's
 * `config.yaml` is here with the seed's value; where seed 003 adds a rule 004 does not state (the
 * 10:00 end of the entry window, the 9.95–10.05 ratio band, $25K margin per spread, at most 2 spreads
 * open) it comes from 003. Where the two differ, 004 wins:
 *
 * | seed 004 `config.yaml`                            | here                                          |
 * |---------------------------------------------------|-----------------------------------------------|
 * | trading.max_spreads_per_day: 2                    | `risk.maxNewTradesPerDay` (the engine's veto too) |
 * | trading.min_entry_credit: 400                     | `trading.minEntryCreditCents` 40000           |
 * | trading.assignment_risk_threshold: 10             | `trading.assignmentRiskThreshold` $10         |
 * | trading.entry_time: "09:35"                       | `trading.entryTime` (003: entry_end "10:00" → `entryEnd`) |
 * | trading.exit_check_time: "15:45"                  | `trading.exitCheckTime`                       |
 * | trading.spy_contracts_per_spread: 10              | `trading.spyContractsPerSpread`               |
 * | trading.spx_contracts_per_spread: 1               | `trading.spxContractsPerSpread`               |
 * | risk_management.max_daily_loss: 1000              | `riskManagement.maxDailyLossCents` 100000     |
 * | risk_management.max_position_loss: 500            | `riskManagement.maxPositionLossCents` 50000   |
 * | risk_management.emergency_exit_enabled: true      | `riskManagement.emergencyExitEnabled`         |
 * | execution.order_timeout_seconds: 30               | `execution.timeoutSeconds` (each leg's deadline) |
 * | execution.max_retry_attempts: 3                   | `execution.maxRetryAttempts`                  |
 * | execution.use_limit_orders: true                  | `execution.useLimitOrders` (always: Thetadesk sends limit orders only) |
 * | dashboard.refresh_interval_seconds: 5, show_greeks, show_pnl_chart | `dashboard` (the system's page) |
 *
 * seed 004's `logging` block (level, console, file) is the application's log (Settings and the Logs
 * page), not a rule of this system, so it is not repeated here.
 *
 * The 15:45 rule: seed 004 says both "3:45 PM … Force close any positions still open" (its schedule
 * table) and "Expiration: 4:00 PM (if still open) — let both legs settle" (its exit conditions), which
 * can only both hold if 15:45 closes some positions; seed 003's code names which — those whose SPY
 * calls are in the money (`time > 15:45 and spy_itm_amount > 0`). `trading.preExpirationClose` is
 * 'itm' by default (the issue's reading), 'all' closes every position at 15:45.
 *
 * Money fields are integer cents (`unit: 'cents'`: the Strategies page shows and takes dollars).
 */
import { z } from 'zod';
import { executionSchema, riskLimitsSchema } from '../common.ts';

/** The session's 5-minute marks, 09:30–16:00 ET (the engine's schedules run on them). */
const SLOTS: string[] = [];
for (let m = 9 * 60 + 30; m <= 16 * 60; m += 5) SLOTS.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
const hhmm = z.enum(SLOTS as [string, ...string[]], { error: 'must be an ET time on a 5-minute mark from 09:30 to 16:00' });
/** The entry schedule's slots (strategy.ts: every 5 minutes 09:35–10:00). */
const ENTRY_SLOTS = SLOTS.filter((t) => t >= '09:35' && t <= '10:00');

export const SpySpxConfigSchema = z
  .object({
    trading: z
      .object({
        minEntryCreditCents: z.number().int().min(0).max(1_000_000).default(40_000).meta({ title: 'Min entry credit', unit: 'cents', description: 'Net credit (10 × SPY bid − SPX ask) × 100 minus commissions must be at least this (seed 004: $400).' }),
        assignmentRiskThreshold: z.number().gt(0).max(100).default(10).meta({ title: 'Assignment risk threshold', unit: '$ SPY above strike', description: 'Close when SPY is more than this above the short SPY strike (seed 004: $10).' }),
        entryTime: z.enum(ENTRY_SLOTS as [string, ...string[]], { error: 'must be a 5-minute mark from 09:35 to 10:00 ET' }).default('09:35').meta({ title: 'Entry window start', unit: 'ET', description: 'First entry evaluation (seed 004: 09:35). Entries are evaluated every 5 minutes until 10:00; a later start narrows the window.' }),
        entryEnd: z.literal('10:00', { error: "entryEnd: the entry window ends at 10:00 ET (seed 003's entry_end; the entry schedule's last slot)" }).default('10:00').meta({ title: 'Entry window end', unit: 'ET', description: "Last entry evaluation (seed 003: 10:00; fixed: the entry schedule's last slot)." }),
        exitCheckTime: hhmm.default('15:45').meta({ title: 'Pre-expiration check', unit: 'ET', description: 'From this time the pre-expiration close applies (seed 004: 15:45).' }),
        preExpirationClose: z.enum(['itm', 'all']).default('itm').meta({ title: 'Pre-expiration close', description: "'itm': at the check time close positions whose SPY calls are in the money, the rest settle at 16:00 (seeds 003/004); 'all': close every position." }),
        spyContractsPerSpread: z.number().int().min(1).max(100).default(10).meta({ title: 'SPY contracts per spread', unit: 'contracts (short)', description: 'SPY calls sold per spread (seed 004: 10).' }),
        spxContractsPerSpread: z.number().int().min(1).max(10).default(1).meta({ title: 'SPX contracts per spread', unit: 'contracts (long)', description: 'SPX calls bought per spread (seed 004: 1).' }),
        ratioMin: z.number().min(9).lt(10).default(9.95).meta({ title: 'SPX/SPY ratio, low', unit: 'ratio', description: 'Enter only while SPX/SPY is at least this (seeds 003/004: 9.95).' }),
        ratioMax: z.number().gt(10).max(11).default(10.05).meta({ title: 'SPX/SPY ratio, high', unit: 'ratio', description: 'Enter only while SPX/SPY is at most this (seeds 003/004: 10.05).' }),
        maxSpxSpread: z.number().min(0.05).max(20).default(0.5).meta({ title: 'Max SPX bid/ask spread', unit: '$ per share', description: 'Skip when the SPX call is wider than this (seed 004, "skip trade if >$0.50 for SPX").' }),
        maxSpySpread: z.number().min(0.01).max(5).default(0.05).meta({ title: 'Max SPY bid/ask spread', unit: '$ per share', description: 'Skip when the SPY call is wider than this ("bid-ask spreads reasonable").' }),
        commissionPerContractCents: z.number().int().min(0).max(1000).default(65).meta({ title: 'Commission per contract', unit: 'cents', description: 'Commission counted per contract when judging the credit "after commissions" (11 contracts a spread).' }),
        marginPerSpreadCents: z.number().int().min(0).max(100_000_000).default(2_500_000).meta({ title: 'Margin per spread', unit: 'cents', description: 'Account equity needed per spread open (seed 003: $25,000).' }),
        exDividendClose: z.boolean().default(true).meta({ title: 'Close before ex-dividend', description: 'On the session before a SPY ex-dividend date, close a position whose short SPY calls are in the money (early-assignment risk).' }),
        bandPct: z.number().gt(0).max(0.12).default(0.0025).meta({ title: 'Quoted strike band', unit: 'fraction of spot', description: 'Only the strikes within this band of each underlying are quoted at a decision (0.0025 = ±15 SPX points, ±$1.50 SPY).' }),
      })
      .strict()
      // No cross-field rule is needed: the ratio band straddles 10 (the seeds' 10:1), and the entry window starts within 09:35–10:00 and ends at 10:00.
      .prefault({})
      .meta({ title: 'Trading', description: 'Seed 004 "trading": the entry and exit rules.' }),
    riskManagement: z
      .object({
        maxDailyLossCents: z.number().int().min(0).max(100_000_000).default(100_000).meta({ title: 'Max daily loss', unit: 'cents', description: "Today's loss (realized + open) beyond this: emergency close of this system's positions, no more entries today, an alert (seed 004: $1,000)." }),
        maxPositionLossCents: z.number().int().min(0).max(100_000_000).default(50_000).meta({ title: 'Max position loss', unit: 'cents', description: 'Close a position whose loss exceeds this (seed 004: $500).' }),
        emergencyExitEnabled: z.boolean().default(true).meta({ title: 'Emergency exit', description: 'Close every position of this system once the daily loss is exceeded (seed 004: on).' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Risk management', description: 'Seed 004 "risk_management".' }),
    execution: executionSchema({ timeoutSeconds: 30, stepEverySeconds: 5, maxSteps: 10, stepTicks: 2 })
      .extend({
        maxRetryAttempts: z.number().int().min(0).max(10).default(3).meta({ title: 'Max retry attempts', unit: 'attempts', description: 'A leg not filled within its timeout is sent again this many times for the rest, then the entry gives up and a filled first leg is unwound (seed 004: 3).' }),
        useLimitOrders: z.literal(true, { error: 'useLimitOrders: Thetadesk sends limit orders only (marketable limits for exits)' }).default(true).meta({ title: 'Limit orders', description: 'Seed 004: use limit orders (always on).' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Execution', description: 'Seed 004 "execution": each leg a limit walked from its mid to its natural price (SPX at the ask, SPY at the bid) in steps of stepTicks every stepEverySeconds (by default natural within seconds; with maxSteps 0 the limit stays at mid and may never fill), re-priced as the quote moves within the entry\'s floor; timeoutSeconds is each leg\'s deadline.' }),
    dashboard: z
      .object({
        refreshIntervalSeconds: z.number().int().min(1).max(300).default(5).meta({ title: 'Refresh interval', unit: 'seconds', description: "How often the system's page refreshes (seed 004: 5)." }),
        showGreeks: z.boolean().default(true).meta({ title: 'Show greeks', description: 'Seed 004: show option greeks.' }),
        showPnlChart: z.boolean().default(true).meta({ title: 'Show P&L chart', description: 'Seed 004: show the P&L chart.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Dashboard', description: "Seed 004 \"dashboard\": the system's page." }),
    /** Seed 004 max_spreads_per_day 2; seed 003 max_spreads 2 (open at once). */
    risk: riskLimitsSchema({ maxOpenTrades: 2, maxNewTradesPerDay: 2, dailyStopAfterStopLoss: true })
      .prefault({})
      .meta({ title: 'Risk limits', description: 'Max spreads open (seed 003: 2), max spreads per day (seed 004: 2), no new entries after a stop the rest of the day.' }),
  })
  .strict();

export type SpySpxConfig = z.infer<typeof SpySpxConfigSchema>;

export const DEFAULT_SPY_SPX_CONFIG: SpySpxConfig = SpySpxConfigSchema.parse({});
