/** Starts the real headless server (`electron/headless/main.ts`) as a child process for a test. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export type Headless = { url: string; token: string; dataDir: string; child: ChildProcess; output: () => string; stop: () => Promise<number | null> };

export async function startHeadless(opts: { args?: string[]; env?: Record<string, string>; dataDir?: string } = {}): Promise<Headless> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'thetadesk-test-'));
  const token = 'test-token-' + Math.random().toString(36).slice(2).padEnd(12, 'x');
  const child = spawn(process.execPath, [path.join(repoRoot, 'electron/headless/main.ts'), '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: { ...process.env, THETADESK_TOKEN: token, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Open (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 25);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`headless exited with ${code}: ${out}`));
    });
  });
  return {
    url,
    token,
    dataDir,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        // Already gone (exited, or killed by a signal: then exitCode stays null).
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** Runs the headless CLI to completion (for bad-argument cases). */
export function runHeadless(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'electron/headless/main.ts'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Calls one contract method on a running server over HTTP, as the UI does; throws with the error message. */
export async function rpc<T>(server: Pick<Headless, 'url' | 'token'>, method: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${server.url}/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}
