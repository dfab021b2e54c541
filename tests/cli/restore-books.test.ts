/**
 * Restoring an older backup under a paper account that traded after it: the real headless server on the
 * simulator, `thetadesk db backup` while it runs, trading after it, then `thetadesk db restore`.
 *
 * - A backup set with the simulated broker's books restores both: the books and the records agree, the
 *   engine reconciles.
 * - A backup without them (taken before they were backed up) restores the database only and says so;
 *   the paper account still holds the later orders and fills, and reconciliation halts naming them —
 *   never "match".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'thetadesk.js');
const FAST = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: '3000' };
const SLOW = { ...FAST, THETADESK_SIM_SPEED: '1' };

type Status = { engineState: string; reason: string | null };
type Order = { clientOrderId: string; fills: unknown[] };

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const servers: Headless[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(env: Record<string, string>, dataDir?: string): Promise<Headless> {
  const s = await startHeadless({ env, ...(dataDir ? { dataDir } : {}) });
  servers.push(s);
  return s;
}

async function waitFor<T>(s: Headless, what: string, probe: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}\n${s.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const settled = (s: Headless) => waitFor(s, 'reconciliation', async () => {
  const st = await rpc<Status>(s, 'status.get');
  return st.engineState === 'reconciling' ? null : st;
});
const orders = (s: Headless) => rpc<Order[]>(s, 'orders.list', { from: '2026-01-01', to: '2026-12-31', limit: 1000 });

/** Backs up a fresh paper account, then trades until an order has filled, and stops. Returns the backup. */
async function backupThenTrade(): Promise<{ dir: string; backup: string; filled: number }> {
  const s = await start(FAST);
  expect((await settled(s)).engineState).toBe('stopped');
  const b = await run(['db', 'backup', '--data-dir', s.dataDir]);
  expect(b.code, b.stderr).toBe(0);
  const backup = /Backed up .* to (\S+\.sqlite) \(/.exec(b.stdout)![1]!;
  await rpc(s, 'engine.start');
  const filled = await waitFor(s, 'a filled order', async () => {
    const list = (await orders(s)).filter((o) => o.fills.length > 0);
    return list.length > 0 ? list.length : null;
  });
  expect(await s.stop()).toBe(0);
  servers.splice(servers.indexOf(s), 1);
  return { dir: s.dataDir, backup, filled };
}

describe('restoring an older backup of a paper account that traded since', { timeout: 180_000 }, () => {
  it("a backup set with the simulated broker's books: both restored, the engine reconciles", async () => {
    const { dir, backup } = await backupThenTrade();
    expect(fs.existsSync(backup.replace(/\.sqlite$/, '.sim-broker.sqlite'))).toBe(true);
    const r = await run(['db', 'restore', backup, '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Restored the simulated broker's books from the same backup");
    const s = await start(SLOW, dir);
    const status = await settled(s);
    expect({ state: status.engineState, reason: status.reason }).toEqual({ state: 'stopped', reason: 'Stopped: press Start to allow new entries.' });
    expect(await orders(s)).toEqual([]);
  });

  it('a backup without the books: the database alone is restored (said so), and reconciliation halts naming the orders and fills it has no record of', async () => {
    const { dir, backup } = await backupThenTrade();
    fs.rmSync(backup.replace(/\.sqlite$/, '.sim-broker.sqlite')); // as a backup taken before the books were backed up
    const r = await run(['db', 'restore', backup, '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("This backup has no copy of the simulated broker's books");
    const s = await start(SLOW, dir);
    const status = await settled(s);
    expect(status.engineState).toBe('halted');
    expect(status.reason).toMatch(/the broker reports \d+ orders? and \d+ fills? of ours \(td-.*\) that this database has no record of — was it restored from an older backup\?/);
    expect(await orders(s)).toEqual([]);
  });
});
