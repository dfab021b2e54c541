/**
 * The fake IB Gateway probed by a second, independent client — raw sockets speaking the TWS
 * protocol byte by byte (raw-client.ts), not our adapter and not @stoqey/ib — so the fake cannot
 * be tuned to the one client we use. Each case is a point of ../shared/reference/ibkr-tws-protocol.md
 * or of IB's documented behaviour: version negotiation and refusal, unrecognised greetings,
 * unimplemented requests answered with an error (never silence), historical bar sizes and
 * durations, 1100/1101/1102 market-data behaviour, pacing, duplicate client ids, the daily restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { createSimulator, type Simulator } from '../../../electron/market/sim/simulator.ts';
import { RawTwsClient, rawSession } from './raw-client.ts';
import { startFakeIbGateway, type FakeIbGateway, type FakeIbGatewayOptions } from './server.ts';

/** Wednesday 2025-03-19 11:00 ET: the whole session of Tuesday 03-18 has minute bars. */
const NOW = Date.parse('2025-03-19T15:00:00Z');

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sim(): Simulator {
  const s = createSimulator({ seed: 42, start: '2025-03-18', spx0: 5800 });
  s.advanceTo(NOW);
  return s;
}

async function fake(opts: Partial<FakeIbGatewayOptions> = {}, s = sim()): Promise<FakeIbGateway> {
  const f = await startFakeIbGateway({ market: fromSimulator(s), account: 'DU5550001', ...opts });
  cleanups.push(() => f.stop());
  return f;
}

async function client(port: number): Promise<RawTwsClient> {
  const c = await RawTwsClient.connect(port);
  cleanups.push(() => c.close());
  return c;
}

async function session(port: number, clientId: number, range?: string): Promise<RawTwsClient> {
  const c = await rawSession(port, clientId, range);
  cleanups.push(() => c.close());
  return c;
}

/** reqMktData (msg 1, version 11) for a stock, by hand (§4). */
const reqMktDataSpy = (reqId: number): (string | number)[] => [1, 11, reqId, '', 'SPY', 'STK', '', '', '', '', 'SMART', '', 'USD', '', '', 0, '', 0, 0, ''];

/** reqHistoricalData (msg 20, no version at ≥124) for SPY, by hand (§4). */
function reqHistorical(reqId: number, end: string, duration: string, barSize: string, opts: { symbol?: string; secType?: string; exchange?: string; what?: string; formatDate?: 1 | 2 } = {}): (string | number)[] {
  return [20, reqId, '', opts.symbol ?? 'SPY', opts.secType ?? 'STK', '', '', '', '', opts.exchange ?? 'SMART', '', 'USD', '', '', 0, end, barSize, duration, 1, opts.what ?? 'TRADES', opts.formatDate ?? 1, 0, ''];
}

/** Bars of a HISTORICAL_DATA message: [date, open, high, low, close, volume, wap, count]. */
function barsOf(m: string[]): string[][] {
  const n = Number(m[4]);
  const out: string[][] = [];
  for (let i = 0; i < n; i++) out.push(m.slice(5 + i * 8, 13 + i * 8));
  expect(m).toHaveLength(5 + n * 8);
  return out;
}

describe('version negotiation (§1, §2.3)', () => {
  it('answers with the highest version it supports inside the client range, then the connection time', async () => {
    const f = await fake();
    for (const [range, expected] of [
      ['v100..193', '193'],
      ['v100..250', '193'],
      ['v193..193', '193'],
    ] as const) {
      const c = await client(f.port);
      c.greet(range);
      const reply = await c.waitFor(() => true, `the handshake reply to ${range}`);
      expect(reply[0], range).toBe(expected);
      expect(reply[1]).toMatch(/^\d{8} \d{2}:\d{2}:\d{2} \S+$/);
      c.close();
    }
  });

  it('with a wider supported range, picks the highest common version', async () => {
    const f = await fake({ serverVersions: { min: 176, max: 200 } });
    for (const [range, expected] of [
      ['v100..193', '193'],
      ['v100..180', '180'],
      ['v190..250', '200'],
    ] as const) {
      const c = await client(f.port);
      c.greet(range);
      expect((await c.waitFor(() => true, range))[0], range).toBe(expected);
      c.close();
    }
  });

  it('refuses a client it shares no version with: answers its own version (outside the range, which the client rejects) and closes', async () => {
    const f = await fake();
    const newer = await client(f.port);
    newer.greet('v194..250');
    expect((await newer.waitFor(() => true, 'the reply'))[0]).toBe('193');
    await newer.waitEnd('a client newer than the fake');
    const older = await client(f.port);
    older.greet('v100..150');
    expect((await older.waitFor(() => true, 'the reply'))[0]).toBe('193');
    await older.waitEnd('a client older than the fake');
    expect(f.refusals.map((r) => r.reason)).toEqual([expect.stringMatching(/no common version/), expect.stringMatching(/no common version/)]);
  });
});

