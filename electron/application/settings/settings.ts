/**
 * The Settings page's data: broker connection settings, paper/live mode, notifications. Saved in the
 * settings table and applied at the next start; secrets go to a SecretStore (Electron's safeStorage in
 * the app) and never come back to the renderer.
 *
 * Settings rows: `settings.broker` ('sim' | 'ibkr' | 'tradier'), `settings.ibkr` ({ host, port,
 * clientId, autoRestart — IB Gateway's daily restart time, HH:MM ET }), `settings.tradier` ({ accountId, sandbox } — never the token), `settings.mode`
 * ('paper' | 'live'), `settings.notifications` ({ enabled, fills, errors }: desktop notifications),
 * `settings.delivery` (e-mail and webhooks, delivery.ts; its secrets in the SecretStore), `account.risk` (the account
 * capital and the account-wide risk limits, shared/domain/account-risk.ts — unlike the connection they
 * apply at once: the engine reads them from its next decision). The Tradier token is the secret
 * `tradier.token`. Paper is the default; live needs the exact LIVE_CONFIRMATION sentence.
 */
import { z } from 'zod';
import { ApiError, BrokerKindSchema, LIVE_CONFIRMATION, type BrokerKind, type SettingInForce, type Settings } from '../../../shared/api.ts';
import { AccountRiskSchema, DEFAULT_ACCOUNT_RISK, type AccountRisk } from '../../../shared/domain/account-risk.ts';
import { formatUsd } from '../../../shared/format.ts';
import type { MethodParsedInput } from '../../../shared/api.ts';
import { IbkrConfigSchema } from '../../brokers/ibkr/config.ts';
import { IB_LIVE_PORTS, IB_PAPER_PORTS } from '../../brokers/ibkr/parsing/accounts.ts';
import { brokerTitle } from '../../brokers/port.ts';
import type { Store } from '../../store/store.ts';
import type { Logger } from '../../engine/ports.ts';
import { deliveryWarnings, describeDestinationChanges, deliverySettings, DELIVERY_KEY, describeDelivery, planDeliveryChange, storeDeliverySecrets } from './delivery.ts';

/** Where secrets live. Values never leave the main process except to the broker adapter. */
export type SecretStore = {
  readonly kind: 'safeStorage' | 'memory' | 'unavailable';
  get(name: string): string | null;
  /** Null forgets it. Throws when the store cannot keep secrets (kind 'unavailable'). */
  set(name: string, value: string | null): void;
  has(name: string): boolean;
};

/** Secrets kept in this process's memory only (the headless server: set THETADESK_TRADIER_TOKEN to keep one across restarts). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #values = new Map<string, string>();
  get(name: string): string | null {
    return this.#values.get(name) ?? null;
  }
  set(name: string, value: string | null): void {
    if (value === null) this.#values.delete(name);
    else this.#values.set(name, value);
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
}

/** The secret name of the Tradier access token. */
export const TRADIER_TOKEN = 'tradier.token';

export type SettingsContext = {
  store: Store;
  secrets: SecretStore;
  dataDir: string;
  activeBroker: BrokerKind | null;
  activeMode: 'paper' | 'live';
  /** The broker settings in force and where each comes from (BrokerSetup.inForce); none without a broker. */
  inForce?: SettingInForce[];
  wall: number;
  /** Where every change is logged (never a secret). */
  log?: Logger;
  /** Registers a value to be masked in every later log line (the token, once stored). */
  addSecret?: (value: string) => void;
  /** Puts new account-wide limits in force (the running engine's), after they are saved. */
  applyAccountRisk?: (limits: AccountRisk) => void;
};

const KEY = { broker: 'settings.broker', ibkr: 'settings.ibkr', tradier: 'settings.tradier', mode: 'settings.mode', notifications: 'settings.notifications', accountRisk: 'account.risk' } as const;

const IBKR_DEFAULTS = (() => {
  const c = IbkrConfigSchema.parse({});
  return { host: c.host, port: 4002, clientId: c.clientId, autoRestart: c.restart.dailyAt }; // 4002: IB Gateway's paper port
})();

