/**
 * The engine's log on disk, so it outlives the process. Every entry is one NDJSON line written by pino
 * through pino-roll into `<data>/logs/thetadesk.<yyyy-MM-dd>.<n>.log`: a new file each day and whenever
 * one reaches 20 MB, keeping the newest 14 (at most 280 MB). Files are read back from the end, a chunk
 * at a time, so the Logs page can page through the whole history without loading it.
 *
 * Durability: pino-roll's sonic-boom stream is used in this thread (not as a worker transport, which the
 * bundled Electron main process could not load) and synchronously (`sync: true`): each line is handed
 * to the OS with one write() before `write` returns, so a kill -9 loses nothing that was logged, and an
 * error or fatal needs no extra flush. No fsync per line: an OS crash or power cut can lose the last
 * moments of the log (the database, not the log, is the record of orders and trades), and a disk flush
 * per line would cost milliseconds each.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import pinoRoll, { type RollingStream } from 'pino-roll';
import { z } from 'zod';
import { LogLevelSchema, type LogEntry } from '../../../shared/api.ts';
import { makePrivate, makePrivateDir, PRIVATE_FILE_MODE } from '../../store/private.ts';

export type Rotation = {
  /** Roll when a file reaches this size (pino-roll's units: '20m', '2k'). */
  size: string;
  /** Keep this many files, the one being written included. */
  keep: number;
};

export const LOG_ROTATION: Rotation = { size: '20m', keep: 14 };

const BASE = 'thetadesk';
const FILE_NAME = /^thetadesk\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/;
const CHUNK = 64 * 1024;

/** One line as pino writes it: `{"level":"info","seq":1,"time":…,"wall":…,"session":1,"source":"engine","msg":"…"}`. */
const LineSchema = z.object({
  level: LogLevelSchema,
  seq: z.number().int(),
  time: z.number(),
  wall: z.number(),
  session: z.number().int(),
  source: z.string(),
  msg: z.string(),
});

export class LogFile {
  readonly dir: string;
  readonly rotation: Rotation;
  /** The last line on disk when the file was opened (the previous run's last words), if any. */
  readonly previous: LogEntry | null;
  readonly #stream: RollingStream;
  readonly #logger: pino.Logger;
  #failure: Error | null = null;
  #closed = false;