describe('greetings the fake does not recognise are closed at once, never left hanging', () => {
  const cases: [string, Buffer][] = [
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a pre-v100 client version ("63\\0")', Buffer.from('63\0')],
    ['"API\\0" with a version that is not v<min>..<max>', Buffer.concat([Buffer.from('API\0'), Buffer.from([0, 0, 0, 5]), Buffer.from('hello')])],
    ['"API\\0" with an absurd length', Buffer.concat([Buffer.from('API\0'), Buffer.from([0x7f, 0xff, 0xff, 0xff])])],
  ];
  for (const [name, bytes] of cases) {
    it(name, async () => {
      const f = await fake();
      const c = await client(f.port);
      c.write(bytes);
      await c.waitEnd(name);
      expect(c.bytes).toBe(0);
      expect(f.refusals).toHaveLength(1);
    });
  }

  it('a greeting that never completes is closed after the handshake timeout', async () => {
    const f = await fake({ handshakeTimeoutMs: 50 });
    const c = await client(f.port);
    c.write('API\0');
    await c.waitEnd('an incomplete greeting');
    expect(f.refusals[0]?.reason).toMatch(/handshake/);
  });
});

describe('requests', () => {
  it('START_API: managed accounts, next valid id and the farm notices', async () => {
    const f = await fake();
    const c = await session(f.port, 5);
    await c.waitFor((m) => m[0] === '4' && m[3] === '2158', 'the sec-def farm notice');
    expect(c.messages).toContainEqual(['15', '1', 'DU5550001']);
    expect(c.messages.find((m) => m[0] === '9')).toEqual(['9', '1', expect.stringMatching(/^\d+$/)]);
  });

  it('a request it does not implement gets an IB error for its request id (or −1), and the session keeps working', async () => {
    const f = await fake();
    const c = await session(f.port, 6);
    c.send([92, 9001, 'DU5550001', '']); // reqPnL(reqId, account, modelCode)
    const pnl = await c.waitFor((m) => m[0] === '4' && m[2] === '9001', 'an error for reqPnL');
    expect(pnl).toEqual(['4', '2', '9001', '321', expect.stringMatching(/not supported by this fake/), '']);
    c.send([87, 9002, '', 'SPY', 'STK', '', '', '', '', 'SMART', '', 'USD', '', '', 0, 1, 'TRADES', 1]); // reqHeadTimestamp
    await c.waitFor((m) => m[0] === '4' && m[2] === '9002' && m[3] === '321', 'an error for reqHeadTimestamp');
    c.send([12, 1, 1]); // reqNewsBulletins: no request id → id −1
    await c.waitFor((m) => m[0] === '4' && m[2] === '-1' && m[3] === '321' && /reqNewsBulletins|REQ_NEWS_BULLETINS/.test(m[4] ?? ''), 'an error for reqNewsBulletins');
    c.send([250, 1, 77]); // no such message id
    await c.waitFor((m) => m[0] === '4' && m[2] === '-1' && /250/.test(m[4] ?? ''), 'an error for an unknown message id');
    await c.sync(); // still answering
  });

  it('reqAccountUpdates answers with account values, portfolio and the download end', async () => {
    const f = await fake();
    const c = await session(f.port, 7);
    c.send([6, 2, 1, 'DU5550001']);
    await c.waitFor((m) => m[0] === '54', 'ACCT_DOWNLOAD_END');
    const values = c.messages.filter((m) => m[0] === '6');
    expect(values.find((m) => m[2] === 'NetLiquidation')).toEqual(['6', '2', 'NetLiquidation', expect.stringMatching(/^\d+\.\d\d$/), 'USD', 'DU5550001']);
    expect(c.messages.some((m) => m[0] === '8')).toBe(true);
    expect(c.messages.find((m) => m[0] === '54')).toEqual(['54', '1', 'DU5550001']);
  });

  it('a duplicate client id is refused with 326 and the socket closed; the first session is untouched', async () => {
    const f = await fake();
    const first = await session(f.port, 9);
    const second = await client(f.port);
    second.greet('v100..193');
    await second.waitFor(() => true, 'the handshake reply');
    second.startApi(9);
    const err = await second.waitFor((m) => m[0] === '4', 'error 326');
    expect(err.slice(0, 4)).toEqual(['4', '2', '-1', '326']);
    await second.waitEnd('the duplicate client');
    expect(second.messages.some((m) => m[0] === '9')).toBe(false);
    await first.sync();
  });
});

