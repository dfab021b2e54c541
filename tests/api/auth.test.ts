/**
 * Authentication of the headless server, table-driven: every route fastify registered (read from the
 * server itself, so a route added later is covered without touching this file) and every contract
 * method under /rpc/, each tried without the token and with wrong tokens, under every spelling of its
 * path that a router might decode or normalise (percent-encoding, case, double slashes, dot segments,
 * trailing slash, `;param`, `?query`, `#`, backslash), as GET and as POST with the body that would do
 * the most harm. Nothing may reach an API or RPC handler, and nothing may change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIVE_CONFIRMATION, METHOD_NAMES, type MethodName } from '../../shared/api.ts';
import { STRATEGIES } from '../../electron/strategies/index.ts';
import { rawRequest, rawUpgrade, startInProcessServer, stateOf, type InProcessServer, type RawResponse } from '../helpers/server.ts';

let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcessServer();
});
afterAll(async () => {
  await s?.stop();
});

const STRATEGY = STRATEGIES[0]!.id;

/** For each contract method, the body that would do the most harm if it got through. */
const HARMFUL: Partial<Record<MethodName, unknown>> = {
  'engine.closeAll': { confirm: true },
  'positions.close': { tradeId: 1, confirm: true },
  'strategies.setConfig': { strategyId: STRATEGY, config: { contracts: 100 } },
  'settings.set': { broker: 'ibkr', mode: 'live', confirmLive: LIVE_CONFIRMATION, tradier: { token: 'stolen-token-xyz' } },
  'backtest.start': { strategyId: STRATEGY, from: '2025-03-18', to: '2025-03-18' },
};

/** A concrete path for each registered route pattern, and the JSON body to POST to it. */
function concretePaths(routes: readonly { url: string }[]): { path: string; body: string }[] {
  const out = new Map<string, string>();
  for (const { url } of routes) {
    if (url === '/rpc/:method') {
      for (const m of METHOD_NAMES) out.set(`/rpc/${m}`, JSON.stringify(HARMFUL[m] ?? {}));
      continue;
    }
    const path = url
      .replace(':kind', 'trades')
      .replace(/:[a-zA-Z]+/g, 'x')
      .replace(/\*$/, 'anything');
    out.set(path, JSON.stringify({ confirm: true }));
  }
  return [...out].map(([path, body]) => ({ path, body }));
}

const pct = (ch: string) => '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');

