import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFile, logFiles } from './file.ts';
import { LogHub } from './hub.ts';

const MARKET = Date.UTC(2026, 2, 2, 15, 0);
const WALL = Date.UTC(2026, 5, 10, 12, 0);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempLogDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'td-loghub-'));
  dirs.push(d);
  return path.join(d, 'logs');
}

const onDisk = (dir: string) => logFiles(dir).map((f) => readFileSync(f, 'utf8')).join('');

/** One run of the app: a hub on the log folder, with a market clock and a wall clock. */
async function run(dir: string, market = MARKET, wall = WALL): Promise<LogHub> {
  return new LogHub(() => market, { wall: () => wall, file: await LogFile.open(dir) });
}

describe('LogHub with its log file', () => {
  it('never writes a registered secret to the file, the lines it keeps or what it reads back', async () => {
    const dir = tempLogDir();
    const hub = await run(dir);
    const log = hub.logger('tradier');
    log.info('token not known yet: tok-SECRET-1234');
    hub.addSecret('tok-SECRET-1234');
    hub.addSecret('U9876543');
    log.error('401 from Tradier for token tok-SECRET-1234 and account U9876543');
    const text = onDisk(dir);
    expect(text).toContain('401 from Tradier for token to*** and account U9***');
    // Only the line from before the token was registered has it on disk…
    expect(text.split('tok-SECRET-1234')).toHaveLength(2);
    expect(text).not.toContain('U9876543');
    await hub.close();
    // …and a later run that knows the secret does not show it either.
    const next = await run(dir);
    next.addSecret('tok-SECRET-1234');
    const back = await next.query({ limit: 100 });
    expect(JSON.stringify(back)).not.toContain('tok-SECRET-1234');
    expect(back.map((e) => e.message)).toContain('token not known yet: to***');
    await next.close();
  });

  it('masks account numbers and bearer tokens nobody registered, as the broker adapters do', async () => {
    const dir = tempLogDir();
    const hub = await run(dir);
    hub.logger('rpc').error('orders.list failed: fetch https://api.tradier.com/v1/accounts/VA12345678/orders with Authorization: Bearer Zx9.unregistered-token for DU7654321');
    await hub.close();
    const text = onDisk(dir);
    expect(text).toContain('accounts/…5678/orders with Authorization: Bearer … for …4321');
    for (const secret of ['VA12345678', 'Zx9.unregistered-token', 'DU7654321']) expect(text).not.toContain(secret);
  });

  it('numbers lines on after the last one on disk, marks each run, and pages back across restarts with filters', async () => {
    const dir = tempLogDir();
    const first = await run(dir, MARKET, WALL);
    expect(first.session).toBe(1);
    for (let i = 1; i <= 40; i++) first.logger(i % 2 ? 'engine' : 'broker:ibkr')[i % 5 === 0 ? 'warn' : 'info'](`first run ${i}`);
    await first.close();
    // Killed without close: the lines are on disk anyway (written synchronously).
    const second = await run(dir, MARKET + 60_000, WALL + 3_600_000);
    expect(second.session).toBe(41);
    for (let i = 1; i <= 10; i++) second.logger('engine').info(`second run ${i}`);

    const latest = await second.query({ limit: 15 });
    expect(latest.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => 36 + i));
    expect(latest[0]).toMatchObject({ seq: 36, session: 1, message: 'first run 36', time: MARKET, wall: WALL });
    expect(latest.at(-1)).toMatchObject({ seq: 50, session: 41, message: 'second run 10', time: MARKET + 60_000, wall: WALL + 3_600_000 });

    // Paging back by the oldest seq held: every line exactly once.
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await second.query({ limit: 7, ...(before ? { beforeSeq: before } : {}) });
      if (page.length === 0) break;
      seen.unshift(...page.map((e) => e.seq));
      before = page[0]!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    // Filters apply to both runs: level (and above), source, text (any case).
    expect((await second.query({ limit: 100, level: 'warn' })).map((e) => e.seq)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect((await second.query({ limit: 3, source: 'broker:ibkr' })).map((e) => e.message)).toEqual(['first run 36', 'first run 38', 'first run 40']);
    expect((await second.query({ limit: 100, text: 'RUN 1' })).map((e) => e.message)).toEqual(['first run 1', ...Array.from({ length: 10 }, (_, i) => `first run ${10 + i}`), 'second run 1', 'second run 10']);
    expect(await second.query({ limit: 100, text: 'first run', beforeSeq: 3, level: 'info' })).toHaveLength(2);
    await second.close();
  });

  it('reads lines that left the in-memory ring from the file, without duplicates at the seam', async () => {
    const dir = tempLogDir();
    const hub = await run(dir);
    for (let i = 1; i <= 6_000; i++) hub.write('info', 'engine', `line ${i}`);
    expect(hub.list(10_000)).toHaveLength(5_000);
    const all = await hub.query({ limit: 5_000, beforeSeq: 5_101 });
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 5_000 }, (_, i) => 101 + i));
    // The ring starts at 1,001: two lines from memory, two from the file.
    const seam = await hub.query({ limit: 4, beforeSeq: 1_003 });
    expect(seam.map((e) => e.seq)).toEqual([999, 1_000, 1_001, 1_002]);
    await hub.close();
  });

  it.runIf(existsSync('/dev/full'))('keeps logging in memory and says what to do when the file cannot be written', async () => {
    const dir = tempLogDir();
    mkdirSync(dir, { recursive: true });
    const d = new Date();
    const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    symlinkSync('/dev/full', path.join(dir, `thetadesk.${today}.1.log`));
    const hub = await run(dir);
    const seen: string[] = [];
    hub.subscribe((e) => seen.push(`${e.level} ${e.message}`));
    hub.logger('engine').info('first line');
    hub.logger('engine').info('second line');
    expect(seen[0]).toBe('info first line');
    expect(seen[1]).toMatch(/^error The log file in .* could not be written \(.*ENOSPC.*\); the rest of this run is logged in memory only\. Check the free disk space/);
    expect(seen[2]).toBe('info second line');
    expect((await hub.query({ limit: 10 })).map((e) => e.message)).toEqual(['first line', expect.stringMatching(/could not be written/), 'second line']);
    await hub.close();
  });
});