describe('historical data honours bar size and duration (from the simulator’s minute path)', () => {
  it('5 mins, 1 hour and 1 min bars of one session; OHLC from the minute bars', async () => {
    const s = sim();
    const f = await fake({}, s);
    const c = await session(f.port, 11);
    const end = '20250318 16:00:00 US/Eastern';
    c.send(reqHistorical(1, end, '1 D', '5 mins'));
    c.send(reqHistorical(2, end, '1 D', '1 hour'));
    c.send(reqHistorical(3, end, '1 D', '1 min'));
    const five = barsOf(await c.waitFor((m) => m[0] === '17' && m[1] === '1', '5-minute bars'));
    const hour = barsOf(await c.waitFor((m) => m[0] === '17' && m[1] === '2', 'hourly bars'));
    const one = barsOf(await c.waitFor((m) => m[0] === '17' && m[1] === '3', 'minute bars'));
    expect(five).toHaveLength(78);
    expect(five[0]?.[0]).toBe('20250318 09:30:00 US/Eastern');
    expect(five[77]?.[0]).toBe('20250318 15:55:00 US/Eastern');
    expect(hour.map((b) => b[0]?.slice(9, 14))).toEqual(['09:30', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00']);
    expect(one).toHaveLength(390);
    // Each 5-minute bar aggregates its five minute bars exactly.
    const minutes = s.bars('SPY', Date.parse('2025-03-18T13:30:00Z'), Date.parse('2025-03-18T20:00:00Z'));
    expect(minutes).toHaveLength(390);
    for (let i = 0; i < 78; i++) {
      const m = minutes.slice(i * 5, i * 5 + 5);
      const b = five[i]!;
      expect(Number(b[1])).toBe(m[0]!.open);
      expect(Number(b[2])).toBe(Math.max(...m.map((x) => x.high)));
      expect(Number(b[3])).toBe(Math.min(...m.map((x) => x.low)));
      expect(Number(b[4])).toBe(m[4]!.close);
    }
    // The hourly bars' opens and closes line up with the 5-minute ones.
    expect(hour[1]?.[1]).toBe(five[6]?.[1]);
    expect(hour[6]?.[4]).toBe(five[77]?.[4]);
  });

  it('duration in seconds, epoch dates (formatDate 2), daily bars in trading days, and an index has no volume', async () => {
    const f = await fake();
    const c = await session(f.port, 12);
    c.send(reqHistorical(4, '20250318 12:00:00 US/Eastern', '3600 S', '5 mins', { formatDate: 2 }));
    const bars = barsOf(await c.waitFor((m) => m[0] === '17' && m[1] === '4', 'an hour of 5-minute bars'));
    expect(bars).toHaveLength(12);
    expect(Number(bars[0]?.[0])).toBe(Date.parse('2025-03-18T15:00:00Z') / 1000);
    c.send(reqHistorical(5, '20250318 23:59:59 US/Eastern', '5 D', '1 day', { symbol: 'SPX', secType: 'IND', exchange: 'CBOE' }));
    const daily = barsOf(await c.waitFor((m) => m[0] === '17' && m[1] === '5', 'daily bars'));
    expect(daily.map((b) => b[0])).toEqual(['20250312', '20250313', '20250314', '20250317', '20250318']);
    expect(daily.every((b) => b[5] === '-1')).toBe(true);
  });

  it('an invalid bar size is an error for the request, not silence; no data is 162', async () => {
    const f = await fake();
    const c = await session(f.port, 13);
    c.send(reqHistorical(6, '', '1 D', '7 mins'));
    expect(await c.waitFor((m) => m[0] === '4' && m[2] === '6', 'an error')).toEqual(['4', '2', '6', '321', expect.stringMatching(/bar size/i), '']);
    c.send(reqHistorical(7, '20250101 16:00:00 US/Eastern', '1 D', '5 mins'));
    expect((await c.waitFor((m) => m[0] === '4' && m[2] === '7', 'an error'))[3]).toBe('162');
  });
});

describe('connectivity notices and market data (§7)', () => {
  it('1100 stops streaming; 1102 resumes it; 1101 kills subscriptions until they are re-requested', async () => {
    const f = await fake();
    const c = await session(f.port, 21);
    const ticks = (from: number, reqId: number): number => c.since(from).filter((m) => (m[0] === '1' || m[0] === '2') && m[2] === String(reqId)).length;
    c.send(reqMktDataSpy(101));
    await c.waitFor((m) => m[0] === '1' && m[2] === '101', 'the first tick');
    let mark = await c.sync();
    f.tick();
    await c.sync();
    expect(ticks(mark, 101)).toBeGreaterThan(0);

    f.notice(1100);
    await c.waitFor((m) => m[0] === '4' && m[3] === '1100', '1100');
    mark = c.messages.length;
    f.tick();
    await c.sync();
    expect(ticks(mark, 101)).toBe(0);

    f.notice(1102);
    mark = c.messages.length;
    f.tick();
    await c.sync();
    expect(ticks(mark, 101)).toBeGreaterThan(0);

    f.notice(1100);
    f.notice(1101);
    await c.waitFor((m) => m[0] === '4' && m[3] === '1101', '1101');
    mark = c.messages.length;
    f.tick();
    await c.sync();
    expect(ticks(mark, 101)).toBe(0); // data lost: the old subscription is dead
    c.send(reqMktDataSpy(102));
    await c.waitFor((m) => m[0] === '1' && m[2] === '102', 'a tick of the re-requested subscription');
    mark = c.messages.length;
    f.tick();
    await c.sync();
    expect(ticks(mark, 102)).toBeGreaterThan(0);
    expect(ticks(mark, 101)).toBe(0);
  });
});

describe('pacing (IB error 100 and historical 162)', () => {
  it('more than 50 messages in a second: error 100', async () => {
    const f = await fake();
    const c = await session(f.port, 31);
    for (let i = 0; i < 60; i++) c.send([49, 1]);
    const e = await c.waitFor((m) => m[0] === '4' && m[3] === '100', 'error 100');
    expect(e[4]).toMatch(/Max rate of messages per second has been exceeded/);
  });

  it('identical historical requests within 15 s, and more than 60 in ten minutes, are pacing violations (162)', async () => {
    let t = 0;
    const f = await fake({ pacingClock: () => t });
    const c = await session(f.port, 32);
    c.send(reqHistorical(41, '20250318 16:00:00 US/Eastern', '1 D', '1 hour'));
    await c.waitFor((m) => m[0] === '17' && m[1] === '41', 'the first answer');
    c.send(reqHistorical(42, '20250318 16:00:00 US/Eastern', '1 D', '1 hour'));
    expect(await c.waitFor((m) => m[0] === '4' && m[2] === '42', 'the identical request refused')).toEqual(['4', '2', '42', '162', expect.stringMatching(/pacing violation/), '']);
    t += 16_000;
    c.send(reqHistorical(43, '20250318 16:00:00 US/Eastern', '1 D', '1 hour'));
    await c.waitFor((m) => m[0] === '17' && m[1] === '43', 'the same request after 15 s');
    // 60 in ten minutes (spread so no other rule trips), then the 61st is refused.
    // (One at a time: the fake reads its pacing clock when a request arrives.)
    for (let i = 0; i < 58; i++) {
      t += 5_000;
      c.send(reqHistorical(100 + i, `20250318 ${String(10 + (i % 6)).padStart(2, '0')}:00:00 US/Eastern`, `${1800 + i * 60} S`, '5 mins'));
      await c.waitFor((m) => m[0] === '17' && m[1] === String(100 + i), `answer ${i + 3}`);
    }
    t += 5_000;
    c.send(reqHistorical(200, '20250318 15:00:00 US/Eastern', '600 S', '1 min'));
    expect((await c.waitFor((m) => m[0] === '4' && m[2] === '200', 'the 61st refused'))[3]).toBe('162');
  });
});

describe('the daily restart', () => {
  it('drops every client, refuses connections while restarting, and comes back with orders and positions kept', async () => {
    const f = await fake();
    const c = await session(f.port, 41);
    f.beginRestart();
    await c.waitEnd('the restart');
    await expect(RawTwsClient.connect(f.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await f.endRestart();
    const again = await session(f.port, 41);
    await again.sync();
  });
});