const Stored = {
  broker: BrokerKindSchema,
  // Rows saved before the auto-restart time existed read with the default.
  ibkr: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    clientId: z.number().int().min(0),
    autoRestart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).default(IBKR_DEFAULTS.autoRestart),
  }),
  tradier: z.object({ accountId: z.string(), sandbox: z.boolean() }),
  mode: z.enum(['paper', 'live']),
  notifications: z.object({ enabled: z.boolean(), fills: z.boolean(), errors: z.boolean() }),
};

/** The connection settings saved for the next start (defaults where nothing valid is saved). */
export type SavedConnection = {
  broker: BrokerKind;
  ibkr: { host: string; port: number; clientId: number; autoRestart: string };
  tradier: { accountId: string; sandbox: boolean };
  mode: 'paper' | 'live';
};

function read<T>(store: Store, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(store.settings.get(key));
  return parsed.success ? parsed.data : fallback;
}

/** What Thetadesk should connect to at start when the command line and environment do not say. */
export function savedConnection(store: Store): SavedConnection {
  return {
    broker: read(store, KEY.broker, Stored.broker, 'sim'),
    ibkr: read(store, KEY.ibkr, Stored.ibkr, IBKR_DEFAULTS),
    tradier: read(store, KEY.tradier, Stored.tradier, { accountId: '', sandbox: true }),
    mode: read(store, KEY.mode, Stored.mode, 'paper'),
  };
}

/**
 * The account capital and account-wide limits saved (every limit off and $100,000 when nothing valid is
 * saved; a saved row missing a newer field reads with its default).
 */
export function accountRisk(store: Store, log?: Logger): AccountRisk {
  const saved = store.settings.get(KEY.accountRisk);
  if (saved === null || saved === undefined) return DEFAULT_ACCOUNT_RISK;
  const parsed = AccountRiskSchema.safeParse(saved);
  if (parsed.success) return parsed.data;
  log?.error(`The saved account risk limits are invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); every limit is off until they are saved again.`);
  return DEFAULT_ACCOUNT_RISK;
}

/** The account limits in words, for the log. */
function describeAccountRisk(r: AccountRisk): string {
  const pct = (x: number | null) => (x === null ? 'off' : `${Math.round(x * 10_000) / 100} %`);
  return [
    `capital ${formatUsd(r.capitalCents / 100)}`,
    `heat ${pct(r.maxHeatPct)}`,
    `aggregate delta ${pct(r.maxDeltaPctOfEquity)}`,
    `drawdown ${pct(r.maxDrawdownPct)}`,
    `circuit breaker ${r.circuitBreakerStops === null ? 'off' : `${r.circuitBreakerStops} stops → ${r.circuitBreakerPauseDays} business days`}`,
    `daily loss limit ${r.dailyLossLimitCents === null ? 'off' : `${formatUsd(r.dailyLossLimitCents / 100)}${r.emergencyClose ? ' with emergency close' : ''}`}`,
  ].join(', ');
}

export type NotificationSettings = { enabled: boolean; fills: boolean; errors: boolean };

export function notificationSettings(store: Store): NotificationSettings {
  return read(store, KEY.notifications, Stored.notifications, { enabled: true, fills: true, errors: true });
}

/** Whether a desktop notification of this level is wanted: errors under "errors", everything else (fills, exits, rejects' follow-ups) under "fills". */
export function wantsNotification(settings: NotificationSettings, level: 'info' | 'warn' | 'error'): boolean {
  if (!settings.enabled) return false;
  return level === 'error' ? settings.errors : settings.fills;
}

export function readSettings(ctx: SettingsContext): Settings {
  const saved = savedConnection(ctx.store);
  return {
    broker: saved.broker,
    activeBroker: ctx.activeBroker,
    ibkr: saved.ibkr,
    tradier: { accountId: saved.tradier.accountId, tokenSet: ctx.secrets.has(TRADIER_TOKEN), sandbox: saved.tradier.sandbox },
    mode: saved.mode,
    activeMode: ctx.activeMode,
    dataDir: ctx.dataDir,
    notifications: notificationSettings(ctx.store),
    delivery: deliverySettings(ctx.store, ctx.secrets),
    secretStorage: ctx.secrets.kind,
    restartRequired: (ctx.activeBroker !== null && saved.broker !== ctx.activeBroker) || saved.mode !== ctx.activeMode,
    accountRisk: accountRisk(ctx.store),
    inForce: ctx.inForce ?? [],
    warnings: [...settingsWarnings(saved, ctx), ...deliveryWarnings(ctx.store, ctx.secrets)],
  };
}

