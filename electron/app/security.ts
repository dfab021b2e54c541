/**
 * Pure security predicates for the Electron shell (type-only Electron imports, so they are unit-tested
 * in plain Node): the window's options, who may call IPC, where the window may navigate, which
 * permissions a page gets.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'thetadesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
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
    },
  };
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
