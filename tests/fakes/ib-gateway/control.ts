/**
 * The fake IB Gateway's fault control, over HTTP on its own loopback port, so a test (or a person
 * with curl) in another process can break the Gateway while a client talks to it:
 *
 *   GET  /state                          clients, working orders, positions, restart/IB-link state
 *   POST /notice/1100|1101|1102|2110     connectivity notice to every client (1100: data stops,
 *                                        1101: restored, subscriptions dead, 1102: restored, data kept)
 *   POST /drop                           drop every client connection now
 *   POST /drop-on/<msgId>?when=before|after&count=N
 *                                        drop every client when that request arrives (e.g. 7 =
 *                                        reqExecutions during a reconciliation), N times
 *   POST /restart?seconds=N              daily restart: clients dropped, connections refused for N s
 *   POST /restart/begin, /restart/end    a restart that lasts until /restart/end (the weekly re-login)
 *   POST /pacing/historical?count=N      the next N historical requests get 162 (pacing violation)
 *   POST /tick, /match                   push quotes now / match working orders now
 *
 * Every answer is JSON: `{ ok: true, state }`, or `{ ok: false, error }` with 400 (bad parameter)
 * or 404 (no such route).
 */
import http from 'node:http';
import type net from 'node:net';
import type { FakeIbGateway } from './server.ts';

export type FakeControl = { port: number; url: string; close(): Promise<void> };

class BadRequest extends Error {}

function int(params: URLSearchParams, name: string, fallback: number | null, min = 0): number {
  const raw = params.get(name);
  if (raw === null) {
    if (fallback === null) throw new BadRequest(`${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BadRequest(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Routes one control request; returns false for an unknown route. */
function route(fake: FakeIbGateway, method: string, path: string, params: URLSearchParams): boolean {
  if (method === 'GET' && path === '/state') return true;
  if (method !== 'POST') return false;
  const notice = /^\/notice\/(1100|1101|1102|2110)$/.exec(path);
  if (notice) {
    fake.notice(Number(notice[1]) as 1100 | 1101 | 1102 | 2110);
    return true;
  }
  const dropOn = /^\/drop-on\/(\d+)$/.exec(path);
  if (dropOn) {
    const when = params.get('when') ?? 'before';
    if (when !== 'before' && when !== 'after') throw new BadRequest(`when must be "before" or "after", got ${JSON.stringify(when)}`);
    fake.dropOn(Number(dropOn[1]), { when, count: int(params, 'count', 1, 1) });
    return true;
  }
  switch (path) {
    case '/drop':
      fake.disconnectAll();
      return true;
    case '/restart':
      void fake.restartFor(int(params, 'seconds', null, 1) * 1000);
      return true;
    case '/restart/begin':
      fake.beginRestart();
      return true;
    case '/restart/end':
      void fake.endRestart();
      return true;
    case '/pacing/historical':
      fake.script.historicalPacingViolations += int(params, 'count', 1, 1);
      return true;
    case '/tick':
      fake.tick();
      return true;
    case '/match':
      fake.match();
      return true;
    default:
      return false;
  }
}

/** Starts the control endpoint for `fake` on loopback (`port` 0 = any free port). */
export async function startFakeControl(fake: FakeIbGateway, port = 0, host = '127.0.0.1'): Promise<FakeControl> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    let status = 200;
    let body: unknown;
    try {
      if (route(fake, req.method ?? 'GET', url.pathname, url.searchParams)) body = { ok: true, state: fake.state() };
      else {
        status = 404;
        body = { ok: false, error: `no route ${req.method} ${url.pathname} (see tests/fakes/ib-gateway/control.ts)` };
      }
    } catch (e) {
      status = e instanceof BadRequest ? 400 : 500;
      body = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
