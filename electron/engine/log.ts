/**
 * One logger per subsystem (`createLogger('ib')`), a ring buffer the UI reads, listeners for the event
 * stream, and redaction: registered secrets (tokens, account numbers) never leave as written.
 */
import type { LogEntry } from '../../shared/api.ts';

type Level = LogEntry['level'];
type Listener = (entry: LogEntry) => void;

const RING = 5_000;

export class LogHub {
  #entries: LogEntry[] = [];
  #seq = 0;
  #listeners = new Set<Listener>();
  #secrets = new Set<string>();
  readonly #now: () => number;
  readonly #echo: ((entry: LogEntry) => void) | null;

  constructor(now: () => number, echo: ((entry: LogEntry) => void) | null = null) {
    this.#now = now;
    this.#echo = echo;
  }

  /** Marks a value as secret: it is replaced by `***` in every later log line. */
  addSecret(secret: string | null | undefined): void {
    if (secret && secret.length >= 4) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join(`${s.slice(0, 2)}***`);
    return out;
  }

  write(level: Level, source: string, message: string): LogEntry {
    const entry: LogEntry = { seq: ++this.#seq, time: this.#now(), level, source, message: this.redact(message) };
    this.#entries.push(entry);
    if (this.#entries.length > RING) this.#entries.splice(0, this.#entries.length - RING);
    this.#echo?.(entry);
    for (const l of this.#listeners) l(entry);
    return entry;
  }

  list(limit: number, minLevel?: Level): LogEntry[] {
    const order: Level[] = ['debug', 'info', 'warn', 'error'];
    const min = minLevel ? order.indexOf(minLevel) : 0;
    const picked = this.#entries.filter((e) => order.indexOf(e.level) >= min);
    return picked.slice(-limit);
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
}

export type Logger = Record<Level, (message: string) => void>;