/**
 * What deserves a second look: an IB port of the other mode (4001/7496 are IB Gateway's and TWS's live
 * ports, 4002/7497 the paper ones) — saved, or in force from the environment. Thetadesk refuses to
 * trade when the account behind it is not of the mode's kind; this says so before it comes to that.
 */
function settingsWarnings(saved: SavedConnection, ctx: SettingsContext): string[] {
  const out: string[] = [];
  const check = (port: number, mode: 'paper' | 'live', where: string) => {
    if (mode === 'paper' && IB_LIVE_PORTS.includes(port)) {
      out.push(`IB port ${port} (${where}) is the live port of ${port === 4001 ? 'IB Gateway' : 'TWS'}, but the mode is paper: if IB Gateway there is logged in to a live account, Thetadesk refuses to trade. Use ${port === 4001 ? 4002 : 7497}, the paper port, for paper trading.`);
    } else if (mode === 'live' && IB_PAPER_PORTS.includes(port)) {
      out.push(`IB port ${port} (${where}) is the paper port of ${port === 4002 ? 'IB Gateway' : 'TWS'}, but the mode is live: if IB Gateway there is logged in to a paper account, Thetadesk refuses to trade. Use ${port === 4002 ? 4001 : 7496} for a live account.`);
    }
  };
  if (saved.broker === 'ibkr' || saved.ibkr.port !== IBKR_DEFAULTS.port) check(saved.ibkr.port, saved.mode, 'saved');
  const inUse = ctx.inForce?.find((s) => s.setting === 'IB port');
  if (inUse && inUse.source !== 'Settings') check(Number(inUse.value), ctx.activeMode, `in use now, from ${inUse.source}`);
  return out;
}

/**
 * Like a broker switch, a broker's connection or account is not changed under what is open on it: an
 * open trade's legs and a working order live in the account (and, at IB, the client id) that holds them.
 * IB Gateway reports only the orders of the client id that placed them, so a new client id orphans them;
 * another host or port, or another Tradier account or sandbox, is another account. Throws CONFLICT
 * naming the trades and orders; the auto-restart time and the other broker's settings stay free.
 */
function checkConnectionChange(store: Store, before: SavedConnection, update: MethodParsedInput<'settings.set'>): void {
  const changes: { kind: BrokerKind; fields: string[]; why: string }[] = [];
  if (update.ibkr) {
    const b = before.ibkr;
    const fields = [update.ibkr.host !== b.host ? 'host' : null, update.ibkr.port !== b.port ? 'port' : null, update.ibkr.clientId !== b.clientId ? 'client id' : null].filter((f) => f !== null);
    const why = update.ibkr.clientId !== b.clientId ? 'IB Gateway reports only the orders of the client id that placed them' : 'another Gateway or port is another account';
    if (fields.length > 0) changes.push({ kind: 'ibkr', fields, why });
  }
  if (update.tradier) {
    const b = before.tradier;
    const { accountId, sandbox } = update.tradier;
    const fields = [accountId !== undefined && accountId !== b.accountId ? 'account id' : null, sandbox !== undefined && sandbox !== b.sandbox ? 'sandbox' : null].filter((f) => f !== null);
    if (fields.length > 0) changes.push({ kind: 'tradier', fields, why: 'they live in the account they were opened in' });
  }
  for (const c of changes) {
    const trades = store.trades.listOpen().filter((t) => t.broker === c.kind).map((t) => t.tradeId);
    const orders = store.orders.live().filter((o) => o.broker === c.kind && (o.tradeId === null || !trades.includes(o.tradeId))).map((o) => o.clientOrderId);
    if (trades.length === 0 && orders.length === 0) continue;
    const held = [trades.length === 1 ? `trade ${trades[0]}` : trades.length > 1 ? `trades ${trades.join(', ')}` : null, orders.length === 1 ? `order ${orders[0]}` : orders.length > 1 ? `orders ${orders.join(', ')}` : null].filter(Boolean).join(' and ');
    const one = trades.length + orders.length === 1;
    throw new ApiError(
      'CONFLICT',
      `${c.kind}: ${held} ${one ? 'is' : 'are'} still open on ${brokerTitle(c.kind)}; changing its ${c.fields.join(' and ')} now would leave ${one ? 'it' : 'them'} unmanaged (${c.why}). Close ${one ? 'it' : 'them'} (Positions → Close, or Close all) and wait until closed, then change it. Nothing was saved.`,
    );
  }
}

