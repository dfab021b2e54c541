/**
 * The data folder is private to its owner on POSIX: the folder and every folder in it 0700, every file
 * 0600 — database (with its -wal/-shm), lock, logs, backups (with the simulated broker's books taken
 * with them), the simulated broker's books and the Backtests page's runs — whether Thetadesk creates the folder or finds one an
 * older version left world-readable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApplication } from '../../electron/application/build.ts';
import type { Workstation } from '../../electron/application/workstation.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';

const SIM = { THETADESK_SIM_START: '2026-01-05', THETADESK_SIM_SPEED: '1' };
const open: Workstation[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const ws of open.splice(0)) await ws.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Every folder and file under `root` (itself included) with its permission bits, as `path: 0ooo`. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = fs.statSync(p);
    out[path.relative(root, p) || '.'] = (st.mode & 0o777).toString(8).padStart(3, '0');
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return out;
}

async function run(dataDir: string, o: { backtest?: boolean } = {}): Promise<Workstation> {
  const ws = await buildApplication({ dataDir, holder: 'permissions test', env: SIM, clock: new VirtualClock(Date.UTC(2026, 0, 5, 15)), backups: { firstAfterMs: 3_600_000 } });
  open.push(ws);
  ws.logs.logger('test').info('a line in the log file');
  const backup = await ws.backups!.runNow();
  expect(backup.ok, JSON.stringify(backup)).toBe(true);
  if (o.backtest) {
    // A backtest from the Backtests page: its folder under backtests/ with run.json, result.json and its database.
    const { runId } = ws.backtests.start({ strategyId: 'credit-verticals', from: '2026-11-23', to: '2026-11-24', seed: 1 });
    await expect.poll(() => ws.backtests.get(runId).status, { timeout: 60_000 }).toBe('done');
  }
  return ws;
}

function expectPrivate(dataDir: string): Record<string, string> {
  const found = modes(dataDir);
  const wrong = Object.entries(found).filter(([p, m]) => m !== (fs.statSync(path.join(dataDir, p)).isDirectory() ? '700' : '600'));
  expect(wrong, `not owner-only: ${JSON.stringify(found)}`).toEqual([]);
  return found;
}

describe.skipIf(process.platform === 'win32')('the data folder is private to its owner', () => {
  it('creates the folder 0700 and every file 0600: database, WAL/SHM, lock, logs, backups, the simulated broker’s books', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'td-perm-'));
    dirs.push(parent);
    const dataDir = path.join(parent, 'Thetadesk');
    await run(dataDir, { backtest: true });
    const found = expectPrivate(dataDir);
    // What is there while the engine runs (so the WAL and SHM files are checked too).
    for (const name of ['thetadesk.sqlite', 'thetadesk.sqlite-wal', 'thetadesk.sqlite-shm', 'thetadesk.lock', 'thetadesk.lock.json', 'sim-broker.sqlite', 'sim-broker.sqlite-wal', 'logs', 'backups', 'backtests']) {
      expect(found, name).toHaveProperty([name]);
    }
    expect(Object.keys(found).filter((p) => p.startsWith('logs/') && p.endsWith('.log')).length).toBeGreaterThan(0);
    expect(Object.keys(found).filter((p) => p.startsWith('backups/') && p.endsWith('.sqlite')).length).toBeGreaterThan(0);
    expect(Object.keys(found).filter((p) => /^backtests\/[^/]+\/(run|result)\.json$/.test(p)).length).toBe(2);
  });

  it('tightens a folder an older version left world-readable (0755 folders, 0644 files) at the next start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-perm-'));
    dirs.push(dataDir);
    await (await run(dataDir, { backtest: true })).close();
    expect(Object.keys(modes(dataDir)).filter((p) => p.startsWith('backtests/')).length).toBeGreaterThan(2);
    for (const [p] of Object.entries(modes(dataDir))) {
      const full = path.join(dataDir, p);
      fs.chmodSync(full, fs.statSync(full).isDirectory() ? 0o755 : 0o644);
    }
    await run(dataDir);
    expectPrivate(dataDir);
  });
});
