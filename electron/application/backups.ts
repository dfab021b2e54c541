/**
 * Scheduled online backups of the engine's database, on the wall clock (electron/store/backup.ts does
 * the copying): the first one a minute after start-up when the newest backup in `<data>/backups/` is
 * more than a day old (or there is none), then one a day; a failed one is retried after an hour.
 * After each backup, retention keeps the newest of each of the last 7 days and 4 ISO weeks that
 * have one. The copy and its integrity check run in a worker thread, so trading never waits; a
 * failure is a warning in the log, never a crash.
 */
import { backupInWorker, COMPANIONS, companionOf, DEFAULT_RETENTION, listBackups, nextBackupPath, pruneBackups, type BackupJob, type BackupSetReport, type RetentionPolicy } from '../store/backup.ts';
import { backupsDirIn } from '../store/paths.ts';
import { makePrivate, makePrivateDir } from '../store/private.ts';
import type { Clock, TimerHandle } from '../engine/clock.ts';
import type { Logger } from '../engine/ports.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type BackupScheduleOptions = {
  /** Delay after start-up before the first backup (when one is due), ms. Default 1 minute. */
  firstAfterMs?: number;
  /** Time between backups, ms. Default 1 day. */
  everyMs?: number;
  /** Time before retrying a failed backup, ms. Default 1 hour. */
  retryMs?: number;
  keep?: RetentionPolicy;
};

export type BackupSchedulerOptions = BackupScheduleOptions & {
  /** The wall clock (backups follow real time, also when the market is simulated). */
  clock: Clock;
  dataDir: string;
  /** The database file to back up. */
  source: string;
  log: Logger;
  /** How to run one backup (default: in a worker thread). */
  run?: (source: string, dest: string) => BackupJob;
};

/** The outcome of one backup run. */
export type BackupOutcome = { ok: true; report: BackupSetReport; removed: string[] } | { ok: false; error: string };

export class BackupScheduler {
  readonly #o: Required<Omit<BackupSchedulerOptions, 'run'>> & Pick<BackupSchedulerOptions, 'run'>;
  #timer: TimerHandle | null = null;
  #job: BackupJob | null = null;
  #running: Promise<BackupOutcome> | null = null;
  #closed = false;
  /** When the next scheduled backup is due (wall ms), null when none is armed. */
  nextAt: number | null = null;
  last: BackupOutcome | null = null;

  constructor(options: BackupSchedulerOptions) {
    this.#o = { firstAfterMs: MINUTE, everyMs: DAY, retryMs: HOUR, keep: DEFAULT_RETENTION, ...options };
  }

  /** Arms the first backup: a minute after start-up, or a day after the newest backup if that is later. */
  start(): void {
    const now = this.#o.clock.now();
    const backups = listBackups(this.#o.dataDir);
    // Backups an older version left world-readable become owner-only too (store/private.ts).
    if (backups.length > 0) makePrivateDir(backupsDirIn(this.#o.dataDir));
    makePrivate(...backups.flatMap((b) => [b.file, ...COMPANIONS.map((c) => companionOf(b.file, c.name))]));
    const newest = backups[0]?.at ?? null;
    this.#arm(Math.max(now + this.#o.firstAfterMs, newest === null ? 0 : newest + this.#o.everyMs));
  }

  #arm(at: number): void {
    if (this.#closed) return;
    this.#timer?.cancel();
    this.nextAt = at;
    this.#timer = this.#o.clock.setTimer(at, () => {
      this.#timer = null;
      this.nextAt = null;
      void this.runNow().then((outcome) => this.#arm(this.#o.clock.now() + (outcome.ok ? this.#o.everyMs : this.#o.retryMs)));
    });
  }

  /** Runs one backup now (or joins the one running) and applies retention. Never throws. */
  runNow(): Promise<BackupOutcome> {
    if (this.#closed) return Promise.resolve({ ok: false, error: 'the workstation is shut down' });
    this.#running ??= this.#backup().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #backup(): Promise<BackupOutcome> {
    const started = this.#o.clock.now();
    const log = this.#o.log;
    let outcome: BackupOutcome;
    try {
      makePrivateDir(backupsDirIn(this.#o.dataDir));
      const dest = nextBackupPath(this.#o.dataDir, started);
      this.#job = (this.#o.run ?? backupInWorker)(this.#o.source, dest);
      const report = await this.#job.done;
      const removed = pruneBackups(this.#o.dataDir, this.#o.keep);
      const seconds = ((this.#o.clock.now() - started) / 1000).toFixed(1);
      log.info(
        `Database backed up to ${report.file} (${report.bytes.toLocaleString('en-US')} bytes, integrity ok, ${seconds} s)` +
          report.companions.map((c) => `, with ${c.what} (${c.file})`).join('') +
          `${removed.length > 0 ? `; removed ${removed.length} old backup(s)` : ''}.`,
      );
      outcome = { ok: true, report, removed };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retry = Math.round(this.#o.retryMs / MINUTE);
      if (!this.#closed) log.warn(`Database backup failed: ${message.replace(/\.$/, '')}. Trading is not affected; the next attempt is in ${retry} minutes.`);
      outcome = { ok: false, error: message };
    } finally {
      this.#job = null;
    }
    this.last = outcome;
    return outcome;
  }

  /** Resolves when no backup is running. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /** Disarms the timer and stops a running backup (its partial copy is removed). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.nextAt = null;
    await this.#job?.cancel();
    await this.#running;
  }
}
