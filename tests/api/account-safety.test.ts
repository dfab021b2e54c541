/**
 * What the account IS decides, not what the settings or the port suggest; open trades are managed only
 * through the broker they were opened on. The real headless server against the wire-level fakes:
 *
 * - IB Gateway (fake) logged in to a live account (U…) while Thetadesk is in paper mode: halted with
 *   what to do, labelled live; a paper account (DU…) connects and reconciles as usual.
 * - Tradier (fake) with a production account (6YA…) in paper mode: halted, labelled live.
 * - An open simulator trade and the IB broker: halted at start-up naming the trade; nothing is sent
 *   to IB; closing it is refused; the Settings page refuses to switch brokers under it.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { etClock } from '../../electron/brokers/ibkr/restart-window.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { openStore } from '../../electron/store/store.ts';
import type { Settings, Status } from '../../shared/api.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { startFakeTradier, type FakeTradier } from '../fakes/tradier/server.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';
import { tempDir } from '../store/fixtures.ts';

const running: { stop(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

const settled = (s: Status) => s.engineState !== 'reconciling';

async function gateway(account: string): Promise<FakeIbGateway> {
  const g = await startFakeIbGateway({ market: fromSimulator(createSimulator({ seed: 42, start: '2025-03-18' })), account, port: 0 });
  running.push(g);
  return g;
}

async function headless(opts: Parameters<typeof startHeadless>[0]): Promise<Headless> {
  const s = await startHeadless(opts);
  running.push(s);
  return s;
}

describe('paper mode and the account IB Gateway is logged in to', () => {
  it('a live account (U…) in paper mode: halted with what to do, labelled live, nothing traded', async () => {
    const g = await gateway('U1234567');
    const server = await headless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(g.port) } });
    const status = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and checked');
    expect(status.engineState).toBe('halted');
    expect(status.mode).toBe('paper');
    expect(status.connection.paper).toBe(false);
    expect(status.connection.message).toMatch(/live account …4567/);
    expect(status.reason).toContain('IB Gateway is logged in to a live account (…4567) but Thetadesk is in paper mode: log IB Gateway in to your paper account (port 4002) or switch to live mode in Settings');
    // Start checks again and stays halted; nothing is closed through that account either.
    const again = await rpc<Status>(server, 'engine.start');
    expect(again.engineState).toBe('halted');
    await expect(rpc(server, 'engine.closeAll', { confirm: true })).rejects.toThrow(/Close all is refused: IB Gateway is logged in to a live account/);
    expect(g.placements().size).toBe(0);
    expect(server.output()).not.toContain('U1234567');
    // The Settings page shows the port in force and where it comes from.
    const settings = await rpc<Settings>(server, 'settings.get');
    expect(settings.inForce).toContainEqual({ setting: 'IB port', value: String(g.port), source: 'THETADESK_IB_PORT' });
    expect(settings.ibkr.port).toBe(4002); // the saved one, for the next start without THETADESK_IB_PORT
    expect(settings.warnings).toEqual([]); // the fake's port is neither IB's live nor its paper port
  });

  it('a paper account (DU…) in paper mode connects, reconciles and is labelled paper', async () => {
    const g = await gateway('DU7654321');
    const server = await headless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(g.port) } });
    const status = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and reconciled');
    expect(status.engineState).toBe('stopped');
    expect(status.connection.paper).toBe(true);
    expect(status.connection.message).toMatch(/paper account …4321/);
  });
});

describe("IB's live port in paper mode", () => {
  it('is a warning in the log from the start and on the Settings page, saying which port to use', async () => {
    const server = await headless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: '4001' } });
    const expected = /^IB port 4001 \(in use now, from THETADESK_IB_PORT\) is the live port of IB Gateway, but the mode is paper: .* Use 4002, the paper port, for paper trading\.$/;
    const settings = await rpc<Settings>(server, 'settings.get');
    expect(settings.warnings).toEqual([expect.stringMatching(expected)]);
    const warnings = await rpc<{ source: string; message: string }[]>(server, 'logs.list', { limit: 200, level: 'warn' });
    expect(warnings.filter((l) => l.source === 'settings').map((l) => l.message)).toEqual([expect.stringMatching(expected)]);
  });
});

describe('a lost connection in the log', () => {
  it("is a warning (the Logs page's warn filter shows it), not info", async () => {
    const g = await gateway('DU7654323');
    // IB Gateway's auto-restart 12 hours away, so the drop is not taken for it, whatever the time of day.
    const server = await headless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(g.port), THETADESK_IB_AUTO_RESTART: etClock(Date.now() + 12 * 3_600_000) } });
    await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and reconciled');
    g.disconnectAll();
    const warnings = await until(
      () => rpc<{ level: string; source: string; message: string }[]>(server, 'logs.list', { limit: 200, level: 'warn' }),
      (l) => l.some((e) => e.source === 'broker:ibkr' && /Reconnecting/.test(e.message)),
      'the lost connection among the warnings',
    );
    expect(warnings.find((e) => e.source === 'broker:ibkr' && /Reconnecting/.test(e.message))!.level).toBe('warn');
  });
});

describe('paper mode and a Tradier production account', () => {
  it('a production account (6YA…) in paper mode: halted, labelled live', async () => {
    const token = 'tok-safety-7d1f02';
    const tradier: FakeTradier = await startFakeTradier({ market: fromSimulator(createSimulator({ seed: 42, start: '2025-03-18' })), token, account: '6YA31415' });
    running.push(tradier);
    const server = await headless({ args: ['--broker', 'tradier'], env: { THETADESK_TRADIER_TOKEN: token, THETADESK_TRADIER_ACCOUNT: '6YA31415', THETADESK_TRADIER_BASE_URL: tradier.baseUrl } });
    const status = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and checked');
    expect(status.engineState).toBe('halted');
    expect(status.connection.paper).toBe(false);
    expect(status.connection.message).toMatch(/production \(live\) account …1415/);
    expect(status.reason).toMatch(/Tradier connects to a live account .* but Thetadesk is in paper mode: use Tradier's sandbox/);
    expect(server.output()).not.toContain(token);
  });
});

describe('open trades of another broker', () => {
  it('halts at start-up naming the trade, sends nothing to IB, refuses to close it there and to switch brokers in Settings', async () => {
    const dataDir = tempDir('td-other-broker-');
    // A simulator trade left open (its entry order filled in the paper account).
    const at = Date.UTC(2025, 2, 18, 15);
    const store = openStore({ dataDir: path.resolve(dataDir), now: () => at });
    const trade = store.trades.create({ strategyId: 'credit-verticals', broker: 'sim', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at, legs: [
      { root: 'SPXW', expiration: '2099-03-20', strike: 5600, right: 'P', side: 'SELL', quantity: 1 },
      { root: 'SPXW', expiration: '2099-03-20', strike: 5590, right: 'P', side: 'BUY', quantity: 1 },
    ] });
    const [short, long] = trade.legs.map((l) => l.symbol) as [string, string];
    const entry = store.orders.create({ clientOrderId: `td-${trade.tradeId}-x-o1`, broker: 'sim', strategyId: 'credit-verticals', tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 200, quantity: 1, at, legs: [{ symbol: short, side: 'SELL', ratio: 1 }, { symbol: long, side: 'BUY', ratio: 1 }] });
    store.orders.update(entry.orderId, { at, status: 'SUBMITTED' });
    store.fills.record({ orderId: entry.orderId, execId: 'sim-1', filledAt: at, symbol: short, side: 'SELL', quantity: 1, priceCents: 500 });
    store.fills.record({ orderId: entry.orderId, execId: 'sim-2', filledAt: at, symbol: long, side: 'BUY', quantity: 1, priceCents: 300, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
    expect(store.trades.get(trade.tradeId)!.status).toBe('OPEN');
    store.close();

    const g = await gateway('DU7654321');
    const server = await headless({ dataDir, args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(g.port) } });
    const status = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and checked');
    expect(status.engineState).toBe('halted');
    expect(status.reason).toContain(`Trade ${trade.tradeId} is open on the simulator; the active broker is IB Gateway. Start with --broker sim`);
    await expect(rpc(server, 'positions.close', { tradeId: trade.tradeId, confirm: true })).rejects.toThrow(/never closed through another broker/);
    await rpc(server, 'engine.closeAll', { confirm: true });
    expect(g.placements().size).toBe(0);
    expect((await rpc<Status>(server, 'status.get')).engineState).toBe('halted');

    // The Settings page: switching the saved broker under the open trade is refused, nothing saved.
    await expect(rpc(server, 'settings.set', { broker: 'tradier' })).rejects.toThrow(new RegExp(`trade ${trade.tradeId} is still open on the simulator; switching to Tradier now would leave it unmanaged`));
    const settings = await rpc<Settings>(server, 'settings.get');
    expect(settings.broker).toBe('sim');
  });

  it('the saved Tradier broker without its token: the simulator runs, and an open Tradier trade halts it, saying why on Overview', async () => {
    const dataDir = tempDir('td-tradier-fallback-');
    const at = Date.UTC(2025, 2, 18, 15);
    const store = openStore({ dataDir: path.resolve(dataDir), now: () => at });
    store.settings.set('settings.broker', 'tradier', at);
    store.settings.set('settings.tradier', { accountId: 'VA31415926', sandbox: true }, at);
    const trade = store.trades.create({ strategyId: 'credit-verticals', broker: 'tradier', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at, legs: [
      { root: 'SPXW', expiration: '2099-03-20', strike: 5600, right: 'P', side: 'SELL', quantity: 1 },
      { root: 'SPXW', expiration: '2099-03-20', strike: 5590, right: 'P', side: 'BUY', quantity: 1 },
    ] });
    store.close();
    // The headless server keeps the token in memory only: after a restart it is gone.
    const server = await headless({ dataDir, env: { THETADESK_SIM_START: '2025-03-18', THETADESK_TRADIER_TOKEN: '' } });
    const status = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && settled(s), 'connected and checked');
    expect(status.connection.broker).toBe('sim');
    expect(status.engineState).toBe('halted');
    expect(status.reason).toContain(`Trade ${trade.tradeId} is open on Tradier; the active broker is the simulator (Tradier is the saved broker but no access token is stored`);
    expect(status.reason).toContain('Start with --broker tradier');
  });
});
