/**
 * `buildApplication`: the one function that makes a running Thetadesk out of a data folder. Electron's
 * main process and the headless server call it; what is left to them is their transport (a window and
 * IPC, or HTTP and a WebSocket) and how they report a refusal (a dialog, an exit code).
 *
 * In order: the data folder's lock (one Thetadesk per folder; the refusal names the holder), the
 * database, the log file in `<data>/logs`, the secrets, the broker (named on the command line or in
 * THETADESK_BROKER, otherwise the one saved on the Settings page), then the Workstation with its engine
 * and handlers. On failure everything already opened is closed again and the error is thrown:
 * StoreError (locked, damaged, unreadable — with what to do) or BrokerError (a bad THETADESK_* value).
 */
import { SystemClock, type Clock } from '../engine/clock.ts';
import type { StrategyEntry } from '../engine/trading.ts';
import { lockDataFolder } from '../store/lock.ts';
import { openStore, type Store } from '../store/store.ts';
import type { BackupScheduleOptions } from './backups.ts';
import { chooseBroker, type BrokerKindOption } from './broker/setup.ts';
import { openLogFolder, type LogFile } from './logs/file.ts';
import { NOTIFY_SECRETS } from './settings/delivery.ts';
import { MemorySecretStore, savedConnection, TRADIER_TOKEN, type SecretStore } from './settings/settings.ts';
import { Workstation } from './workstation.ts';

export type ApplicationOptions = {
  dataDir: string;
  /** What runs, in words, for the lock's holder file ("desktop app", "headless server"). */
  holder: string;
  /** THETADESK_* settings (the simulator's seed, speed and start; IB Gateway's and Tradier's). */
  env: NodeJS.ProcessEnv;
  /** The broker named on the command line or in THETADESK_BROKER; null or absent: the saved settings choose. */
  broker?: BrokerKindOption | null;
  /**
   * Where secrets are kept (Electron: safeStorage). Default: memory only, seeded with
   * THETADESK_TRADIER_TOKEN so a Tradier token survives restarts of the headless server.
   */
  secrets?: SecretStore;
  /** Default: real time. */
  clock?: Clock;
  /** Echo log lines (the headless server's console). */
  echoLog?: (line: string) => void;
  /** Default: every built system with its saved or default config. */
  strategies?: StrategyEntry[];
  /** Default: daily backups (backups.ts). */
  backups?: BackupScheduleOptions | false;
};

/**
 * Builds the application on `dataDir`. The data folder stays locked until `workstation.close()`; the OS
 * drops the lock anyway if the process dies, and a normal exit releases it here too.
 */
export async function buildApplication(options: ApplicationOptions): Promise<Workstation> {
  const clock = options.clock ?? new SystemClock();
  const { dataDir, env } = options;
  // One engine per data folder: the lock is taken before the database is opened.
  const lock = lockDataFolder(dataDir, options.holder);
  const release = () => lock.release();
  process.once('exit', release);
  let store: Store | null = null;
  let logFile: LogFile | null = null;
  try {
    store = openStore({ dataDir, now: () => clock.now() });
    // The log goes to <data>/logs, so it survives a crash or restart (pino, synchronous writes).
    const log = await openLogFolder(dataDir);
    logFile = log.file;
    const envToken = env.THETADESK_TRADIER_TOKEN || null;
    const secrets = options.secrets ?? new MemorySecretStore();
    if (!options.secrets && envToken) secrets.set(TRADIER_TOKEN, envToken);
    // The headless server keeps delivery secrets across restarts the same way.
    if (!options.secrets) {
      for (const [name, variable] of [[NOTIFY_SECRETS.smtpPassword, 'THETADESK_SMTP_PASSWORD'], [NOTIFY_SECRETS.slackWebhook, 'THETADESK_SLACK_WEBHOOK_URL'], [NOTIFY_SECRETS.telegramToken, 'THETADESK_TELEGRAM_BOT_TOKEN']] as const) {
        if (env[variable]) secrets.set(name, env[variable]);
      }
    }
    const { setup, problem, mode } = chooseBroker({ given: options.broker ?? null, saved: savedConnection(store), tradierToken: secrets.get(TRADIER_TOKEN), env, clock, dataDir });
    const workstation = new Workstation({
      clock,
      dataDir,
      store,
      broker: setup,
      secrets,
      mode,
      logFile,
      lock: {
        release: () => {
          process.off('exit', release);
          lock.release();
        },
      },
      ...(options.echoLog ? { echoLog: options.echoLog } : {}),
      ...(options.strategies ? { strategies: options.strategies } : {}),
      ...(options.backups !== undefined ? { backups: options.backups } : {}),
    });
    if (envToken) workstation.logs.addSecret(envToken);
    if (log.problem) workstation.logs.logger('log').error(log.problem);
    if (problem) workstation.logs.logger('settings').error(problem);
    return workstation;
  } catch (error) {
    store?.close();
    await logFile?.close();
    process.off('exit', release);
    lock.release();
    throw error;
  }
}