/** Every spelling of `path` a router or a proxy might treat as the same resource. */
export function spellings(path: string): string[] {
  const out = new Set<string>([path]);
  const chars = [...path];
  // Each character percent-encoded on its own (slashes too), in upper- and lower-case hex.
  chars.forEach((ch, i) => {
    out.add(path.slice(0, i) + pct(ch) + path.slice(i + 1));
    out.add(path.slice(0, i) + pct(ch).toLowerCase() + path.slice(i + 1));
  });
  out.add(chars.map((ch) => (ch === '/' ? ch : pct(ch))).join(''));
  out.add(chars.map(pct).join(''));
  // Double encoding of the first letter.
  out.add(path.replace(/^\/(.)/, (_m, c: string) => '/%25' + pct(c).slice(1)));
  // Case.
  out.add(path.toUpperCase());
  out.add(chars.map((ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join(''));
  out.add(path.replace(/^\/(.)/, (_m, c: string) => '/' + c.toUpperCase()));
  // Slashes, dot segments, trailing slash.
  out.add('/' + path);
  out.add(path.replaceAll('/', '//'));
  out.add(path.replace(/\/(?=[^/]*$)/, '//'));
  out.add('/.' + path);
  out.add(path.replace(/\//g, '/./'));
  out.add('/x/..' + path);
  out.add(path.replace(/^(\/[^/]+)\//, '$1/x/../'));
  out.add('/%2e' + path);
  out.add('/x/%2e%2e' + path);
  out.add(path + '/');
  out.add(path + '/.');
  // Delimiters.
  out.add(path + ';x=1');
  out.add(path.replace(/^(\/[^/]+)/, '$1;x=1'));
  out.add(path + '?x=1');
  out.add(path + '?');
  out.add(path + '#x');
  out.add(path + '%00');
  // Backslashes (Windows-style separators).
  out.add(path.replaceAll('/', '\\'));
  out.add(path.replace(/^(\/[^/]+)\//, '$1\\'));
  return [...out];
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], width = 8): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** The reason in a refusal: seed 004's `{ error, code }` on the REST API, the contract's `{ ok: false, error: { code, message } }` on /rpc/. */
function messageOf(r: RawResponse): string {
  const body = JSON.parse(r.body) as { error: string | { message: string } };
  return typeof body.error === 'string' ? body.error : body.error.message;
}

/** A 2xx may only ever be the public renderer page (the client-side-route fallback), never an API answer. */
function reachedAHandler(r: RawResponse, indexHtml: string): boolean {
  if (r.status < 200 || r.status >= 300) return false;
  return !(String(r.headers['content-type']).startsWith('text/html') && r.body === indexHtml);
}

describe('every route, every spelling, without the token', () => {
  it('reads the routes from the server: the API, the RPC door, the event socket and the renderer', () => {
    const urls = s.server.routes.map((r) => `${r.method} ${r.url}`);
    for (const must of ['POST /rpc/:method', 'GET /api/status', 'POST /api/action/close_all', 'GET /ws', 'GET /*']) expect(urls).toContain(must);
    // Only the renderer's files are public, and only to read.
    const open = s.server.routes.filter((r) => r.public);
    expect(open.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /*', 'HEAD /*']);
  });

  it('never reaches an API or RPC handler and changes nothing', async () => {
    const before = await stateOf(s.workstation);
    const wrongSame = 'x'.repeat(s.token.length);
    // No token, a wrong one of the same length, a wrong one of another length (the right one plus a character).
    const tokens: Record<string, string>[] = [{}, { authorization: `Bearer ${wrongSame}` }, { authorization: `Bearer ${s.token}x` }];
    const tasks: (() => Promise<{ what: string; r: RawResponse }>)[] = [];
    for (const { path, body } of concretePaths(s.server.routes.filter((r) => !r.public))) {
      for (const spelled of spellings(path)) {
        for (const headers of tokens) {
          const who = headers.authorization ? `token of ${headers.authorization.length - 7} chars` : 'no token';
          tasks.push(async () => ({ what: `GET ${spelled} (${who})`, r: await rawRequest(s.port, 'GET', spelled, headers) }));
          tasks.push(async () => ({
            what: `POST ${spelled} (${who})`,
            r: await rawRequest(s.port, 'POST', spelled, { ...headers, 'content-type': 'application/json' }, body),
          }));
        }
      }
    }
    const results = await pool(tasks);
    const leaks = results.filter(({ r }) => reachedAHandler(r, s.indexHtml) || r.status >= 500).map(({ what, r }) => `${what} → ${r.status} ${r.body.slice(0, 80)}`);
    expect(leaks).toEqual([]);
    // A refusal names the way in, and says nothing about what exists.
    const refusals = results.filter(({ r }) => r.status === 401);
    expect(refusals.length).toBeGreaterThan(results.length / 2);
    for (const { r } of refusals) expect(messageOf(r)).toMatch(/Bearer/);
    expect(await stateOf(s.workstation)).toEqual(before);
    expect(tasks.length).toBeGreaterThan(1000);
  });

  it('refuses the event socket under every spelling, and with the token in the wrong place', async () => {
    const wrong = [undefined, `bearer.${'y'.repeat(s.token.length)}`, 'bearer.short'];
    const tasks: (() => Promise<string | null>)[] = [];
    for (const path of [...spellings('/ws'), '/', '/index.html', '/api/status', '/rpc/status.get']) {
      for (const bearer of wrong) {
        const protocol = ['thetadesk.v1', bearer].filter(Boolean).join(', ');
        tasks.push(async () => {
          const status = await rawUpgrade(s.port, path, { 'sec-websocket-protocol': protocol });
          return status === 101 ? `${path} (${protocol}) upgraded` : null;
        });
      }
    }
    expect((await pool(tasks)).filter(Boolean)).toEqual([]);
    // The right token opens the socket only on /ws, never on another route or from another origin.
    const right = { 'sec-websocket-protocol': `thetadesk.v1, bearer.${s.token}` };
    expect(await rawUpgrade(s.port, '/ws', right)).toBe(101);
    expect(await rawUpgrade(s.port, '/', right)).toBe(401);
    expect(await rawUpgrade(s.port, '/ws', { ...right, origin: 'https://evil.example' })).toBe(403);
    expect(await rawUpgrade(s.port, '/index.html', { authorization: `Bearer ${s.token}` })).toBe(400);
  });
});

describe('cross-site requests and the token in the wrong place', () => {
  const post = (path: string, headers: Record<string, string>, body?: string) => rawRequest(s.port, 'POST', path, headers, body);

  it('a cross-site simple POST (form or text content, foreign Origin, no bearer) changes nothing', async () => {
    const before = await stateOf(s.workstation);
    const evil = { origin: 'https://evil.example' };
    const attempts = [
      post('/api/action/start', { ...evil, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'),
      post('/api/action/close_all', { ...evil, 'content-type': 'text/plain' }, '{"confirm":true}'),
      post('/rpc/engine.start', { ...evil, 'content-type': 'text/plain' }, '{}'),
      post('/rpc/settings.set', { ...evil, 'content-type': 'text/plain' }, JSON.stringify(HARMFUL['settings.set'])),
      post('/rpc/strategies.setConfig', { ...evil, 'content-type': 'multipart/form-data; boundary=x' }, '--x--'),
      post('/%72pc/engine.start', { ...evil, 'content-type': 'application/x-www-form-urlencoded' }, 'x=1'),
    ];
    for (const r of await Promise.all(attempts)) expect(r.status, r.body).toBeGreaterThanOrEqual(400);
    expect(await stateOf(s.workstation)).toEqual(before);
  });

  it('refuses a POST with a valid bearer but a foreign or opaque Origin', async () => {
    const before = await stateOf(s.workstation);
    const auth = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    for (const origin of ['https://evil.example', `http://127.0.0.1.evil.example:${s.port}`, `http://127.0.0.1:${s.port + 1}`, 'null', `https://127.0.0.1:${s.port}`]) {
      const r = await post('/rpc/engine.start', { ...auth, origin }, '{}');
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body), origin).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/Origin/) } });
      const rest = await post('/api/action/start', { ...auth, origin });
      expect(rest.status, origin).toBe(403);
    }
    expect(await stateOf(s.workstation)).toEqual(before);
  });

  it('refuses a state change sent as anything but JSON, even with the bearer', async () => {
    const before = await stateOf(s.workstation);
    const r = await post('/rpc/engine.start', { authorization: `Bearer ${s.token}`, 'content-type': 'text/plain' }, '{}');
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/application\/json/) } });
    expect(await stateOf(s.workstation)).toEqual(before);
  });

  it('accepts the WebSocket subprotocol token on the event socket only', async () => {
    const before = await stateOf(s.workstation);
    const r = await post('/rpc/engine.start', { 'sec-websocket-protocol': `thetadesk.v1, bearer.${s.token}`, 'content-type': 'application/json' }, '{}');
    expect(r.status).toBe(401);
    const g = await rawRequest(s.port, 'GET', '/api/status', { 'sec-websocket-protocol': `bearer.${s.token}` });
    expect(g.status).toBe(401);
    expect(await stateOf(s.workstation)).toEqual(before);
  });

  it('answers an unknown path with 401 without the token and 404 with it, running no handler', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const none = await rawRequest(s.port, method, '/rpc');
      if (method !== 'GET') expect(none.status, method).toBe(401);
      const nested = await rawRequest(s.port, method, '/internal/secret');
      if (method !== 'GET') expect(nested.status, method).toBe(401);
    }
    const authed = await rawRequest(s.port, 'DELETE', '/api/status', { authorization: `Bearer ${s.token}` });
    expect(authed.status).toBe(404);
    expect(authed.body).not.toContain('Route');
  });
});

describe('without a valid token, nothing but the renderer’s files answers anything but 401', () => {
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

  it('every method on every route (the wrong ones too: GET on a POST-only route), and paths no file answers to', async () => {
    const paths = [...concretePaths(s.server.routes.filter((r) => !r.public)).map((p) => p.path), '/rpc/optimus.get', '/rpc', '/rpc/nothing', '/assets/missing.js', '/secret.txt', '/internal/x.json'];
    const tasks: (() => Promise<string | null>)[] = [];
    for (const p of paths) {
      for (const method of METHODS) {
        for (const headers of [{}, { authorization: `Bearer ${'x'.repeat(s.token.length)}` }] as Record<string, string>[]) {
          tasks.push(async () => {
            const r = await rawRequest(s.port, method, p, headers);
            return r.status === 401 ? null : `${method} ${p} (${headers.authorization ? 'wrong token' : 'no token'}) → ${r.status}`;
          });
        }
      }
    }
    expect((await pool(tasks)).filter(Boolean)).toEqual([]);
    // With the token, what is not there is 404, in the shape of the door asked.
    const auth = { authorization: `Bearer ${s.token}` };
    const rpc = await rawRequest(s.port, 'GET', '/rpc/optimus.get', auth);
    expect(rpc.status).toBe(404);
    expect(JSON.parse(rpc.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await rawRequest(s.port, 'GET', '/assets/missing.js', auth)).status).toBe(404);
    // The renderer's own files and client-side routes stay public.
    expect((await rawRequest(s.port, 'GET', '/assets/app.js')).status).toBe(200);
    expect((await rawRequest(s.port, 'GET', '/trades')).status).toBe(200);
  });

  it('compares Host names case-insensitively (RFC 9110)', async () => {
    const auth = { authorization: `Bearer ${s.token}` };
    for (const host of [`LOCALHOST:${s.port}`, `LocalHost:${s.port}`]) {
      const r = await rawRequest(s.port, 'GET', '/api/status', { ...auth, host });
      expect(r.status, host).toBe(200);
    }
    expect((await rawRequest(s.port, 'GET', '/api/status', { ...auth, host: `EVIL.example:${s.port}` })).status).toBe(421);
  });
});

describe('the legitimate ways in still work', () => {
  it('the renderer bundle is public to read, and only to read', async () => {
    const index = await rawRequest(s.port, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toBe(s.indexHtml);
    const asset = await rawRequest(s.port, 'GET', '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect((await rawRequest(s.port, 'HEAD', '/assets/app.js')).status).toBe(200);
    expect((await rawRequest(s.port, 'POST', '/assets/app.js')).status).toBe(401);
  });

  it("the renderer's HTTP transport (JSON with the bearer, same-origin Origin) and REST clients (bearer, no Origin) change state", async () => {
    const origin = `http://127.0.0.1:${s.port}`;
    const json = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    const started = await rawRequest(s.port, 'POST', '/rpc/engine.start', { ...json, origin }, '{}');
    expect(started.status, started.body).toBe(200);
    expect(s.workstation.status().engineState).toBe('running');
    const stopped = await rawRequest(s.port, 'POST', '/api/action/stop', { authorization: `Bearer ${s.token}` });
    expect(stopped.status, stopped.body).toBe(200);
    expect(s.workstation.status().engineState).toBe('stopped');
    const viaLocalhost = await rawRequest(s.port, 'POST', '/rpc/strategies.setConfig', { ...json, host: `localhost:${s.port}`, origin: `http://localhost:${s.port}` }, JSON.stringify(HARMFUL['strategies.setConfig']));
    expect(viaLocalhost.status, viaLocalhost.body).toBe(200);
    expect(JSON.parse(viaLocalhost.body).value.config.contracts).toBe(100);
    const settings = await rawRequest(s.port, 'POST', '/rpc/settings.set', json, JSON.stringify({ broker: 'ibkr' }));
    expect(settings.status, settings.body).toBe(200);
    expect(JSON.parse(settings.body).value.broker).toBe('ibkr');
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, ['thetadesk.v1', `bearer.${s.token}`], { origin });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(String(d)));
      ws.once('error', reject);
    });
    ws.close();
    expect(JSON.parse(first).type).toBe('status');
  });
});
