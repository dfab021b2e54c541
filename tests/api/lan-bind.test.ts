/**
 * `--host 0.0.0.0`: the real headless server says loudly that the token travels in clear text over the
 * network, and accepts only the Host names it is reached by (loopback, its own addresses, the names
 * given with --allow-host): a DNS-rebinding page's Host is refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { rawRequest } from '../helpers/server.ts';

const running: Headless[] = [];
afterAll(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe('headless bound to every interface', () => {
  it('warns about the clear-text token and refuses Host names it was not given', async () => {
    const s = await startHeadless({ args: ['--host', '0.0.0.0', '--allow-host', 'trader-pc.lan'] });
    running.push(s);
    const port = Number(new URL(s.url).port);
    expect(s.url).toBe(`http://127.0.0.1:${port}`); // an address to open, not 0.0.0.0
    expect(s.output()).toMatch(/WARNING: listening on every network interface \(0\.0\.0\.0\)/);
    expect(s.output()).toMatch(/The access token travels in clear text/);
    expect(s.output()).toMatch(/Accepted Host names .*trader-pc\.lan/);
    const auth = { authorization: `Bearer ${s.token}` };
    expect((await rawRequest(port, 'GET', '/api/status', { ...auth, host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/api/status', { ...auth, host: `trader-pc.lan:${port}` })).status).toBe(200);
    // A rebinding attacker's name (resolving to this machine) is refused even with the token.
    const evil = await rawRequest(port, 'GET', '/api/status', { ...auth, host: `attacker.example:${port}` });
    expect(evil.status).toBe(421);
    expect(evil.body).toMatch(/--allow-host/);
    // The warning is in the log too, without the token.
    const logs = await rawRequest(port, 'POST', '/rpc/logs.list', { ...auth, 'content-type': 'application/json' }, JSON.stringify({ limit: 100, level: 'warn' }));
    expect(logs.body).toMatch(/clear text/);
    expect(logs.body).not.toContain(s.token);
  });

  it('on loopback (the default) prints no warning', async () => {
    const s = await startHeadless();
    running.push(s);
    expect(s.output()).not.toMatch(/WARNING/);
  });
});
