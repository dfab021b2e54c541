/**
 * IB Gateway / TWS adapter configuration, validated once (zod) and frozen. Paper by default:
 * port 4002 is IB Gateway's paper port, 4001 its live port; live needs `live: true` explicitly.
 */
import { z } from 'zod';
import { DEFAULT_RESTART } from './restart-window.ts';

export const IbkrConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).optional(),
    clientId: z.number().int().min(0).max(2_147_483_647).default(17),
    /**
     * A live account is expected (the default port becomes 4001). Off by default: paper (port 4002).
     * What the account IS comes from IB Gateway on connect (`IbkrBroker.accountType()`); the engine
     * trades nothing when the two differ.
     */
    live: z.boolean().default(false),
    /** 'live' requires subscriptions; 'delayed' asks for 15-min data; 'auto' falls back to delayed on 354. */
    marketData: z.enum(['live', 'delayed', 'auto']).default('auto'),
    /** Outgoing message rate (IB's hard limit is 50/s; the library default is 40). */
    maxRequestsPerSecond: z.number().int().min(1).max(50).default(40),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    requestTimeoutMs: z.number().int().positive().default(15_000),
    /** Reconnect back-off: first delay, cap, and attempts before giving up (0 = never give up). */
    reconnect: z
      .object({ initialMs: z.number().int().positive().default(500), maxMs: z.number().int().positive().default(30_000), maxAttempts: z.number().int().min(0).default(0) })
      .default({ initialMs: 500, maxMs: 30_000, maxAttempts: 0 }),
    /** Historical data pacing: minimum gap between requests and the wait after a pacing violation (162). */
    historical: z
      .object({ minGapMs: z.number().int().min(0).default(2_000), retryAfterMs: z.number().int().min(0).default(15_000), maxRetries: z.number().int().min(0).default(3) })
      .default({ minGapMs: 2_000, retryAfterMs: 15_000, maxRetries: 3 }),
    /** Snapshot market-data requests in flight at once when building a chain (IB allows 100 lines). */
    chainConcurrency: z.number().int().min(1).max(100).default(90),
    /**
     * IB Gateway's daily auto-restart (its Configure → Settings → Lock and Exit time, given in ET) and the
     * window around it in which no orders are sent (restart-window.ts).
     */
    restart: z
      .object({
        dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'the auto-restart time is HH:MM (24-hour, ET)').default(DEFAULT_RESTART.dailyAt),
        beforeMinutes: z.number().int().min(0).max(60).default(DEFAULT_RESTART.beforeMinutes),
        afterMinutes: z.number().int().min(1).max(120).default(DEFAULT_RESTART.afterMinutes),
      })
      .default(DEFAULT_RESTART),
  })
  .strict();

export type IbkrConfigInput = z.input<typeof IbkrConfigSchema>;
export type IbkrConfig = Readonly<z.output<typeof IbkrConfigSchema> & { port: number }>;

export function parseIbkrConfig(input: IbkrConfigInput): IbkrConfig {
  const c = IbkrConfigSchema.parse(input);
  return Object.freeze({ ...c, port: c.port ?? (c.live ? 4001 : 4002) });
}
