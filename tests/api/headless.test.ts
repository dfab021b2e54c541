import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rpc, runHeadless, startHeadless, type Headless } from '../helpers/headless.ts';

let server: Headless;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies under test are checked field by field
type Body = any;
const json = async (r: Response): Promise<Body> => r.json();
const auth = () => ({ authorization: `Bearer ${server.token}` });

beforeAll(async () => {
  server = await startHeadless();
});
afterAll(async () => {
  await server?.stop();
});

const SEED_GETS = ['/api/status', '/api/positions', '/api/trades?limit=5', '/api/account', '/api/market', '/api/performance'];
const SEED_POSTS = ['/api/action/start', '/api/action/stop', '/api/action/close_all'];

describe('seed 004 REST API on the headless server', () => {
  it('answers 401 with a JSON error without the token, or with a wrong one', async () => {
    for (const p of [...SEED_GETS, ...SEED_POSTS]) {
      const method = p.startsWith('/api/action') ? 'POST' : 'GET';
      const none = await fetch(server.url + p, { method });
      expect(none.status, p).toBe(401);
      expect(none.headers.get('content-type')).toContain('application/json');
      expect((await json(none)).error).toMatch(/Bearer/);
      const wrong = await fetch(server.url + p, { method, headers: { authorization: 'Bearer nope-nope-nope-nope' } });
      expect(wrong.status, p).toBe(401);
    }
    const rpc = await fetch(server.url + '/rpc/status.get', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(rpc.status).toBe(401);
  });

  it("answers with the seed's field names", async () => {
    const get = async (p: string) => {
      const r = await fetch(server.url + p, { headers: auth() });
      expect(r.status, p).toBe(200);
      return json(r);
    };
    const status = await get('/api/status');
    expect(status).toMatchObject({ is_trading: false, open_positions: 0, trades_today: 0, broker: 'sim', mode: 'paper' });
    expect(typeof status.is_connected).toBe('boolean');
    expect(Object.keys(await get('/api/account')).sort()).toEqual(['account_id', 'available_funds', 'buying_power', 'net_liquidation', 'total_cash']);
    const market = await get('/api/market');
    expect(market).toHaveProperty('spy_price');
    expect(market).toHaveProperty('spx_price');
    expect(Object.keys(await get('/api/performance')).sort()).toEqual(
      ['active_positions', 'daily_realized_pnl', 'max_daily_loss', 'risk_breached', 'total_pnl', 'trades_count', 'trades_today', 'unrealized_pnl'].sort(),
    );
    expect(await get('/api/positions')).toEqual([]);
    expect(await get('/api/trades?limit=5')).toEqual([]);
    const bad = await fetch(server.url + '/api/trades?limit=abc', { headers: auth() });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/limit/);
  });

  it('start, stop and close_all change the state, and every client hears it on the event stream', async () => {
    const events: { type: string; payload: { engineState: string; isTrading: boolean } }[] = [];
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', ['thetadesk.v1', `bearer.${server.token}`]);
    ws.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const post = async (p: string) => json(await fetch(server.url + p, { method: 'POST', headers: auth() }));

    expect((await post('/api/action/start')).status).toMatchObject({ is_trading: true, engine_state: 'running' });
    expect((await post('/api/action/stop')).status).toMatchObject({ is_trading: false, engine_state: 'stopped' });
    await post('/api/action/start');
    const closed = await post('/api/action/close_all');
    expect(closed).toMatchObject({ success: true, closing_positions: 0, queued_positions: 0, queued_for: null, status: { is_trading: false } });

    // Status is also pushed when other fields change (a snapshot, a reconcile); collapse repeats.
    const states = () => events.filter((e) => e.type === 'status').map((e) => e.payload.engineState).filter((s, i, all) => i === 0 || s !== all[i - 1]);
    // The pushes may trail the HTTP answers: wait for the fifth change (or time out), then compare.
    await expect.poll(() => states().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    expect(states()).toEqual(['stopped', 'running', 'stopped', 'running', 'stopped']);
    ws.close();
  });

  it('refuses the event stream without the token', async () => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', ['thetadesk.v1']);
    const code = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(code).toBe(401);
  });

  it('rejects a foreign Host header (DNS rebinding) and malformed RPC input', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const u = new URL(server.url + '/api/status');
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { ...auth(), host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(421);
    const r = await fetch(server.url + '/rpc/engine.closeAll', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({}) });
    expect(r.status).toBe(400);
    expect(await json(r)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const unknown = await fetch(server.url + '/rpc/orders.sendEverything', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('never writes the token to the log', async () => {
    const logs = await json(await fetch(server.url + '/rpc/logs.list', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ limit: 1000 }) }));
    expect(logs.ok).toBe(true);
    expect(JSON.stringify(logs.value)).not.toContain(server.token);
  });
});

