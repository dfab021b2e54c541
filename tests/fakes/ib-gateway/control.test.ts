/**
 * Faults driven from outside the process: the fake IB Gateway runs as its own child process
 * (main.ts), a raw-socket client talks to it, and this test breaks it through the HTTP control
 * endpoint — connectivity notices, dropped sockets, a drop when a given request arrives, the daily
 * restart (connections refused until it is over), forced historical pacing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTwsClient, rawSession } from './raw-client.ts';

const MAIN = path.resolve(import.meta.dirname, 'main.ts');
let child: ChildProcess;
let port = 0;
let control = '';
const clients: RawTwsClient[] = [];

beforeAll(async () => {
  child = spawn(process.execPath, [MAIN, '--port', '0', '--control-port', '0', '--speed', '0', '--account', 'DU7770001'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const g = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      const c = /control on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (g && c) {
        port = Number(g[1]);
        control = c[1] as string;
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`the fake exited with ${code}: ${out}`)));
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

async function post(route: string): Promise<{ status: number; body: { ok: boolean; error?: string; state?: { restarting: boolean; clients: number[] } } }> {
  const r = await fetch(control + route, { method: 'POST' });
  return { status: r.status, body: (await r.json()) as never };
}

async function session(clientId: number): Promise<RawTwsClient> {
  const c = await rawSession(port, clientId);
  clients.push(c);
  return c;
}

describe('the fake IB Gateway in its own process, broken through its control endpoint', () => {
  it('connectivity notices reach the client as IB sends them', async () => {
    const c = await session(1);
    const notices = (): string[] => c.messages.filter((m) => m[0] === '4' && m[2] === '-1' && ['1100', '1101', '1102'].includes(m[3] ?? '')).map((m) => m[3] as string);
    for (const [i, code] of [1100, 1102, 1100, 1101].entries()) {
      expect((await post(`/notice/${code}`)).body.ok).toBe(true);
      await c.waitFor(() => notices().length > i, `notice ${code}`);
    }
    expect(notices()).toEqual(['1100', '1102', '1100', '1101']);
    c.close();
  });

  it('drop: every client is disconnected; drop-on: the connection dies when the named request arrives', async () => {
    const a = await session(2);
    expect((await post('/drop')).body.ok).toBe(true);
    await a.waitEnd('the drop');
    const b = await session(3);
    expect((await post('/drop-on/7?when=before')).body.ok).toBe(true);
    await b.sync(); // other requests still answered
    b.send([7, 3, 501, '', '', '', '', '', '', '']); // reqExecutions
    await b.waitEnd('the drop on reqExecutions');
    expect(b.messages.some((m) => m[0] === '55')).toBe(false);
  });

  it('the daily restart: connections refused until it is over, then served again', async () => {
    const c = await session(4);
    const begun = await post('/restart/begin');
    expect(begun.body.state?.restarting).toBe(true);
    await c.waitEnd('the restart');
    await expect(RawTwsClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await post('/restart/end')).body.ok).toBe(true);
    // /restart/end returns once the fake has been told; poll the state until it listens again.
    const deadline = performance.now() + 5_000;
    while ((await (await fetch(control + '/state')).json() as { state: { restarting: boolean } }).state.restarting) {
      if (performance.now() > deadline) throw new Error('the fake never came back');
    }
    const again = await session(4);
    await again.sync();
  });

  it('forced historical pacing: the next request gets 162', async () => {
    const c = await session(5);
    expect((await post('/pacing/historical?count=1')).body.ok).toBe(true);
    c.send([20, 61, '', 'SPY', 'STK', '', '', '', '', 'SMART', '', 'USD', '', '', 0, '', '1 day', '5 D', 1, 'TRADES', 1, 0, '']);
    const e = await c.waitFor((m) => m[0] === '4' && m[2] === '61', 'the pacing error');
    expect(e[3]).toBe('162');
    expect(e[4]).toMatch(/pacing violation/);
  });

  it('bad control requests are refused with a reason', async () => {
    expect(await post('/restart?seconds=abc')).toMatchObject({ status: 400, body: { ok: false, error: expect.stringMatching(/seconds must be an integer/) } });
    expect(await post('/notice/999')).toMatchObject({ status: 404 });
    expect(await post('/drop-on/7?when=sometimes')).toMatchObject({ status: 400 });
  });
});
