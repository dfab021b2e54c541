/**
 * Pure security predicates for the Electron shell (type-only Electron imports, so they are unit-tested
 * in plain Node): the window's options and menu, who may call IPC, where the window may navigate, which
 * permissions a page gets.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'thetadesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The main window's options. DevTools only in development: a packaged build cannot open them at all. */
export function mainWindowOptions(preloadPath: string, packaged: boolean): BrowserWindowConstructorOptions {
  if (!path.isAbsolute(preloadPath)) throw new Error(`The preload path must be absolute: ${preloadPath}`);
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Thetadesk',
    backgroundColor: '#0f1419',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !packaged,
    },
  };
}

/**
 * The application menu. Electron's `viewMenu` role carries "Toggle Developer Tools" (Ctrl+Shift+I), so a
 * packaged build gets the same View menu without it.
 */
export function applicationMenuTemplate(packaged: boolean, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions = packaged
    ? {
        label: 'View',
        submenu: [
          { role: 'reload' },
          { role: 'forceReload' },
          { type: 'separator' },
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { type: 'separator' },
          { role: 'togglefullscreen' },
        ],
      }
    : { role: 'viewMenu' };
  return [...(platform === 'darwin' ? [{ role: 'appMenu' as const }] : []), { role: 'fileMenu' }, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}

/** The part of Electron's WebFrameMain the sender check needs. */
export type SenderFrame = { origin: string; parent: unknown | null } | null | undefined;

/**
 * An IPC call is trusted only from the top frame of one of our windows showing our own origin
 * (or, in development, the Vite dev server's origin).
 */
export function isTrustedSender(frame: SenderFrame, webContentsId: number, ourWindowIds: ReadonlySet<number>, devOrigin: string | null = null): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  if (!ourWindowIds.has(webContentsId)) return false;
  return frame.origin === APP_ORIGIN || (devOrigin !== null && frame.origin === devOrigin);
}

/** Navigation stays on our origin: compared as parsed origins, never by string prefix. */
export function isAllowedNavigation(url: string, devOrigin: string | null = null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === APP_HOST;
  return devOrigin !== null && parsed.origin === devOrigin;
}

/** Permissions the UI may use (from our origin only); everything else is denied. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);
export function permissionAllowed(permission: string, requestingOrigin: string): boolean {
  return requestingOrigin === APP_ORIGIN && ALLOWED_PERMISSIONS.has(permission);
}

/**
 * The origin of a page's URL, or null when there is none to trust: an empty URL (a window before its
 * first load), garbage, or an opaque origin. Node's URL gives custom schemes the opaque origin "null",
 * so our own `app://thetadesk` is recognised by scheme and host.
 */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === APP_HOST ? APP_ORIGIN : null;
  return parsed.origin === 'null' ? null : parsed.origin;
}

/** What the session's permission handlers need of a WebContents (null for the check handler's service workers). */
export type PermissionContents = { getURL(): string } | null | undefined;

/**
 * The session's two permission handlers (Electron asks both: most web APIs check, then request). They
 * never throw: a page with no URL yet, an unparsable one or a destroyed WebContents is simply denied.
 */
export const permissionHandlers = {
  request(contents: PermissionContents, permission: string, callback: (granted: boolean) => void): void {
    let url: string | null;
    try {
      url = contents?.getURL() ?? null;
    } catch {
      url = null; // a destroyed WebContents throws
    }
    const origin = originOf(url);
    callback(origin !== null && permissionAllowed(permission, origin));
  },
  check(_contents: PermissionContents, permission: string, requestingOrigin: string): boolean {
    return permissionAllowed(permission, requestingOrigin);
  },
};

/** Links the app may open in the user's browser: https to an allow-listed host only. */
const EXTERNAL_HOSTS = new Set(['www.interactivebrokers.com', 'documentation.tradier.com', 'www.cboe.com']);
export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.host);
  } catch {
    return false;
  }
}
