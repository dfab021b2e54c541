/** Where Thetadesk keeps its data when the user does not say: the OS's per-user app-data folder. */
import os from 'node:os';
import path from 'node:path';

export const APP_FOLDER = 'Thetadesk';

/**
 * `THETADESK_DATA_DIR` if set, else the same folder Electron's `app.getPath('userData')` gives:
 * `~/.config/Thetadesk` (Linux, honouring XDG_CONFIG_HOME), `~/Library/Application Support/Thetadesk`
 * (macOS), `%APPDATA%\Thetadesk` (Windows).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.THETADESK_DATA_DIR) return path.resolve(env.THETADESK_DATA_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_FOLDER);
}
