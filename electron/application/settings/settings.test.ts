import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, LIVE_CONFIRMATION, methods, SettingsSchema, type MethodInput } from '../../../shared/api.ts';
import { openTemp, tempDir } from '../../../tests/store/fixtures.ts';
import { dispatch } from '../rpc.ts';
import { chooseBroker, type SavedBrokerSettings } from '../broker/setup.ts';
import { VirtualClock } from '../../engine/clock.ts';
import { LogHub } from '../logs/hub.ts';
import { DEFAULT_ACCOUNT_RISK } from '../../../shared/domain/account-risk.ts';
import { DEFAULT_DELIVERY } from '../../../shared/domain/notifications.ts';
import { accountRisk, MemorySecretStore, readSettings, savedConnection, TRADIER_TOKEN, updateSettings, wantsNotification, type SecretStore, type SettingsContext } from './settings.ts';
import { openWorkstation, type Workstation } from '../workstation.ts';

const T0 = Date.UTC(2026, 0, 20, 15);
const closers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

function context(over: Partial<SettingsContext> = {}): SettingsContext & { hub: LogHub } {
  const hub = new LogHub(() => T0);
  const store = openTemp();
  closers.push(store);
  return { store, secrets: new MemorySecretStore(), dataDir: '/data/thetadesk', activeBroker: 'sim', activeMode: 'paper', wall: T0, log: hub.logger('settings'), addSecret: (v) => hub.addSecret(v), hub, ...over };
}

const update = (u: MethodInput<'settings.set'>) => methods['settings.set'].input.parse(u);

describe('settings.get defaults', () => {
  it('are the simulator, IB Gateway paper on 127.0.0.1:4002, paper mode and every notification on', () => {
    const s = readSettings(context());
    expect(SettingsSchema.parse(s)).toEqual(s);
    expect(s).toEqual({
      broker: 'sim',
      activeBroker: 'sim',
      ibkr: { host: '127.0.0.1', port: 4002, clientId: 17, autoRestart: '23:45' },
      tradier: { accountId: '', tokenSet: false, sandbox: true },
      mode: 'paper',
      activeMode: 'paper',
      dataDir: '/data/thetadesk',
      notifications: { enabled: true, fills: true, errors: true },
      delivery: {
        email: { ...DEFAULT_DELIVERY.email, passwordSet: false },
        slack: { ...DEFAULT_DELIVERY.slack, webhookUrlSet: false },
        telegram: { ...DEFAULT_DELIVERY.telegram, botTokenSet: false },
        throttle: { maxPerMinute: 4 },
      },
      secretStorage: 'memory',
      restartRequired: false,
      accountRisk: DEFAULT_ACCOUNT_RISK,
      inForce: [],
      warnings: [],
    });
    expect(s.accountRisk).toMatchObject({ capitalCents: 10_000_000, maxHeatPct: null, circuitBreakerStops: null, dailyLossLimitCents: null });
  });
});