/**
 * Saves the parts of `update` that are present and returns the settings as they now are. The token is
 * stored first (so a refusal to store it saves nothing else); switching to live needs the exact
 * confirmation sentence, checked here again. Every change is logged; the token never is.
 */
export function updateSettings(ctx: SettingsContext, update: MethodParsedInput<'settings.set'>): Settings {
  const log = ctx.log;
  if (update.mode === 'live' && update.confirmLive !== LIVE_CONFIRMATION) {
    throw new ApiError('VALIDATION', `confirmLive: switching to live trading needs the confirmation "${LIVE_CONFIRMATION}", typed exactly.`);
  }
  const before = savedConnection(ctx.store);
  if ((update.mode ?? before.mode) === 'live' && (update.broker ?? before.broker) === 'sim') {
    throw new ApiError('VALIDATION', 'mode: the simulator trades paper only — choose IB Gateway or Tradier as the broker for live trading.');
  }
  if (update.broker !== undefined && update.broker !== before.broker) {
    // The engine never switches brokers under open positions: their legs live in the current broker's account.
    const held = ctx.store.trades.listOpen().filter((t) => t.broker !== update.broker);
    if (held.length > 0) {
      const where = [...new Set(held.map((t) => brokerTitle(t.broker)))].join(' and ');
      const ids = held.map((t) => t.tradeId).join(', ');
      throw new ApiError(
        'CONFLICT',
        `broker: ${held.length === 1 ? `trade ${ids} is` : `trades ${ids} are`} still open on ${where}; switching to ${brokerTitle(update.broker)} now would leave ${held.length === 1 ? 'it' : 'them'} unmanaged. Close ${held.length === 1 ? 'it' : 'them'} (Positions → Close, or Close all) and wait until closed, then switch. Nothing was saved.`,
      );
    }
  }
  checkConnectionChange(ctx.store, before, update);
  // Delivery (e-mail, webhooks) is checked as a whole before anything is stored.
  const delivery = update.delivery ? planDeliveryChange(ctx.store, ctx.secrets, update.delivery) : null;
  const token = update.tradier?.token;
  const tokenAfter = token === undefined ? ctx.secrets.has(TRADIER_TOKEN) : token !== '';
  const accountAfter = update.tradier?.accountId ?? before.tradier.accountId;
  if (update.broker === 'tradier' && (!tokenAfter || !accountAfter)) {
    throw new ApiError('VALIDATION', `tradier: Tradier needs ${!accountAfter ? 'an account id' : ''}${!accountAfter && !tokenAfter ? ' and ' : ''}${!tokenAfter ? 'an access token' : ''} before it can be the broker.`);
  }
  if (token !== undefined) {
    if (token === '') {
      ctx.secrets.set(TRADIER_TOKEN, null);
      log?.info('Tradier token forgotten.');
    } else {
      if (ctx.secrets.kind === 'unavailable') {
        throw new ApiError('VALIDATION', 'tradier.token: this computer offers no encrypted storage for secrets (Electron safeStorage is unavailable), so the token was not stored and nothing was saved. Set THETADESK_TRADIER_TOKEN in the environment instead.');
      }
      ctx.addSecret?.(token);
      try {
        ctx.secrets.set(TRADIER_TOKEN, token);
      } catch (error) {
        const why = error instanceof Error ? error.message.split(token).join('***') : 'unknown error';
        throw new ApiError('VALIDATION', `tradier.token: the token could not be stored securely (${why}); nothing was saved.`);
      }
      log?.info(`Tradier token stored (${ctx.secrets.kind === 'safeStorage' ? 'encrypted with the OS keychain' : 'in memory for this run'}).`);
    }
  }
  if (delivery) storeDeliverySecrets(delivery, ctx.secrets, log, ctx.addSecret);
  const at = ctx.wall;
  const riskBefore = accountRisk(ctx.store);
  const riskAfter = update.accountRisk ? AccountRiskSchema.parse({ ...riskBefore, ...update.accountRisk }) : riskBefore;
  const riskChanged = JSON.stringify(riskAfter) !== JSON.stringify(riskBefore);
  ctx.store.transaction(() => {
    if (riskChanged) {
      ctx.store.settings.set(KEY.accountRisk, riskAfter, at);
      log?.info(`Account risk limits: ${describeAccountRisk(riskAfter)} (in force from the next decision).`);
    }
    if (update.broker !== undefined && update.broker !== before.broker) {
      ctx.store.settings.set(KEY.broker, update.broker, at);
      log?.info(`Broker for the next start: ${update.broker} (was ${before.broker}).`);
    }
    const ibkr = update.ibkr ? { ...update.ibkr, autoRestart: update.ibkr.autoRestart ?? before.ibkr.autoRestart } : null;
    if (ibkr && (ibkr.host !== before.ibkr.host || ibkr.port !== before.ibkr.port || ibkr.clientId !== before.ibkr.clientId || ibkr.autoRestart !== before.ibkr.autoRestart)) {
      ctx.store.settings.set(KEY.ibkr, ibkr, at);
      log?.info(`IB Gateway settings: ${ibkr.host}:${ibkr.port}, client id ${ibkr.clientId}, auto-restart ${ibkr.autoRestart} ET (were ${before.ibkr.host}:${before.ibkr.port}, client id ${before.ibkr.clientId}, auto-restart ${before.ibkr.autoRestart} ET).`);
    }
    if (update.tradier && (update.tradier.accountId !== undefined || update.tradier.sandbox !== undefined)) {
      const next = { accountId: update.tradier.accountId ?? before.tradier.accountId, sandbox: update.tradier.sandbox ?? before.tradier.sandbox };
      if (next.accountId !== before.tradier.accountId || next.sandbox !== before.tradier.sandbox) {
        ctx.store.settings.set(KEY.tradier, next, at);
        const changes = [next.accountId !== before.tradier.accountId ? 'account id changed' : null, next.sandbox !== before.tradier.sandbox ? `sandbox ${next.sandbox ? 'on' : 'off'}` : null].filter(Boolean);
        log?.info(`Tradier settings: ${changes.join(', ')}.`);
      }
    }
    if (update.mode !== undefined && update.mode !== before.mode) {
      ctx.store.settings.set(KEY.mode, update.mode, at);
      if (update.mode === 'live') log?.warn('Trading mode for the next start: LIVE (real money), confirmed by the user.');
      else log?.info('Trading mode for the next start: paper.');
    }
    if (update.notifications) {
      const old = notificationSettings(ctx.store);
      const n = update.notifications;
      if (n.enabled !== old.enabled || n.fills !== old.fills || n.errors !== old.errors) {
        ctx.store.settings.set(KEY.notifications, n, at);
        log?.info(`Notifications: ${n.enabled ? `on (fills ${n.fills ? 'on' : 'off'}, errors ${n.errors ? 'on' : 'off'})` : 'off'}.`);
      }
    }
    if (delivery?.changed) {
      ctx.store.settings.set(DELIVERY_KEY, delivery.config, at);
      log?.info(`Notification delivery: ${describeDelivery(delivery.config)}.`);
    }
    // Where a secret goes is said on its own line (a new SMTP server, API address or webhook host).
    if (delivery) for (const line of describeDestinationChanges(delivery)) log?.info(line);
  });
  if (riskChanged) ctx.applyAccountRisk?.(riskAfter);
  const settings = readSettings(ctx);
  for (const w of settings.warnings) log?.warn(`Settings: ${w}`);
  // Connection settings of the broker in use apply at the next start too.
  const after = savedConnection(ctx.store);
  const activeChanged =
    (ctx.activeBroker === 'ibkr' && JSON.stringify(after.ibkr) !== JSON.stringify(before.ibkr)) ||
    (ctx.activeBroker === 'tradier' && (token !== undefined || JSON.stringify(after.tradier) !== JSON.stringify(before.tradier)));
  return activeChanged ? { ...settings, restartRequired: true } : settings;
}
