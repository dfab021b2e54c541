/**
 * kill -9 in the middle of writing loses nothing that was committed, and the database opens
 * cleanly afterwards — repeatedly, on the same file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/store/store.ts';
import { rng } from './chain-gen.ts';
import { tempDir } from './fixtures.ts';

const CHILD = path.join(import.meta.dirname, 'crash-child.ts');
const ROUNDS = 12;
const dir = tempDir('td-crash-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the writer, SIGKILLs it `killAfterMs` after it is ready; resolves with the ids it reported as committed. */
function runAndKill(round: number, killAfterMs: number): Promise<{ trades: number[]; snapshots: number[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const trades: number[] = [];
    const snapshots: number[] = [];
    let buf = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('trade ')) trades.push(Number(line.slice(6)));
        else if (line.startsWith('snapshot ')) snapshots.push(Number(line.slice(9)));
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${signal ?? _code}): ${err}`));
      else resolve({ trades, snapshots, signal });
    });
  });
}

describe('crash safety', () => {
  it(`keeps every committed transaction through ${ROUNDS} kill -9s mid-write, and reopens cleanly`, { timeout: 120_000 }, async () => {
    const rand = rng(20260120);
    const committedTrades: number[] = [];
    const committedSnapshots: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await runAndKill(round, 150 + Math.floor(rand() * 600));
      committedTrades.push(...r.trades);
      committedSnapshots.push(...r.snapshots);

      // Reopen like the app does (quick_check at open), then check everything reported is there.
      const store = openStore({ dataDir: dir });
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        const have = new Set((store.db.prepare('SELECT trade_id FROM trades').all() as { trade_id: number }[]).map((x) => x.trade_id));
        const missing = committedTrades.filter((id) => !have.has(id));
        expect(missing).toEqual([]);
        // Each committed trade has its leg update and its fill (same transaction).
        const partial = store.db.prepare(`SELECT count(*) AS n FROM trades t WHERE NOT EXISTS (SELECT 1 FROM fills f WHERE f.trade_id = t.trade_id)`).get() as { n: number };
        expect(partial.n).toBe(0);
        for (const id of committedSnapshots.slice(-3)) expect(store.snapshots.get(id)!.contracts).toHaveLength(2400);
        const snaps = new Set((store.db.prepare('SELECT snapshot_id FROM chain_snapshots').all() as { snapshot_id: number }[]).map((x) => x.snapshot_id));
        expect(committedSnapshots.filter((id) => !snaps.has(id))).toEqual([]);
      } finally {
        store.close();
      }
    }
    // The writer really was interrupted mid-stream many times with work committed each round.
    expect(committedTrades.length).toBeGreaterThan(ROUNDS * 5);
    expect(committedSnapshots.length).toBeGreaterThan(ROUNDS);
  });
});
