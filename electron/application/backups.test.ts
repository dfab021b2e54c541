import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFileName, listBackups } from '../store/backup.ts';
import { inspectDatabaseFile } from '../store/check.ts';
import { VirtualClock } from '../engine/clock.ts';
import { openWorkstation, type Workstation } from './workstation.ts';

const t0 = Date.UTC(2026, 11, 7, 14, 30); // Monday
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const open: Workstation[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const ws of open.splice(0)) await ws.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function start(opts: { dataDir?: string; clock?: VirtualClock } = {}): { ws: Workstation; clock: VirtualClock; dataDir: string } {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'td-backups-'));
  dirs.push(dataDir);
  const clock = opts.clock ?? new VirtualClock(t0);
  const ws = openWorkstation({ clock, dataDir });
  open.push(ws);
  return { ws, clock, dataDir };
}

/** Moves the wall clock and waits for the backup it starts (and the re-arming after it). */
async function advance(ws: Workstation, clock: VirtualClock, to: number): Promise<void> {
  clock.advanceTo(to);
  await ws.backups!.idle();
  for (let i = 0; i < 100 && ws.backups!.nextAt === null; i++) await new Promise((r) => setImmediate(r));
}

const backupLogs = (ws: Workstation) => ws.logs.list(200).filter((l) => l.source === 'backup');

describe('scheduled backups', () => {
  it('the first a minute after start-up when none exists, then one a day, each a sound copy', async () => {
    const { ws, clock, dataDir } = start();
    expect(ws.backups!.nextAt).toBe(t0 + MINUTE);
    await advance(ws, clock, t0 + MINUTE - 1);
    expect(listBackups(dataDir)).toEqual([]);

    await advance(ws, clock, t0 + MINUTE);
    const first = listBackups(dataDir);
    expect(first.map((b) => b.name)).toEqual([backupFileName(t0 + MINUTE)]);
    expect(inspectDatabaseFile(first[0]!.file)).toMatchObject({ ok: true, integrity: ['ok'] });
    expect(backupLogs(ws).at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/^Database backed up to .*thetadesk-20261207T143100Z\.sqlite .*integrity ok/) });
    expect(ws.backups!.nextAt).toBe(t0 + MINUTE + DAY);

    await advance(ws, clock, t0 + MINUTE + DAY);
    expect(listBackups(dataDir).map((b) => b.name)).toEqual([backupFileName(t0 + MINUTE + DAY), backupFileName(t0 + MINUTE)]);
  });

  it('after a restart the next one is due a day after the newest, or a minute after start-up if that is later', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-backups-'));
    fs.mkdirSync(path.join(dataDir, 'backups'));
    fs.writeFileSync(path.join(dataDir, 'backups', backupFileName(t0 - HOUR)), 'x');
    const recent = start({ dataDir });
    expect(recent.ws.backups!.nextAt).toBe(t0 - HOUR + DAY);
    await recent.ws.close();
    fs.renameSync(path.join(dataDir, 'backups', backupFileName(t0 - HOUR)), path.join(dataDir, 'backups', backupFileName(t0 - 2 * DAY)));
    const stale = start({ dataDir });
    expect(stale.ws.backups!.nextAt).toBe(t0 + MINUTE);
  });

  it('applies retention after each backup', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-backups-'));
    fs.mkdirSync(path.join(dataDir, 'backups'));
    // 30 daily backups, the newest 25 hours before start-up, so one is due a minute after it.
    for (let d = 0; d < 30; d++) fs.writeFileSync(path.join(dataDir, 'backups', backupFileName(t0 - 25 * HOUR - d * DAY)), 'x');
    const { ws, clock } = start({ dataDir });
    await advance(ws, clock, t0 + MINUTE);
    const kept = listBackups(dataDir).map((b) => new Date(b.at).toISOString().slice(0, 10));
    // The last 7 days (the new one and 6 before it), and the newest of the 2 older of the last 4 ISO weeks.
    expect(kept).toEqual(['2026-12-07', '2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-11-29', '2026-11-22']);
    expect(backupLogs(ws).at(-1)!.message).toMatch(/removed 22 old backup\(s\)/);
  });

  it('a failed backup is a warning and a retry an hour later; the engine carries on', async () => {
    const { ws, clock, dataDir } = start();
    fs.writeFileSync(path.join(dataDir, 'backups'), 'a file where the backups folder should be');
    await advance(ws, clock, t0 + MINUTE);
    expect(backupLogs(ws).at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/^Database backup failed: .*Trading is not affected; the next attempt is in 60 minutes/) });
    expect(ws.backups!.nextAt).toBe(t0 + MINUTE + HOUR);
    expect((await ws.start()).engineState).toBe('running');
    fs.rmSync(path.join(dataDir, 'backups'));
    await advance(ws, clock, t0 + MINUTE + HOUR);
    expect(listBackups(dataDir)).toHaveLength(1);
  });

  it('shutting down during a backup stops it and leaves no partial copy', async () => {
    const { ws, dataDir } = start();
    const running = ws.backups!.runNow();
    await ws.close();
    await running;
    const leftovers = fs.existsSync(path.join(dataDir, 'backups')) ? fs.readdirSync(path.join(dataDir, 'backups')).filter((n) => !/^thetadesk-\d{8}T\d{6}Z\.sqlite$/.test(n)) : [];
    expect(leftovers).toEqual([]);
    expect(ws.backups!.nextAt).toBeNull();
  });
});
