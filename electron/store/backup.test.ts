import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupFileName, backupTimeOf, backupWorkerFile, expiredBackups, listBackups, nextBackupPath, pruneBackups, type BackupFile } from './backup.ts';

const at = (iso: string) => Date.parse(iso);
const backup = (iso: string): BackupFile => ({ file: backupFileName(at(iso)), name: backupFileName(at(iso)), at: at(iso) });
const iso = (b: BackupFile) => new Date(b.at).toISOString();

/** 60 daily backups at 09:30 UTC ending Monday 2026-12-07, plus a second one on 12-07 and 12-05. */
function sixtyDays(): BackupFile[] {
  const list: BackupFile[] = [];
  for (let d = 0; d < 60; d++) list.push(backup(new Date(at('2026-12-07T09:30:00Z') - d * 86_400_000).toISOString()));
  list.push(backup('2026-12-07T15:00:00Z'), backup('2026-12-05T15:00:00Z'));
  return list;
}

describe('backup names', () => {
  it('carry the UTC time, to the second, and are recognised back', () => {
    expect(backupFileName(at('2026-12-07T14:30:05.123Z'))).toBe('thetadesk-20261207T143005Z.sqlite');
    expect(backupTimeOf('thetadesk-20261207T143005Z.sqlite')).toBe(at('2026-12-07T14:30:05Z'));
    expect(backupTimeOf('thetadesk-20261207T143005Z-2.sqlite')).toBe(at('2026-12-07T14:30:05Z'));
    for (const other of ['thetadesk.sqlite', 'thetadesk-20261207T143005Z.sqlite.partial', 'my-copy.sqlite', 'thetadesk-20261307T143005Z.sqlite']) {
      expect(backupTimeOf(other), other).toBeNull();
    }
  });
});

describe('retention: the newest of each of the last 7 days and 4 ISO weeks', () => {
  it('keeps exactly those, and the rest expire', () => {
    const all = sixtyDays();
    const expired = new Set(expiredBackups(all, { daily: 7, weekly: 4 }));
    const kept = all.filter((b) => !expired.has(b)).map(iso).sort();
    expect(kept).toEqual([
      // weeks of Mon 11-16 and Mon 11-23: their Sundays
      '2026-11-22T09:30:00.000Z',
      '2026-11-29T09:30:00.000Z',
      // the last 7 days (the later backup of a day with two)
      '2026-12-01T09:30:00.000Z',
      '2026-12-02T09:30:00.000Z',
      '2026-12-03T09:30:00.000Z',
      '2026-12-04T09:30:00.000Z',
      '2026-12-05T15:00:00.000Z',
      '2026-12-06T09:30:00.000Z',
      '2026-12-07T15:00:00.000Z',
    ]);
    expect(expired.size).toBe(all.length - 9);
  });

  it('always keeps the newest, whatever the policy; nothing expires among few', () => {
    const all = sixtyDays();
    const expired = new Set(expiredBackups(all, { daily: 0, weekly: 0 }));
    expect(all.filter((b) => !expired.has(b)).map(iso)).toEqual(['2026-12-07T15:00:00.000Z']);
    expect(expiredBackups(all.slice(0, 3), { daily: 7, weekly: 4 })).toEqual([]);
    expect(expiredBackups([], { daily: 7, weekly: 4 })).toEqual([]);
  });

  it('prunes real files: only backups by name, never other files in the folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-retention-'));
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups);
    for (const b of sixtyDays()) {
      fs.writeFileSync(path.join(backups, b.name), 'x');
      fs.writeFileSync(path.join(backups, b.name.replace(/\.sqlite$/, '.sim-broker.sqlite')), 'x');
    }
    const others = ['my-copy.sqlite', 'thetadesk.sqlite.before-restore-20261101T000000Z', 'notes.txt'];
    for (const o of others) fs.writeFileSync(path.join(backups, o), 'keep');
    const removed = pruneBackups(dir, { daily: 7, weekly: 4 });
    expect(removed).toHaveLength(53);
    expect(listBackups(dir).map((b) => new Date(b.at).toISOString().slice(0, 10))).toEqual([
      '2026-12-07', '2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-11-29', '2026-11-22',
    ]);
    for (const o of others) expect(fs.readFileSync(path.join(backups, o), 'utf8')).toBe('keep');
    // A set goes whole: each kept backup keeps its simulated broker's books, each removed one loses them.
    const companions = fs.readdirSync(backups).filter((n) => n.endsWith('.sim-broker.sqlite')).sort();
    expect(companions).toEqual(listBackups(dir).map((b) => b.name.replace(/\.sqlite$/, '.sim-broker.sqlite')).sort());
    // A second backup within the same second gets a free name.
    expect(path.basename(nextBackupPath(dir, at('2026-12-07T15:00:00.500Z')))).toBe('thetadesk-20261207T150000Z-2.sqlite');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('backupWorkerFile', () => {
  it('is the .ts beside the module from source, the .cjs beside the bundle when bundled', () => {
    expect(backupWorkerFile()).toBe(path.join(import.meta.dirname, 'backup-worker.ts'));
    expect(fs.existsSync(backupWorkerFile())).toBe(true);
    expect(backupWorkerFile('/app/out/electron/main.cjs')).toBe(path.join('/app/out/electron', 'backup-worker.cjs'));
  });
});
