/**
 * Bad input and safety: wrong port, Gateway not running, client id in use, market-data permissions
 * missing, unknown contracts, malformed and truncated messages, pacing violations, bad Tradier
 * credentials, 429s, errors in HTTP 200 bodies, malformed JSON. Each gives one clear, actionable,
 * classified error (or notice), and the process and the adapter stay usable. Finally, no message
 * produced anywhere in these cases contains a token or a full account number.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../electron/brokers/factory.ts';
import { BrokerError, Cents, ClientOrderId, type Broker, type BrokerEvent } from '../../electron/brokers/port.ts';
import { redact } from '../../electron/brokers/redact.ts';
import { startFakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { startFakeTradier } from '../fakes/tradier/server.ts';
import { MARKET_TIME, simMarket, TEST_IB_ACCOUNT, TEST_TOKEN, TEST_TRADIER_ACCOUNT, waitForOrder, waitForState } from './harness.ts';
import { MESSAGES, recordMessages } from './messages.ts';

const clock = { now: () => MARKET_TIME };
const market = simMarket();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

function track(b: Broker): Broker {
  b.onEvent((e: BrokerEvent) => recordMessages(e));
  cleanups.push(() => b.disconnect());
  return b;
}
async function errorOf(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    recordMessages({ message: (e as Error).message });
    return e as BrokerError;
  }
  throw new Error('expected a BrokerError');
}
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
const ib = (port: number, extra: object = {}): Broker =>
  track(createBroker({ kind: 'ibkr', ibkr: { port, clientId: 3, connectTimeoutMs: 1_500, requestTimeoutMs: 3_000, reconnect: { initialMs: 30, maxMs: 100, maxAttempts: 0 }, historical: { minGapMs: 0, retryAfterMs: 20, maxRetries: 2 }, ...extra } }, { clock }));

describe('IB Gateway: bad input gives one actionable error and the adapter stays up', () => {
  it('Gateway not running: connection refused, naming host:port and the API setting', async () => {
    const port = await freePort();
    const err = await errorOf(ib(port).connect());
    expect(err.kind).toBe('connection-refused');
    expect(err.message).toContain(`IB Gateway refused the connection on 127.0.0.1:${port}`);
    expect(err.message).toContain('Configure → Settings → API');
  });

  it('wrong port (an HTTP server answers): not a gateway, pointing at 4002/4001', async () => {
    const server = http.createServer((_q, r) => r.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => server.close(r)));
    server.on('connection', (s) => s.setTimeout(100, () => s.destroy()));
    const port = (server.address() as net.AddressInfo).port;
    const err = await errorOf(ib(port).connect());
    expect(err.kind).toBe('not-a-gateway');
    expect(err.message).toMatch(/4002 paper, 4001 live/);
  });

  it('no common server version (the Gateway answers its own, the client refuses with 506): not a usable gateway', async () => {
    const fake = await startFakeIbGateway({ market, serverVersions: { min: 194, max: 200 } });
    cleanups.push(() => fake.stop());
    const err = await errorOf(ib(fake.port).connect());
    expect(err.kind).toBe('not-a-gateway');
    expect(err.code).toBe(506);
  });

  it('client id already in use (326) says to pick another client id', async () => {
    const fake = await startFakeIbGateway({ market });
    cleanups.push(() => fake.stop());
    await ib(fake.port).connect();
    const err = await errorOf(ib(fake.port).connect());
    expect(err.message).toMatch(/client id 3/);
    expect(fake.clientCount()).toBe(1);
  });

  it('market-data permissions missing: plain advice; delayed-only falls back to delayed data with a notice', async () => {
    const none = await startFakeIbGateway({ market, script: { marketData: 'none' } });
    cleanups.push(() => none.stop());
    const b1 = ib(none.port, { marketData: 'live' });
    await b1.connect();
    const err = await errorOf(b1.quotes(['SPX']));
    expect(err.kind).toBe('permission');
    expect(err.message).toMatch(/Market Data Subscriptions/);

    const delayed = await startFakeIbGateway({ market, script: { marketData: 'delayed-only' } });
    cleanups.push(() => delayed.stop());
    const b2 = ib(delayed.port, { clientId: 4 });
    const notices: string[] = [];
    b2.onEvent((e) => e.type === 'notice-received' && notices.push(e.message));
    await b2.connect();
    const [q] = await b2.quotes(['SPX']);
    expect(q?.delayed).toBe(true);
    expect(q?.last).not.toBeNull();
    expect(notices.some((n) => /delayed/.test(n))).toBe(true);
  });

  it('unknown contract: a strike IB does not list is refused before anything is sent', async () => {
    const fake = await startFakeIbGateway({ market });
    cleanups.push(() => fake.stop());
    const b = ib(fake.port, { clientId: 5 });
    await b.connect();
    const err = await errorOf(
      b.placeOrder({ clientOrderId: ClientOrderId('bad-strike-1'), quantity: 1, tif: 'DAY', limit: { cents: Cents(100), effect: 'credit' }, legs: [{ contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-21', strike: 5701, right: 'P' }, side: 'SELL', ratio: 1, intent: 'open' }] }),
    );
    expect(err.kind).toBe('unknown-contract');
    expect(fake.received.some((f) => f[0] === '3')).toBe(false);
    const err2 = await errorOf(b.chain({ underlying: 'SPX', expiration: '2025-03-22' }));
    expect(err2.kind).toBe('unknown-contract');
  });

  it('malformed message: a protocol notice, the connection and later requests keep working', async () => {
    const fake = await startFakeIbGateway({ market });
    cleanups.push(() => fake.stop());
    const b = ib(fake.port, { clientId: 6 });
    const notices: BrokerEvent[] = [];
    b.onEvent((e) => e.type === 'notice-received' && notices.push(e));
    await b.connect();
    fake.sendRaw([1, 6, 'garbage']); // TICK_PRICE with fields missing
    fake.sendRaw([3, 'x']); // ORDER_STATUS truncated
    const [q] = await b.quotes(['SPY']);
    expect(q?.last).not.toBeNull();
    expect(notices.some((n) => n.type === 'notice-received' && n.code === 505 && /could not be decoded/.test(n.message))).toBe(true);
    expect(b.status().state).toBe('connected');
  });

  it('truncated frame then hang-up: the adapter reconnects by itself and works again', async () => {
    const fake = await startFakeIbGateway({ market });
    cleanups.push(() => fake.stop());
    const b = ib(fake.port, { clientId: 8 });
    await b.connect();
    fake.sendTruncated();
    await waitForState(b, (s) => s !== 'connected');
    await waitForState(b, (s) => s === 'connected');
    const [q] = await b.quotes(['VIX']);
    expect(q?.last).not.toBeNull();
  });

  it('1100 then 1102 notices reach the user; historical pacing violation is waited out', async () => {
    const fake = await startFakeIbGateway({ market, script: { historicalPacingViolations: 1 } });
    cleanups.push(() => fake.stop());
    const b = ib(fake.port, { clientId: 9 });
    const codes: (number | null)[] = [];
    b.onEvent((e) => e.type === 'notice-received' && codes.push(e.code));
    await b.connect();
    fake.notice(1100);
    fake.notice(1102);
    const bars = await b.dailyHistory('SPX', '2025-03-10', '2025-03-14');
    expect(bars.map((x) => x.date)).toEqual(['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14']);
    expect(codes).toEqual(expect.arrayContaining([1100, 1102, 162]));
    expect(fake.received.filter((f) => f[0] === '20')).toHaveLength(2);
  });

  it('not connected: commands fail with not-connected instead of hanging', async () => {
    const b = ib(await freePort());
    const err = await errorOf(b.quotes(['SPX']));
    expect(err.kind).toBe('not-connected');
  });
});

describe('Tradier: bad input gives one actionable error and the adapter stays up', () => {
  const make = async (token = TEST_TOKEN, extra: object = {}) => {
    const fake = await startFakeTradier({ market, token: TEST_TOKEN, account: TEST_TRADIER_ACCOUNT });
    cleanups.push(() => fake.stop());
    const b = track(createBroker({ kind: 'tradier', tradier: { token, accountId: TEST_TRADIER_ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 15, maxBackoffMs: 20, ...extra } }, { clock }));
    return { fake, b };
  };

  it('bad token: auth error that says which token to check, without echoing it', async () => {
    const { b } = await make('wrong-token-123456');
    const err = await errorOf(b.connect());
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/sandbox and production tokens are different/);
    expect(err.message).not.toContain('wrong-token-123456');
    expect(b.status().state).toBe('error');
  });

  it('429 with rate-limit headers is backed off and retried; exhausted retries give rate-limited', async () => {
    const { fake, b } = await make();
    await b.connect();
    fake.script.force429 = 2;
    const [q] = await b.quotes(['SPX']);
    expect(q?.last).not.toBeNull();
    fake.script.force429 = 10;
    const err = await errorOf(b.quotes(['SPX']));
    expect(err.kind).toBe('rate-limited');
    fake.script.force429 = 0;
  });

  it('malformed JSON is a protocol error; the next request works', async () => {
    const { fake, b } = await make();
    await b.connect();
    fake.script.malformed = 1;
    const err = await errorOf(b.quotes(['SPY']));
    expect(err.kind).toBe('protocol');
    expect((await b.quotes(['SPY']))[0]?.last).not.toBeNull();
  });

  it('errors returned with HTTP 200 reject the order; one-object lists are read as lists', async () => {
    const { fake, b } = await make();
    await b.connect();
    fake.script.errorWith200 = 'You do not have enough buying power for this trade.';
    const leg = (strike: number, side: 'BUY' | 'SELL') => ({ contract: { kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: '2025-03-21', strike, right: 'P' as const }, side, ratio: 1, intent: 'open' as const });
    const id = ClientOrderId('t200-1');
    const v = await b.placeOrder({ clientOrderId: id, quantity: 1, tif: 'DAY', limit: { cents: Cents(100), effect: 'credit' }, legs: [leg(5700, 'SELL'), leg(5690, 'BUY')] });
    expect(v.status).toBe('rejected');
    expect(v.reason).toMatch(/buying power/);
    const bars = await b.dailyHistory('SPX', '2025-03-14', '2025-03-14'); // one bar → bare object
    expect(bars).toHaveLength(1);
    expect((await b.positions()).length).toBe(0); // "null" string
  });

  it('a cross-underlying order is refused with advice; unknown option symbol is rejected', async () => {
    const { b } = await make();
    await b.connect();
    const err = await errorOf(
      b.placeOrder({
        clientOrderId: ClientOrderId('xu-1'), quantity: 1, tif: 'DAY', limit: { cents: Cents(50), effect: 'debit' },
        legs: [
          { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-18', strike: 5800, right: 'C' }, side: 'BUY', ratio: 1, intent: 'open' },
          { contract: { kind: 'option', underlying: 'SPY', root: 'SPY', expiration: '2025-03-18', strike: 580, right: 'C' }, side: 'SELL', ratio: 10, intent: 'open' },
        ],
      }),
    );
    expect(err.kind).toBe('invalid-request');
    expect(err.message).toMatch(/use IB for the SPX\+SPY position/);
    const v = await b.placeOrder({ clientOrderId: ClientOrderId('bad-sym-1'), quantity: 1, tif: 'DAY', limit: { cents: Cents(50), effect: 'credit' }, legs: [{ contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-21', strike: 5701, right: 'P' }, side: 'SELL', ratio: 1, intent: 'open' }] });
    await waitForOrder(b, v.clientOrderId, (o) => o.status === 'rejected', 'rejected');
  });
});

describe('SPX + SPY cross-underlying combo (seeds 003/004) through IB as one non-guaranteed BAG', () => {
  it('1 SPX call bought, 10 SPY calls sold, filled as one order with both legs in positions', async () => {
    const fake = await startFakeIbGateway({ market });
    cleanups.push(() => fake.stop());
    const b = ib(fake.port, { clientId: 12 });
    await b.connect();
    const [spx, spy] = await b.quotes(['SPX', 'SPY']);
    const k1 = Math.round((spx?.last as number) / 5) * 5;
    const k2 = Math.round(spy?.last as number);
    const id = ClientOrderId('arb-1');
    await b.placeOrder({
      clientOrderId: id, quantity: 1, tif: 'DAY', limit: { cents: Cents(2_000), effect: 'debit' },
      legs: [
        { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-18', strike: k1, right: 'C' }, side: 'BUY', ratio: 1, intent: 'open' },
        { contract: { kind: 'option', underlying: 'SPY', root: 'SPY', expiration: '2025-03-18', strike: k2, right: 'C' }, side: 'SELL', ratio: 10, intent: 'open' },
      ],
    });
    // Commission reports follow the executions (IB sends them per execution, shortly after).
    const done = await waitForOrder(b, id, (o) => o.status === 'filled' && o.commissionCents > 0, 'filled with commissions');
    expect(done.fills[0]?.legPrices.every((p) => p !== null)).toBe(true);
    const place = fake.received.find((f) => f[0] === '3');
    expect(place?.[3]).toBe('SPX,SPY');
    expect(place?.[4]).toBe('BAG');
    const pos = await b.positions();
    expect(pos.find((p) => p.contract.kind === 'option' && p.contract.root === 'SPY')?.quantity).toBe(-10);
    expect(pos.find((p) => p.contract.kind === 'option' && p.contract.root === 'SPXW')?.quantity).toBe(1);
    expect(done.commissionCents).toBeGreaterThan(0);
  });
});

describe('redaction', () => {
  it('redact() masks registered secrets and account-like ids', () => {
    expect(redact(`token ${TEST_TOKEN} acct ${TEST_IB_ACCOUNT} Bearer abc.def`)).not.toMatch(new RegExp(`${TEST_TOKEN}|${TEST_IB_ACCOUNT}|abc\\.def`));
  });
  it('no error message, notice or status produced by these cases contains a token or a full account number', () => {
    expect(MESSAGES.length).toBeGreaterThan(10);
    for (const m of MESSAGES) {
      expect(m).not.toContain(TEST_TOKEN);
      expect(m).not.toContain(TEST_TRADIER_ACCOUNT);
      expect(m).not.toContain(TEST_IB_ACCOUNT);
      expect(m).not.toContain('wrong-token-123456');
    }
  });
});