describe('CSV export over the API', () => {
  it('downloads a CSV with a header row, and refuses bad dates clearly', async () => {
    const r = await fetch(server.url + '/api/export/trades?from=2026-01-01&to=2026-12-31', { headers: auth() });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    expect(r.headers.get('content-disposition')).toContain('thetadesk-trades-2026-01-01-to-2026-12-31.csv');
    const text = await r.text();
    expect(text.split('\r\n')[0]).toMatch(/^trade_id,strategy/);
    const bad = await fetch(server.url + '/api/export/trades?from=2026-13-01&to=2026-12-31', { headers: auth() });
    expect(bad.status).toBe(400);
    const reversed = await fetch(server.url + '/api/export/fills?from=2026-02-01&to=2026-01-01', { headers: auth() });
    expect(reversed.status).toBe(400);
    expect((await json(reversed)).error).toMatch(/from/);
    const unknown = await fetch(server.url + '/api/export/secrets?from=2026-01-01&to=2026-01-02', { headers: auth() });
    expect(unknown.status).toBe(400);
  });
});

describe('headless command line', () => {
  it('refuses a corrupt database with a clear message and leaves the file as it was', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-corrupt-'));
    const file = path.join(dir, 'thetadesk.sqlite');
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]);
    writeFileSync(file, garbage);
    const run = await runHeadless(['--port', '0', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/corrupt|not a database|damaged/i);
    expect(run.output).not.toMatch(/\n\s+at /);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses an empty (0-byte) database instead of starting afresh on it, and leaves it as it was', async () => {
    const { mkdtempSync, writeFileSync, statSync, readdirSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-empty-'));
    const file = path.join(dir, 'thetadesk.sqlite');
    writeFileSync(file, '');
    const mtime = statSync(file).mtimeMs;
    const run = await runHeadless(['--port', '0', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/thetadesk\.sqlite is damaged \(the file is empty: 0 bytes\).*npx thetadesk db restore/);
    expect(run.output).not.toMatch(/reconciled|Thetadesk is running/i);
    expect(statSync(file)).toMatchObject({ size: 0, mtimeMs: mtime });
    expect(readdirSync(dir).filter((n) => n.startsWith('thetadesk.sqlite'))).toEqual(['thetadesk.sqlite']);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const s = await startHeadless();
    const code = await s.stop();
    expect({ code, output: s.output() }).toMatchObject({ code: 0, output: expect.stringContaining('Stopped.') });
  });

  it('says clearly when the port is taken or invalid', async () => {
    const port = new URL(server.url).port;
    // A folder of its own: the server's folder would be refused first, for being in use.
    const { mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const taken = await runHeadless(['--port', port, '--data-dir', mkdtempSync(path.join(os.tmpdir(), 'thetadesk-port-'))]);
    expect(taken.code).toBe(1);
    expect(taken.output).toContain(`Port ${port}`);
    expect(taken.output).not.toMatch(/\n\s+at /); // no stack trace
    const invalid = await runHeadless(['--port', '70000']);
    expect(invalid.code).toBe(2);
    expect(invalid.output).toMatch(/Port "70000" is not valid/);
    const unknown = await runHeadless(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('Usage:');
  });
});

describe('one engine per data folder', () => {
  it('a second server on the same folder refuses, naming the PID of the first; after kill -9 of the first, the next start succeeds at once', async () => {
    const first = await startHeadless();
    try {
      const second = await runHeadless(['--port', '0', '--data-dir', first.dataDir]);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`The data folder ${first.dataDir} is in use by another Thetadesk (PID ${first.child.pid}, headless server started `);
      expect(second.output).toMatch(/stop it or choose another --data-dir/);
      expect(second.output).not.toMatch(/\n\s+at /);
      expect(second.output).not.toContain('Thetadesk is running');
    } finally {
      const killed = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await killed;
    }
    // Nothing stale blocks the next start: the OS dropped the lock with the process.
    const third = await startHeadless({ dataDir: first.dataDir });
    expect(await rpc<{ engineState: string }>(third, 'status.get')).toMatchObject({ engineState: expect.any(String) });
    expect(await third.stop()).toBe(0);
  });
});
