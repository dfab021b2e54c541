/** Where Thetadesk keeps its data by default. */
import os from 'node:os';
import path from 'node:path';

/** The database file name inside the data folder. */
export const DB_FILE_NAME = 'thetadesk.sqlite';
/** The data-folder lock (a small SQLite file whose OS lock one process holds; see lock.ts). */
export const LOCK_FILE_NAME = 'thetadesk.lock';
/** Who holds the lock (PID, command, start time), for the message a second process shows. */
export const LOCK_HOLDER_FILE_NAME = 'thetadesk.lock.json';
/** The simulated broker's books (electron/brokers/sim/books-file.ts), backed up and restored with the database. */
export const SIM_BOOKS_FILE_NAME = 'sim-broker.sqlite';
/** The folder of online backups inside the data folder (see backup.ts). */
export const BACKUP_DIR_NAME = 'backups';

/**
 * The data folder: `THETADESK_DATA_DIR` when set, else the OS per-user app-data folder
 * "Thetadesk" — `~/.config/Thetadesk` on Linux (or `$XDG_CONFIG_HOME/Thetadesk`),
 * `~/Library/Application Support/Thetadesk` on macOS, `%APPDATA%\Thetadesk` on Windows. Same folder
 * as Electron's `app.getPath('userData')` for a product named Thetadesk.
 */
export function defaultDataDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const explicit = env.THETADESK_DATA_DIR;
  if (explicit && explicit.trim() !== '') return path.resolve(explicit);
  if (platform === 'win32') {
    const appData = env.APPDATA && env.APPDATA !== '' ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Thetadesk');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Thetadesk');
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(xdg, 'Thetadesk');
}

/** The database file in a data folder. */
export function dbFileIn(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME);
}

/** The folder of online backups in a data folder. */
export function backupsDirIn(dataDir: string): string {
  return path.join(dataDir, BACKUP_DIR_NAME);
}
