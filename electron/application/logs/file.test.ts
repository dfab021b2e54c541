import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../shared/api.ts';
import { LOG_ROTATION, LogFile, logFiles } from './file.ts';

const T0 = Date.UTC(2026, 2, 2, 15, 0);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempLogDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'td-logs-'));
  dirs.push(d);
  return path.join(d, 'logs');
}

function entry(seq: number, over: Partial<LogEntry> = {}): LogEntry {
  return { seq, time: T0 + seq * 1000, wall: T0 + seq * 10, session: 1, level: 'info', source: 'engine', message: `line ${seq}`, ...over };
}

const all = (e: LogEntry) => e;
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LogFile', () => {
  it('writes one NDJSON line per entry with seq, engine time, wall time, session, level, source and message, as given', async () => {
    const dir = tempLogDir();
    const log = await LogFile.open(dir);
    log.write(entry(1, { level: 'warn', source: 'broker:ibkr', message: 'fill 100% at %s "quoted" ✓' }));
    // Written before write() returned: the file already holds it (what a kill -9 right now would leave).
    const [file] = logFiles(dir);
    expect(path.basename(file!)).toMatch(/^thetadesk\.\d{4}-\d{2}-\d{2}\.1\.log$/);
    expect(lines(file!).map((l) => JSON.parse(l) as unknown)).toEqual([
      { level: 'warn', seq: 1, time: T0 + 1000, wall: T0 + 10, session: 1, source: 'broker:ibkr', msg: 'fill 100% at %s "quoted" ✓' },
    ]);
    await log.close();
    log.write(entry(2)); // after close: ignored, no throw
    expect(lines(file!)).toHaveLength(1);
  });

  it('reads back from the end across files, below a seq, and reports the previous run\'s last line on reopen', async () => {
    const dir = tempLogDir();
    const first = await LogFile.open(dir);
    expect(first.previous).toBeNull();
    for (let i = 1; i <= 300; i++) first.write(entry(i, { level: i % 10 === 0 ? 'error' : 'info' }));
    await first.close();

    const second = await LogFile.open(dir);
    expect(second.previous).toMatchObject({ seq: 300, message: 'line 300' });
    expect((await second.read(Infinity, 5, all)).map((e) => e.seq)).toEqual([296, 297, 298, 299, 300]);
    expect((await second.read(101, 3, all)).map((e) => e.seq)).toEqual([98, 99, 100]);
    expect((await second.read(4, 10, all)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await second.read(250, 3, (e) => (e.level === 'error' ? e : null))).map((e) => e.seq)).toEqual([220, 230, 240]);
    await second.close();
  });

  it('reads lines longer than its read chunk, and multi-byte characters cut by a chunk boundary', async () => {
    const dir = tempLogDir();
    const log = await LogFile.open(dir);
    const long = 'é'.repeat(50_000) + ' stack trace ' + '€'.repeat(30_000); // ≈190 KB, three chunks
    log.write(entry(1));
    log.write(entry(2, { message: long }));
    for (let i = 3; i <= 2_000; i++) log.write(entry(i, { message: `line ${i} ${'ß'.repeat(i % 97)}` }));
    const back = await log.read(Infinity, 2_000, all);
    expect(back.map((e) => e.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(back[1]!.message).toBe(long);
    expect(back[1_999]!.message).toBe(`line 2000 ${'ß'.repeat(2000 % 97)}`);
    await log.close();
  });

  it('skips a half-written last line (kill -9 mid-write) and the next run\'s lines stay whole', async () => {
    const dir = tempLogDir();
    const first = await LogFile.open(dir);
    for (let i = 1; i <= 3; i++) first.write(entry(i));
    await first.close();
    const [file] = logFiles(dir);
    appendFileSync(file!, '{"level":"info","seq":4,"time":17725'); // no newline: the process died here
    appendFileSync(path.join(dir, 'not-a-log.txt'), 'ignored');

    const second = await LogFile.open(dir);
    expect(second.previous?.seq).toBe(3);
    second.write(entry(4, { session: 4, message: 'after the crash' }));
    expect((await second.read(Infinity, 10, all)).map((e) => [e.seq, e.message])).toEqual([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
      [4, 'after the crash'],
    ]);
    // Garbage in the middle of a file is skipped too, not fatal.
    await second.close();
    appendFileSync(file!, 'not json\n{"level":"info"}\n\n');
    const third = await LogFile.open(dir);
    expect(third.previous?.seq).toBe(4);
    expect(await third.read(Infinity, 10, all)).toHaveLength(4);
    await third.close();
  });

  it('rolls to a new file at the size limit and deletes the oldest beyond the kept count', async () => {
    const dir = tempLogDir();
    const log = await LogFile.open(dir, { size: '2k', keep: 3 });
    let seq = 0;
    // pino-roll rolls between turns of the event loop (after the write that crossed the size): write in bursts.
    for (let burst = 0; burst < 30; burst++) {
      for (let i = 0; i < 15; i++) log.write(entry(++seq));
      await nextTurn();
    }
    await until(() => logFiles(dir).length === 3, 'the oldest files to be deleted');
    const files = logFiles(dir);
    // Many rolls happened (file numbers far past 3); only the newest three remain.
    const numbers = files.map((f) => Number(/\.(\d+)\.log$/.exec(f)![1]));
    expect(numbers[0]).toBeGreaterThan(5);
    expect(numbers).toEqual([numbers[0], numbers[0]! - 1, numbers[0]! - 2]);
    // The newest lines survive, the oldest are gone, and every kept line reads back in order.
    const back = await log.read(Infinity, 10_000, all);
    expect(back.at(-1)!.seq).toBe(seq);
    expect(back[0]!.seq).toBeGreaterThan(1);
    expect(back.map((e) => e.seq)).toEqual(Array.from({ length: back.length }, (_, i) => back[0]!.seq + i));
    expect(lines(files[1]!).length).toBeGreaterThanOrEqual(10); // a full file is about 2 KB of lines
    expect(log.failure).toBeNull();
    await log.close();
  });

  it('keeps at most the newest files on open, even when no run ever rolled (one file per day of use)', async () => {
    const dir = tempLogDir();
    mkdirSync(dir, { recursive: true });
    for (let day = 1; day <= 20; day++) writeFileSync(path.join(dir, `thetadesk.2025-01-${String(day).padStart(2, '0')}.1.log`), `${JSON.stringify({ level: 'info', seq: day, time: day, wall: day, session: day, source: 'engine', msg: `day ${day}` })}\n`);
    const log = await LogFile.open(dir);
    const kept = logFiles(dir);
    expect(kept).toHaveLength(LOG_ROTATION.keep);
    expect(kept.at(-1)).toContain('thetadesk.2025-01-08.1.log'); // today's new file + Jan 8…20
    expect(existsSync(path.join(dir, 'thetadesk.2025-01-07.1.log'))).toBe(false);
    expect(log.previous?.seq).toBe(20);
    await log.close();
  });

  it.runIf(existsSync('/dev/full'))('stops writing on a write error and says so, without throwing', async () => {
    const dir = tempLogDir();
    mkdirSync(dir, { recursive: true });
    // Today's file name, pointing at /dev/full: every write fails with ENOSPC, like a full disk.
    const d = new Date();
    const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    symlinkSync('/dev/full', path.join(dir, `thetadesk.${today}.1.log`));
    const log = await LogFile.open(dir);
    expect(() => log.write(entry(1))).not.toThrow();
    expect(log.failure?.message).toMatch(/ENOSPC/);
    expect(() => log.write(entry(2))).not.toThrow();
    await log.close();
  });
});
