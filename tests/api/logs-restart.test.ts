/**
 * The log outlives the process: the headless server logs, is killed with SIGKILL, starts again on the
 * same data folder, and `logs.list` (over HTTP, with the token) still returns what the first run wrote.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../shared/api.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'td-logs-restart-'));
const servers: Headless[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const TRADIER_TOKEN = 'tradier-SECRET-token-5678';
const logDir = path.join(dataDir, 'logs');
const onDisk = () => readdirSync(logDir).map((f) => readFileSync(path.join(logDir, f), 'utf8')).join('');

function kill9(server: Headless): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    server.child.once('exit', (_code, signal) => resolve(signal));
    server.child.kill('SIGKILL');
  });
}

describe('the log across a kill -9 and a restart', () => {
  it('lists the first run\'s lines after the second start, numbered on, with filters and paging', { timeout: 60_000 }, async () => {
    const startedAt = Date.now();
    const first = await startHeadless({ dataDir, env: { THETADESK_TRADIER_TOKEN: TRADIER_TOKEN } });
    servers.push(first);
    await rpc(first, 'engine.start', {});
    await rpc(first, 'engine.stop', {});
    const before = await rpc<LogEntry[]>(first, 'logs.list', { limit: 5_000 });
    const lastOfFirst = before.at(-1)!;
    expect(lastOfFirst.message).toBe('Stop: no new entries; open positions stay open.');
    const stoppedAt = Date.now();

    // No clean shutdown: whatever the first run logged must already be on disk.
    expect(await kill9(first)).toBe('SIGKILL');
    expect(onDisk()).toContain('"msg":"Stop: no new entries; open positions stay open."');
    // Secrets (the API token, a registered broker token) never reach the files.
    expect(onDisk()).not.toContain(first.token);
    expect(onDisk()).not.toContain(TRADIER_TOKEN);
    // And a line the kill cut in half (simulated: SIGKILL cannot be aimed inside a write) does not stop the next run.
    const newest = readdirSync(logDir).sort().at(-1)!;
    appendFileSync(path.join(logDir, newest), '{"level":"info","seq":');

    const second = await startHeadless({ dataDir });
    servers.push(second);
    const all = await rpc<LogEntry[]>(second, 'logs.list', { limit: 5_000 });
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Every line of the first run, as it was listed before the kill…
    expect(all.slice(0, before.length)).toEqual(before);
    // …then the second run, numbered on after it, as a new session that points back at the first.
    const firstOfSecond = all[before.length]!;
    expect(firstOfSecond.seq).toBe(lastOfFirst.seq + 1);
    expect(firstOfSecond.session).toBe(firstOfSecond.seq);
    expect(all.slice(before.length).every((e) => e.session === firstOfSecond.seq)).toBe(true);
    expect(all.map((e) => e.message)).toContainEqual(expect.stringContaining(`the previous run's last line was #${lastOfFirst.seq}, written `));
    // Each line has the wall-clock time it was written (the engine's time is the simulated market's).
    for (const e of before) expect(e.wall >= startedAt && e.wall <= stoppedAt).toBe(true);

    // Filters and paging reach back into the first run.
    const starts = await rpc<LogEntry[]>(second, 'logs.list', { text: 'start: NEW entries', limit: 10 });
    expect(starts.map((e) => [e.message, e.session])).toEqual([['Start: new entries allowed.', before[0]!.session]]);
    const older = await rpc<LogEntry[]>(second, 'logs.list', { limit: 2, beforeSeq: firstOfSecond.seq });
    expect(older).toEqual(before.slice(-2));
    const engineOnly = await rpc<LogEntry[]>(second, 'logs.list', { source: 'engine', level: 'info', limit: 5_000 });
    expect(engineOnly.length).toBeGreaterThan(0);
    expect(engineOnly.every((e) => e.source === 'engine' && e.level !== 'debug')).toBe(true);
    await expect(rpc(second, 'logs.list', { beforeSeq: -1 })).rejects.toThrow(/Invalid input for logs\.list/);
  });
});