describe('account risk limits', () => {
  it('a change saves the fields given, keeps the others, applies at once (no restart) and is logged', () => {
    const applied: unknown[] = [];
    const ctx = context({ applyAccountRisk: (l) => applied.push(l) });
    const s = updateSettings(ctx, update({ accountRisk: { maxHeatPct: 0.15, circuitBreakerStops: 3 } }));
    expect(s.restartRequired).toBe(false);
    expect(s.accountRisk).toEqual({ ...DEFAULT_ACCOUNT_RISK, maxHeatPct: 0.15, circuitBreakerStops: 3 });
    const again = updateSettings(ctx, update({ accountRisk: { dailyLossLimitCents: 100_000 } }));
    expect(again.accountRisk).toEqual({ ...DEFAULT_ACCOUNT_RISK, maxHeatPct: 0.15, circuitBreakerStops: 3, dailyLossLimitCents: 100_000 });
    expect(applied).toEqual([s.accountRisk, again.accountRisk]);
    expect(accountRisk(ctx.store)).toEqual(again.accountRisk);
    // Setting a limit back to off.
    expect(updateSettings(ctx, update({ accountRisk: { maxHeatPct: null } })).accountRisk.maxHeatPct).toBeNull();
    const lines = ctx.hub.list(50).map((l) => l.message);
    expect(lines).toContain('Account risk limits: capital $100,000.00, heat 15 %, aggregate delta off, drawdown off, circuit breaker 3 stops → 5 business days, daily loss limit off (in force from the next decision).');
    // Nothing changed: nothing saved, nothing applied.
    updateSettings(ctx, update({ accountRisk: { emergencyClose: true } }));
    expect(applied).toHaveLength(3);
  });

  it('a bad value is refused by the contract with the field named, saving nothing; an older row missing a field reads its default', () => {
    expect(() => update({ accountRisk: { maxHeatPct: 2 } })).toThrow(/maxHeatPct/);
    expect(() => update({ accountRisk: { unknown: 1 } as never })).toThrow();
    const ctx = context();
    ctx.store.settings.set('account.risk', { capitalCents: 5_000_000, maxHeatPct: 0.1 }, T0);
    expect(accountRisk(ctx.store)).toEqual({ ...DEFAULT_ACCOUNT_RISK, capitalCents: 5_000_000, maxHeatPct: 0.1 });
    ctx.store.settings.set('account.risk', { maxHeatPct: 'lots' }, T0);
    expect(accountRisk(ctx.store, ctx.log)).toEqual(DEFAULT_ACCOUNT_RISK);
    expect(ctx.hub.list(10).some((l) => l.level === 'error' && l.message.includes('maxHeatPct'))).toBe(true);
  });
});

