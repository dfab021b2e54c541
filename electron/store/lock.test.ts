import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.ts';
import { lockDataFolder, readLockHolder, type DataFolderLock } from './lock.ts';
import { LOCK_HOLDER_FILE_NAME } from './paths.ts';

const held: DataFolderLock[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const l of held.splice(0)) l.release();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'td-lock-'));
  dirs.push(d);
  return d;
}

function refusal(dir: string): StoreError {
  try {
    held.push(lockDataFolder(dir, 'second'));
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('the second lock was granted');
}

describe('lockDataFolder', () => {
  it('refuses a second holder — even in the same process — naming the first, until it is released', () => {
    const dir = temp();
    const first = lockDataFolder(dir, 'headless server', { now: () => Date.UTC(2026, 11, 7, 14, 30) });
    held.push(first);
    expect(readLockHolder(dir)).toEqual({ pid: process.pid, command: 'headless server', startedAt: Date.UTC(2026, 11, 7, 14, 30), host: os.hostname() });
    const e = refusal(dir);
    expect(e.kind).toBe('locked');
    expect(e.message).toBe(
      `The data folder ${dir} is in use by another Thetadesk (PID ${process.pid}, headless server started 2026-12-07 14:30 UTC): ` +
        'stop it or choose another --data-dir (or THETADESK_DATA_DIR). Two engines on one folder would trade twice.',
    );
    first.release();
    expect(first.held).toBe(false);
    expect(fs.existsSync(path.join(dir, LOCK_HOLDER_FILE_NAME))).toBe(false);
    const again = lockDataFolder(dir, 'desktop app');
    held.push(again);
    expect(readLockHolder(dir)?.command).toBe('desktop app');
  });

  it('creates a missing data folder, and says so when it cannot', () => {
    const dir = path.join(temp(), 'a', 'b');
    held.push(lockDataFolder(dir, 'test'));
    expect(fs.existsSync(dir)).toBe(true);
    const file = path.join(temp(), 'plain-file');
    fs.writeFileSync(file, 'x');
    expect(() => lockDataFolder(path.join(file, 'sub'), 'test')).toThrow(/Cannot create the data folder/);
  });

  it('a stale holder file (the holder was killed) does not block, and is replaced', () => {
    const dir = temp();
    fs.writeFileSync(path.join(dir, LOCK_HOLDER_FILE_NAME), JSON.stringify({ pid: 999_999_999, command: 'headless server', startedAt: 1, host: os.hostname() }));
    held.push(lockDataFolder(dir, 'desktop app'));
    expect(readLockHolder(dir)?.pid).toBe(process.pid);
  });

  it('a lock file that is not what Thetadesk wrote: a clear error, the file kept', () => {
    const dir = temp();
    fs.writeFileSync(path.join(dir, 'thetadesk.lock'), 'not a lock '.repeat(100));
    expect(() => lockDataFolder(dir, 'test')).toThrow(/holds something Thetadesk did not write there.*delete it/);
    expect(fs.readFileSync(path.join(dir, 'thetadesk.lock'), 'utf8')).toBe('not a lock '.repeat(100));
  });
});