  private constructor(dir: string, rotation: Rotation, previous: LogEntry | null, stream: RollingStream) {
    this.dir = dir;
    this.rotation = rotation;
    this.previous = previous;
    this.#stream = stream;
    // Rotation or write errors arrive here (sonic-boom would throw them without a listener).
    stream.on('error', (error: Error) => {
      this.#failure ??= error;
    });
    this.#logger = pino(
      {
        level: 'debug',
        base: null,
        // The entry carries its own times (engine and wall clock), read from the injected clocks.
        timestamp: false,
        formatters: { level: (label) => ({ level: label }) },
      },
      stream,
    );
  }

  /**
   * Opens (creating) the log folder: repairs a line a killed process left half-written, finds the last
   * seq, starts the rolling stream and drops files beyond the limit. Throws if the folder is unusable.
   */
  static async open(dir: string, rotation: Rotation = LOG_ROTATION): Promise<LogFile> {
    // Owner-only (store/private.ts): the log is the trading record in words.
    makePrivateDir(dir);
    makePrivate(...logFiles(dir));
    let previous: LogEntry | null = null;
    for (const file of logFiles(dir)) {
      endWithNewline(file);
      const last = await lastEntryOf(file);
      if (last && (!previous || last.seq > previous.seq)) previous = last;
    }
    const stream = await pinoRoll({
      file: path.join(dir, BASE),
      extension: 'log',
      dateFormat: 'yyyy-MM-dd',
      size: rotation.size,
      frequency: 'daily',
      limit: { count: rotation.keep, removeOtherLogFiles: true },
      sync: true,
      mkdir: true,
      mode: PRIVATE_FILE_MODE,
    });
    // pino-roll prunes only when it rolls; a run that never rolls (open in the morning, closed at night) prunes here.
    for (const file of logFiles(dir).slice(rotation.keep)) {
      if (file === stream.file) continue;
      try {
        unlinkSync(file);
      } catch {
        // Already gone, or locked by another program: the next roll tries again.
      }
    }
    return new LogFile(dir, rotation, previous, stream);
  }

  /** Why the file stopped being written (a full disk, a removed folder), or null while it works. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Appends one entry; never throws (a failure stops the file and is reported through `failure`). */
  write(entry: LogEntry): void {
    if (this.#closed || this.#failure) return;
    try {
      this.#logger[entry.level]({ seq: entry.seq, time: entry.time, wall: entry.wall, session: entry.session, source: entry.source }, entry.message);
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Up to `limit` entries with seq below `before` that `pick` keeps (it may also rewrite them), newest
   * files first and each file from its end; returned oldest first. Unreadable lines are skipped.
   */
  async read(before: number, limit: number, pick: (entry: LogEntry) => LogEntry | null): Promise<LogEntry[]> {
    const found: LogEntry[] = [];
    for (const file of logFiles(this.dir)) {
      // Seqs only grow within a file: one that starts at or after `before` has nothing for us.
      const first = await firstEntryOf(file);
      if (first && first.seq >= before) continue;
      for await (const line of linesFromEnd(file)) {
        const entry = parseLine(line);
        if (!entry || entry.seq >= before) continue;
        const kept = pick(entry);
        if (!kept) continue;
        found.push(kept);
        if (found.length >= limit) return found.reverse();
      }
    }
    return found.reverse();
  }

  /** Stops writing and closes the file (later writes are ignored). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const stream = this.#stream;
    if (stream.destroyed) return;
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
      stream.end();
    });
  }
}

/**
 * Opens the log folder of a data folder (`<data>/logs`). When it cannot be used the app still runs,
 * with its log in memory only, and `problem` says so for the log itself.
 */
export async function openLogFolder(dataDir: string, rotation: Rotation = LOG_ROTATION): Promise<{ file: LogFile | null; problem: string | null }> {
  const dir = path.join(dataDir, 'logs');
  try {
    return { file: await LogFile.open(dir, rotation), problem: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { file: null, problem: `The log cannot be written to ${dir} (${reason}): this run's log is kept in memory only and is lost when the app stops. Check the folder's permissions and free disk space, then restart.` };
  }
}

/** The log files in `dir`, newest first: by the date in the name, then pino-roll's number. */
export function logFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const m = FILE_NAME.exec(name);
      return m ? [{ name, date: m[1]!, n: Number(m[2]) }] : [];
    })
    .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : b.n - a.n))
    .map((f) => path.join(dir, f.name));
}

function parseLine(line: string): LogEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null; // half a line from a killed process, or garbage
  }
  const parsed = LineSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { msg, ...rest } = parsed.data;
  return { ...rest, message: msg };
}

/** A process killed mid-line leaves no newline: end that line, so the next run's first line stands alone. */
function endWithNewline(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n', size);
  } finally {
    closeSync(fd);
  }
}

async function lastEntryOf(file: string): Promise<LogEntry | null> {
  for await (const line of linesFromEnd(file)) {
    const entry = parseLine(line);
    if (entry) return entry;
  }
  return null;
}

/** The first line of a file, if it is whole and readable within the first chunk. */
async function firstEntryOf(file: string): Promise<LogEntry | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(CHUNK);
    const { bytesRead } = await handle.read(buf, 0, CHUNK, 0);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    return nl < 0 ? null : parseLine(buf.toString('utf8', 0, nl));
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a file from the last to the first, reading 64 KB chunks backwards (memory stays at about
 * one chunk). Splitting bytes at '\n' is safe in UTF-8. A file removed meanwhile (rotated away) has none.
 */
async function* linesFromEnd(file: string): AsyncGenerator<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    let pos = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      const { bytesRead } = await handle.read(chunk, 0, len, pos);
      const data = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
      let end = data.length;
      let nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1;
      while (nl >= 0) {
        if (end > nl + 1) yield data.toString('utf8', nl + 1, end);
        end = nl;
        nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1;
      }
      carry = data.subarray(0, end);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}
