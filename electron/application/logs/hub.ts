/**
 * One logger per subsystem (`createLogger('ib')`), a ring buffer of recent lines, listeners for the event
 * stream, the log file that outlives the process (log-file.ts), and redaction: registered secrets
 * (tokens, account numbers) never leave as written — not to the file, the UI or the console.
 */
import type { LogEntry } from '../../../shared/api.ts';
import type { Logger } from '../../engine/ports.ts';
import { matchesLogFilter, type LogFilter } from '../../../shared/logs.ts';
import { redact as redactBrokerSecrets } from '../../brokers/redact.ts';
import type { LogFile } from './file.ts';

type Level = LogEntry['level'];
type Listener = (entry: LogEntry) => void;

const RING = 5_000;

export type LogHubOptions = {
  /** The wall clock, written beside the engine's time (default: the engine's clock). */
  wall?: () => number;
  /** Where every line is written and older lines are read back from; numbering continues after its last line. */
  file?: LogFile | null;
  /** Also print each line (the headless server's console). */
  echo?: ((entry: LogEntry) => void) | null;
};

export type LogQuery = LogFilter & { limit: number; beforeSeq?: number };

export class LogHub {
  #entries: LogEntry[] = [];
  #seq: number;
  /** The seq of this run's first line. */
  readonly session: number;
  #listeners = new Set<Listener>();
  #secrets = new Set<string>();
  readonly #now: () => number;
  readonly #wall: () => number;
  readonly #file: LogFile | null;
  #fileFailureReported = false;
  readonly #echo: ((entry: LogEntry) => void) | null;

  constructor(now: () => number, options: LogHubOptions = {}) {
    this.#now = now;
    this.#wall = options.wall ?? now;
    this.#file = options.file ?? null;
    this.#echo = options.echo ?? null;
    this.#seq = this.#file?.previous?.seq ?? 0;
    this.session = this.#seq + 1;
  }

  /** Marks a value as secret: it is replaced by `***` in every later log line (and in lines read back). */
  addSecret(secret: string | null | undefined): void {
    if (secret && secret.length >= 4) this.#secrets.add(secret);
  }

  /** Masks the secrets registered here, then what the broker adapters mask (their secrets, account numbers, bearer tokens). */
  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join(`${s.slice(0, 2)}***`);
    return redactBrokerSecrets(out);
  }

  write(level: Level, source: string, message: string): LogEntry {
    const entry: LogEntry = { seq: ++this.#seq, time: this.#now(), wall: this.#wall(), session: this.session, level, source, message: this.redact(message) };
    this.#entries.push(entry);
    if (this.#entries.length > RING) this.#entries.splice(0, this.#entries.length - RING);
    this.#file?.write(entry);
    this.#echo?.(entry);
    for (const l of this.#listeners) l(entry);
    this.#reportFileFailure();
    return entry;
  }

  #reportFileFailure(): void {
    const file = this.#file;
    if (file?.failure && !this.#fileFailureReported) {
      // Said once, after the line that failed, in memory and to the UI (the file is off now).
      this.#fileFailureReported = true;
      this.write('error', 'log', `The log file in ${file.dir} could not be written (${file.failure.message}); the rest of this run is logged in memory only. Check the free disk space and the folder's permissions, then restart.`);
    }
  }

  /** This run's recent lines (in memory), oldest first. */
  list(limit: number, minLevel?: Level): LogEntry[] {
    return this.#entries.filter((e) => matchesLogFilter(e, minLevel ? { level: minLevel } : {})).slice(-limit);
  }

  /**
   * The latest `limit` lines matching the filter below `beforeSeq`, oldest first, across restarts:
   * this run's recent lines from memory, older ones from the log files.
   */
  async query(q: LogQuery): Promise<LogEntry[]> {
    const before = q.beforeSeq ?? Number.POSITIVE_INFINITY;
    const recent = this.#entries.filter((e) => e.seq < before && matchesLogFilter(e, q)).slice(-q.limit);
    if (recent.length >= q.limit || !this.#file) return recent;
    // Everything below the ring's first line is on disk (numbering continues across runs).
    const ringStart = this.#entries[0]?.seq ?? this.#seq + 1;
    const older = await this.#file.read(Math.min(before, ringStart), q.limit - recent.length, (e) => {
      // Redact again: a secret registered in this run may sit in a line written before it was known.
      const shown = { ...e, message: this.redact(e.message) };
      return matchesLogFilter(shown, q) ? shown : null;
    });
    return [...older, ...recent];
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  logger(source: string): Logger {
    return {
      debug: (m) => this.write('debug', source, m),
      info: (m) => this.write('info', source, m),
      warn: (m) => this.write('warn', source, m),
      error: (m) => this.write('error', source, m),
    };
  }

  /** Closes the log file; later lines stay in memory only. */
  async close(): Promise<void> {
    await this.#file?.close();
  }
}