describe('settings.set', () => {
  it('saves broker and IB settings for the next start, says a restart is needed, and logs each change', () => {
    const ctx = context();
    const s = updateSettings(ctx, update({ broker: 'ibkr', ibkr: { host: 'gw.local', port: 4003, clientId: 9 } }));
    expect(s).toMatchObject({ broker: 'ibkr', activeBroker: 'sim', ibkr: { host: 'gw.local', port: 4003, clientId: 9 }, restartRequired: true });
    expect(readSettings(ctx)).toMatchObject({ broker: 'ibkr', ibkr: { port: 4003 } });
    expect(savedConnection(ctx.store)).toMatchObject({ broker: 'ibkr', ibkr: { host: 'gw.local', port: 4003, clientId: 9 }, mode: 'paper' });
    const lines = ctx.hub.list(50).map((l) => l.message);
    expect(lines).toContain('Broker for the next start: ibkr (was sim).');
    expect(lines.some((l) => l.startsWith('IB Gateway settings: gw.local:4003, client id 9'))).toBe(true);
  });

  it("refuses changing the account or connection of a broker with open trades or working orders on it (IB host/port/client id, Tradier account/sandbox), like a broker switch", () => {
    const ctx = context();
    updateSettings(ctx, update({ broker: 'ibkr', ibkr: { host: '127.0.0.1', port: 4002, clientId: 1 }, tradier: { accountId: 'VA11111', sandbox: true } }));
    const legs = [
      { root: 'SPXW', expiration: '2099-03-20', strike: 5600, right: 'P', side: 'SELL', quantity: 1 },
      { root: 'SPXW', expiration: '2099-03-20', strike: 5590, right: 'P', side: 'BUY', quantity: 1 },
    ] as const;
    const trade = ctx.store.trades.create({ strategyId: 'credit-verticals', broker: 'ibkr', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at: T0, legs: [...legs] });
    const before = savedConnection(ctx.store);
    for (const ibkr of [{ host: 'gw.other', port: 4002, clientId: 1 }, { host: '127.0.0.1', port: 4001, clientId: 1 }, { host: '127.0.0.1', port: 4002, clientId: 7 }]) {
      expect(() => updateSettings(ctx, update({ ibkr }))).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(new RegExp(`^ibkr: trade ${trade.tradeId} is still open on IB Gateway; .*Nothing was saved\\.$`)) }));
    }
    expect(savedConnection(ctx.store)).toEqual(before);
    // The client id names it: IB reports only the orders of the client id that placed them.
    expect(() => updateSettings(ctx, update({ ibkr: { host: '127.0.0.1', port: 4002, clientId: 7 } }))).toThrow(/client id/);
    // What does not touch the account or the connection is saved: the same values, the auto-restart time, the other broker's settings.
    expect(updateSettings(ctx, update({ ibkr: { host: '127.0.0.1', port: 4002, clientId: 1, autoRestart: '23:30' } })).ibkr.autoRestart).toBe('23:30');
    expect(updateSettings(ctx, update({ tradier: { accountId: 'VA22222' } })).tradier.accountId).toBe('VA22222');

    // Tradier: a trade there (its entry still working) holds its account id and sandbox (production is sandbox off).
    // eslint-disable-next-line no-restricted-syntax -- Tradier's sandbox flag, not Electron's
    const production = { sandbox: false };
    const t2 = ctx.store.trades.create({ strategyId: 'credit-verticals', broker: 'tradier', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at: T0, legs: [...legs] });
    for (const tradier of [{ accountId: 'VA33333' }, production]) {
      expect(() => updateSettings(ctx, update({ tradier }))).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(new RegExp(`^tradier: trade ${t2.tradeId} is still open on Tradier`)) }));
    }
    expect(savedConnection(ctx.store).tradier).toEqual({ accountId: 'VA22222', sandbox: true });

    // A working order alone (no open trade of it) holds the connection too.
    const other = context();
    updateSettings(other, update({ broker: 'ibkr', ibkr: { host: '127.0.0.1', port: 4002, clientId: 1 } }));
    const symbols = other.store.trades.create({ strategyId: 'credit-verticals', broker: 'sim', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at: T0, legs: [...legs] }).legs.map((l) => l.symbol);
    const order = other.store.orders.create({ clientOrderId: 'td-9-x-o1', broker: 'ibkr', strategyId: 'credit-verticals', purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 200, quantity: 1, at: T0, legs: [{ symbol: symbols[0]!, side: 'SELL', ratio: 1 }, { symbol: symbols[1]!, side: 'BUY', ratio: 1 }] });
    other.store.orders.update(order.orderId, { at: T0, status: 'SUBMITTED' });
    expect(() => updateSettings(other, update({ ibkr: { host: '127.0.0.1', port: 4002, clientId: 2 } }))).toThrow(/^ibkr: order td-9-x-o1 is still open on IB Gateway; changing its client id/);
  });

  it("keeps IB Gateway's auto-restart time (HH:MM ET) for the next start; an older saved row reads with the default; a bad time is refused", () => {
    const ctx = context({ activeBroker: 'ibkr' });
    ctx.store.settings.set('settings.ibkr', { host: 'gw', port: 4002, clientId: 3 }, T0); // saved before the field existed
    expect(savedConnection(ctx.store).ibkr).toEqual({ host: 'gw', port: 4002, clientId: 3, autoRestart: '23:45' });
    const s = updateSettings(ctx, update({ ibkr: { host: 'gw', port: 4002, clientId: 3, autoRestart: '01:30' } }));
    expect(s).toMatchObject({ ibkr: { autoRestart: '01:30' }, restartRequired: true });
    // An update without the time keeps the saved one.
    updateSettings(ctx, update({ ibkr: { host: 'gw2', port: 4002, clientId: 3 } }));
    expect(savedConnection(ctx.store).ibkr).toEqual({ host: 'gw2', port: 4002, clientId: 3, autoRestart: '01:30' });
    expect(ctx.hub.list(50).some((l) => l.message.includes('auto-restart 01:30 ET (were gw:4002, client id 3, auto-restart 23:45 ET)'))).toBe(true);
    const bad = methods['settings.set'].input.safeParse({ ibkr: { host: 'gw', port: 4002, clientId: 3, autoRestart: '25:00' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/HH:MM \(24-hour clock, ET\)/);
  });

  it('refuses a port out of range at the contract with a clear message', () => {
    const r = methods['settings.set'].input.safeParse({ ibkr: { host: 'x', port: 70_000, clientId: 1 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('the port must be from 1 to 65535');
  });

  it('needs the exact sentence to switch to live, refuses live on the simulator, and keeps paper otherwise', () => {
    const ctx = context({ activeBroker: 'ibkr' });
    updateSettings(ctx, update({ broker: 'ibkr' }));
    expect(methods['settings.set'].input.safeParse({ mode: 'live', confirmLive: 'i understand this trades real money' }).success).toBe(false);
    // Checked again behind the contract.
    expect(() => updateSettings(ctx, { mode: 'live', confirmLive: 'yes' })).toThrow(ApiError);
    expect(readSettings(ctx).mode).toBe('paper');
    const live = updateSettings(ctx, update({ mode: 'live', confirmLive: LIVE_CONFIRMATION }));
    expect(live).toMatchObject({ mode: 'live', activeMode: 'paper', restartRequired: true });
    expect(ctx.hub.list(50, 'warn').map((l) => l.message)).toContain('Trading mode for the next start: LIVE (real money), confirmed by the user.');
    const sim = context();
    expect(() => updateSettings(sim, update({ mode: 'live', confirmLive: LIVE_CONFIRMATION }))).toThrow(/simulator trades paper only/);
    expect(readSettings(sim).mode).toBe('paper');
  });

  it('refuses Tradier as the broker without a token and an account id', () => {
    const ctx = context();
    expect(() => updateSettings(ctx, update({ broker: 'tradier' }))).toThrow(/Tradier needs an account id and an access token/);
    expect(readSettings(ctx).broker).toBe('sim');
    const s = updateSettings(ctx, update({ broker: 'tradier', tradier: { accountId: 'VA12345678', token: 'sandbox-token-abc123' } }));
    expect(s).toMatchObject({ broker: 'tradier', tradier: { accountId: 'VA12345678', tokenSet: true, sandbox: true } });
  });

  it('keeps notification choices', () => {
    const ctx = context();
    expect(updateSettings(ctx, update({ notifications: { enabled: true, fills: false, errors: true } })).notifications).toEqual({ enabled: true, fills: false, errors: true });
    expect(wantsNotification({ enabled: true, fills: false, errors: true }, 'info')).toBe(false);
    expect(wantsNotification({ enabled: true, fills: false, errors: true }, 'error')).toBe(true);
    expect(wantsNotification({ enabled: false, fills: true, errors: true }, 'error')).toBe(false);
    expect(wantsNotification({ enabled: true, fills: true, errors: false }, 'warn')).toBe(true);
  });

  it('stores the token only as a secret and forgets it on an empty string', () => {
    const ctx = context();
    const s = updateSettings(ctx, update({ tradier: { token: 'tok-SECRET-123456' } }));
    expect(s.tradier.tokenSet).toBe(true);
    expect(ctx.secrets.get(TRADIER_TOKEN)).toBe('tok-SECRET-123456');
    expect(JSON.stringify(s)).not.toContain('tok-SECRET-123456');
    expect(ctx.hub.list(50).map((l) => l.message)).toContain('Tradier token stored (in memory for this run).');
    const forgotten = updateSettings(ctx, update({ tradier: { token: '' } }));
    expect(forgotten.tradier.tokenSet).toBe(false);
    expect(ctx.secrets.has(TRADIER_TOKEN)).toBe(false);
    expect(ctx.hub.list(50).map((l) => l.message)).toContain('Tradier token forgotten.');
  });

  it('saves nothing when secrets cannot be kept', () => {
    const unavailable: SecretStore = { kind: 'unavailable', get: () => null, has: () => false, set: () => { throw new Error('no keychain'); } };
    const ctx = context({ secrets: unavailable });
    expect(() => updateSettings(ctx, update({ broker: 'ibkr', tradier: { token: 'tok-abcdefgh' } }))).toThrow(/no encrypted storage/);
    expect(readSettings(ctx)).toMatchObject({ broker: 'sim', secretStorage: 'unavailable' });
  });
});

describe('the token never leaves', () => {
  let ws: Workstation;
  afterEach(async () => {
    await ws?.close();
  });

  it('is absent from the database file, the log, settings.get and every error', async () => {
    const token = 'tdr-Zq8XkLmP3vR7sT2wY9uA';
    const dataDir = tempDir('td-settings-');
    ws = openWorkstation({ clock: new VirtualClock(T0), dataDir });
    const set = await dispatch(ws, 'settings.set', { tradier: { accountId: 'VA00001111', token, sandbox: true } });
    expect(set.ok).toBe(true);
    const get = await dispatch(ws, 'settings.get', {});
    expect(get).toMatchObject({ ok: true, value: { tradier: { tokenSet: true } } });
    // A refused update that carries the token does not echo it.
    const bad = await dispatch(ws, 'settings.set', { tradier: { token: `${token} with spaces` } });
    expect(bad.ok).toBe(false);
    const badLive = await dispatch(ws, 'settings.set', { mode: 'live', confirmLive: token });
    expect(badLive.ok).toBe(false);
    await ws.handlers['export.csv']({ kind: 'trades', from: '2026-01-01', to: '2026-01-31' });
    const texts = [JSON.stringify(set), JSON.stringify(get), JSON.stringify(bad), JSON.stringify(badLive), JSON.stringify(ws.logs.list(5_000))];
    await ws.close();
    for (const f of readdirSync(dataDir)) texts.push(readFileSync(path.join(dataDir, f)).toString('latin1'));
    expect(texts.join('\n')).toContain('Tradier token stored');
    for (const t of texts) expect(t).not.toContain(token);
  });
});

describe('the broker at start', () => {
  const saved = (over: Partial<SavedBrokerSettings>): SavedBrokerSettings => ({ broker: 'sim', ibkr: { host: '127.0.0.1', port: 4002, clientId: 17 }, tradier: { accountId: '', sandbox: true }, mode: 'paper', ...over });
  const clock = new VirtualClock(T0);
  const env = { THETADESK_SIM_START: '2026-01-20' };

  it('follows the command line / environment when given, whatever is saved', () => {
    const r = chooseBroker({ given: 'sim', saved: saved({ broker: 'ibkr' }), tradierToken: null, env, clock });
    expect(r.setup.broker.kind).toBe('sim');
    expect(r.problem).toBeNull();
  });

  it('uses the saved broker and mode otherwise (IB Gateway live only in live mode)', () => {
    const paper = chooseBroker({ given: null, saved: saved({ broker: 'ibkr', ibkr: { host: 'gw', port: 4003, clientId: 5 } }), tradierToken: null, env, clock });
    expect(paper.setup.broker.kind).toBe('ibkr');
    expect(paper.setup.broker.paper).toBe(true);
    const live = chooseBroker({ given: null, saved: saved({ broker: 'ibkr', mode: 'live' }), tradierToken: null, env, clock });
    expect(live.setup.broker.paper).toBe(false);
    const tradier = chooseBroker({ given: null, saved: saved({ broker: 'tradier', tradier: { accountId: 'VA1234', sandbox: true }, mode: 'live' }), tradierToken: 'tok-1234', env, clock });
    expect(tradier.setup.broker.kind).toBe('tradier');
    expect(tradier.setup.broker.paper).toBe(true); // sandbox stays paper even in live mode
    expect(tradier.mode).toBe('paper');
  });

  it("gives IB Gateway's auto-restart time to the adapter, from the settings or THETADESK_IB_AUTO_RESTART, and refuses a bad one", () => {
    const tuesday = Date.UTC(2026, 0, 20, 6, 31); // 01:31 ET
    const fromSaved = chooseBroker({ given: null, saved: saved({ broker: 'ibkr', ibkr: { host: 'gw', port: 4002, clientId: 5, autoRestart: '01:30' } }), tradierToken: null, env, clock });
    expect(fromSaved.setup.broker.maintenanceAt?.(tuesday)?.message).toBe('broker restarting (daily IB Gateway restart, back at ~01:35 ET)');
    const fromEnv = chooseBroker({ given: 'ibkr', saved: saved({}), tradierToken: null, env: { ...env, THETADESK_IB_AUTO_RESTART: '01:30' }, clock });
    expect(fromEnv.setup.broker.maintenanceAt?.(tuesday)?.kind).toBe('daily-restart');
    expect(() => chooseBroker({ given: 'ibkr', saved: saved({}), tradierToken: null, env: { ...env, THETADESK_IB_AUTO_RESTART: '1:30pm' }, clock })).toThrow(/THETADESK_IB_AUTO_RESTART must be .* as HH:MM/);
  });

  it('the mode is the saved one also when the command line names the broker; the settings in force say where each comes from', () => {
    const r = chooseBroker({ given: 'ibkr', saved: saved({ mode: 'live', ibkr: { host: 'gw', port: 4001, clientId: 5 } }), tradierToken: null, env: { ...env, THETADESK_IB_PORT: '4011' }, clock });
    expect(r.mode).toBe('live');
    expect(r.setup.inForce).toEqual(
      expect.arrayContaining([
        { setting: 'Broker', value: 'IB Gateway', source: 'the command line (--broker) or THETADESK_BROKER' },
        { setting: 'Trading mode', value: 'live', source: 'Settings' },
        { setting: 'IB port', value: '4011', source: 'THETADESK_IB_PORT' },
        { setting: 'IB host', value: '127.0.0.1', source: 'default' },
      ]),
    );
    const fromSaved = chooseBroker({ given: null, saved: saved({ broker: 'ibkr', ibkr: { host: 'gw', port: 4003, clientId: 5 } }), tradierToken: null, env, clock });
    expect(fromSaved.setup.inForce).toContainEqual({ setting: 'IB port', value: '4003', source: 'Settings' });
  });

  it("warns about IB's live ports in paper mode (saved, or in force from the environment), and logs it on save", () => {
    const ctx = context();
    const s = updateSettings(ctx, update({ broker: 'ibkr', ibkr: { host: '127.0.0.1', port: 4001, clientId: 17 } }));
    expect(s.warnings).toEqual([expect.stringMatching(/^IB port 4001 \(saved\) is the live port of IB Gateway, but the mode is paper: .* Use 4002, the paper port, for paper trading\.$/)]);
    expect(ctx.hub.list(10).some((l) => l.level === 'warn' && /IB port 4001/.test(l.message))).toBe(true);
    const envCtx = context({ activeBroker: 'ibkr', inForce: [{ setting: 'IB port', value: '7496', source: 'THETADESK_IB_PORT' }] });
    expect(readSettings(envCtx).warnings).toEqual([expect.stringMatching(/^IB port 7496 \(in use now, from THETADESK_IB_PORT\) is the live port of TWS/)]);
  });

  it('falls back to the simulator, saying why, when the saved Tradier token is missing', () => {
    const r = chooseBroker({ given: null, saved: saved({ broker: 'tradier', tradier: { accountId: 'VA1234', sandbox: true } }), tradierToken: null, env, clock });
    expect(r.setup.broker.kind).toBe('sim');
    expect(r.problem).toMatch(/no access token is stored.*Running the simulator meanwhile/);
  });
});
