/**
 * The headless workstation on each broker, end to end over loopback: the simulator by default, IB
 * Gateway (the wire-level fake) with `--broker ibkr`, and clear failures when a broker is missing.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { etClock } from '../../electron/brokers/ibkr/restart-window.ts';
import { startFakeTradier, type FakeTradier } from '../fakes/tradier/server.ts';
import { rpc, runHeadless, startHeadless, type Headless } from '../helpers/headless.ts';
import type { Status } from '../../shared/api.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies under test are checked field by field
type Body = any;
const running: Headless[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function get(server: Headless, path: string): Promise<Body> {
  const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } });
  expect(r.status, path).toBe(200);
  return r.json();
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

describe('headless on the simulator (the default)', () => {
  it('connects to the simulated broker and shows account and market prices', async () => {
    const server = await startHeadless({ env: { THETADESK_SIM_START: '2025-03-18' } });
    running.push(server);
    await until(() => get(server, '/api/status'), (s) => s.is_connected === true, 'the sim broker');
    const account = await get(server, '/api/account');
    expect(account.net_liquidation).toBeGreaterThan(0);
    const market = await get(server, '/api/market');
    expect(market.spx_price).toBeGreaterThan(1000);
    expect(market.spy_price).toBeGreaterThan(100);
    expect(market.ratio).toBeGreaterThan(9.9);
    expect(market.ratio).toBeLessThan(10.1);
  });
});

describe('headless with --broker ibkr against the fake IB Gateway', () => {
  let gateway: FakeIbGateway;
  afterAll(async () => {
    await gateway?.stop();
  });

  it('connects over the TWS protocol and fills account and market from the Gateway', async () => {
    gateway = await startFakeIbGateway({ market: fromSimulator(createSimulator({ seed: 42, start: '2025-03-18' })), account: 'DU7654321', port: 0 });
    const server = await startHeadless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(gateway.port) } });
    running.push(server);
    const status = await until(() => get(server, '/api/status'), (s) => s.is_connected === true, 'IB Gateway');
    expect(status.broker).toBe('ibkr');
    // What the account is (a DU… account: paper), as the Gateway said it, beside the mode asked for.
    expect(status).toMatchObject({ mode: 'paper', account_type: 'paper' });
    const account = await until(() => get(server, '/api/account'), (a) => a.net_liquidation > 0, 'the account summary');
    expect(account.account_id).not.toContain('DU7654321'); // masked, never the full number
    expect(JSON.stringify(account)).toContain('4321');
    const market = await until(() => get(server, '/api/market'), (m) => m.spx_price !== null && m.spy_price !== null, 'quotes');
    expect(market.spx_price / market.spy_price).toBeCloseTo(10, 0);
    expect(server.output()).not.toContain('DU7654321');
  });

  it('a live (U…) account in paper mode: /api/status says account_type live beside mode paper', async () => {
    const live = await startFakeIbGateway({ market: fromSimulator(createSimulator({ seed: 42, start: '2025-03-18' })), account: 'U7654323', port: 0 });
    try {
      const server = await startHeadless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(live.port) } });
      running.push(server);
      const status = await until(() => get(server, '/api/status'), (s) => s.account_type !== 'unknown', 'the account type');
      expect(status).toMatchObject({ mode: 'paper', account_type: 'live', broker: 'ibkr' });
      await server.stop();
    } finally {
      await live.stop();
    }
  });

  it('stays up and says what to do when nothing listens on the Gateway port', async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    // IB Gateway's auto-restart 12 hours away: inside its window a refused connection is "broker restarting", not an error.
    const server = await startHeadless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(free), THETADESK_IB_AUTO_RESTART: etClock(Date.now() + 12 * 3_600_000) } });
    running.push(server);
    const logs = await until(
      async () => (await (await fetch(server.url + '/rpc/logs.list', { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: '{"limit":200,"level":"error"}' })).json()) as Body,
      (r) => r.value.length > 0,
      'the connection error',
    );
    expect(logs.value.map((l: { message: string }) => l.message).join('\n')).toMatch(new RegExp(`127\\.0\\.0\\.1:${free}`));
    const status = await get(server, '/api/status');
    expect(status.is_connected).toBe(false);
    // The Gateway never said which account it is.
    expect(status.account_type).toBe('unknown');
    // The engine itself still answers.
    expect((await fetch(server.url + '/api/action/start', { method: 'POST', headers: { authorization: `Bearer ${server.token}` } })).status).toBe(200);
  });
});

describe("headless with --broker ibkr during IB Gateway's daily restart", () => {
  let gateway: FakeIbGateway;
  afterAll(async () => {
    await gateway?.stop();
  });

  it('shows "broker restarting" (not an error) while the Gateway refuses connections, then connects and reconciles', async () => {
    gateway = await startFakeIbGateway({ market: fromSimulator(createSimulator({ seed: 42, start: '2025-03-18' })), account: 'DU7654322', port: 0 });
    gateway.beginRestart();
    // The auto-restart set a minute from now (real time): the window (2 min before, 5 after) is now.
    const restartAt = etClock(Date.now() + 60_000);
    const server = await startHeadless({ args: ['--broker', 'ibkr'], env: { THETADESK_IB_PORT: String(gateway.port), THETADESK_IB_AUTO_RESTART: restartAt } });
    running.push(server);
    const during = await until(() => rpc<Status>(server, 'status.get'), (s) => /broker restarting/.test(s.connection.message), 'the restart status');
    expect(during.connection.state).not.toBe('error');
    // (Real time: on the first restart after IB's Sunday 01:00 ET reset it is the weekly re-login.)
    expect(during.connection.message).toMatch(/^broker restarting \((daily IB Gateway restart, back at ~\d\d:\d\d ET|IB Gateway's weekly restart .* log in to IB Gateway)/);
    expect(during.engineState).not.toBe('halted');
    const errors = await rpc<{ message: string }[]>(server, 'logs.list', { limit: 200, level: 'error' });
    expect(errors.map((l) => l.message)).toEqual([]);
    await gateway.endRestart();
    const after = await until(() => rpc<Status>(server, 'status.get'), (s) => s.connection.state === 'connected' && s.engineState !== 'reconciling', 'connected and reconciled');
    expect(after.engineState).toBe('stopped');
  });
});

describe('headless with --broker tradier', () => {
  let tradier: FakeTradier;
  afterAll(async () => {
    await tradier?.stop();
  });

  it('trades through the fake Tradier: account and market from it; a dropped connection is reconnected and reconciled', async () => {
    const sim = createSimulator({ seed: 42, start: '2025-03-18' });
    tradier = await startFakeTradier({ market: fromSimulator(sim), token: 'tok-headless-61c2e0', account: 'VA31415926' });
    const server = await startHeadless({ args: ['--broker', 'tradier'], env: { THETADESK_TRADIER_TOKEN: 'tok-headless-61c2e0', THETADESK_TRADIER_ACCOUNT: 'VA31415926', THETADESK_TRADIER_BASE_URL: tradier.baseUrl } });
    running.push(server);
    const status = await until(() => get(server, '/api/status'), (s) => s.is_connected === true, 'Tradier');
    expect(status.broker).toBe('tradier');
    const account = await until(() => get(server, '/api/account'), (a) => a.net_liquidation > 0, 'the account');
    expect(JSON.stringify(account)).not.toContain('VA31415926');
    const market = await until(() => get(server, '/api/market'), (m) => m.spx_price !== null, 'quotes');
    expect(market.spx_price).toBeGreaterThan(1000);
    // The connection drops for a while: the adapter reconnects and the engine reconciles again.
    const reconciles = () => tradier.requests.filter((r) => r === 'GET /v1/accounts/VA31415926/positions').length;
    const before = reconciles();
    // Down until the app has seen it (a fixed outage can pass unnoticed between two polls on a busy machine).
    await tradier.drop();
    await until(async () => (await get(server, '/api/status')).is_connected, (up) => up === false, 'the drop to show', 60_000);
    await tradier.up();
    await until(() => get(server, '/api/status'), (s) => s.is_connected === true, 'the reconnection', 60_000);
    await until(async () => reconciles(), (n) => n > before, 'a reconciliation after the reconnection', 60_000);
    expect(server.output()).not.toContain('tok-headless-61c2e0');
  }, 240_000);

  it('refuses to start without a token and account, saying which variables to set', async () => {
    const run = await runHeadless(['--broker', 'tradier', '--port', '0'], { THETADESK_TRADIER_TOKEN: '', THETADESK_TRADIER_ACCOUNT: '' });
    expect(run.code).toBe(2);
    expect(run.output).toContain('THETADESK_TRADIER_TOKEN');
  });
});
