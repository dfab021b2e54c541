/**
 * Electron's main process: the thin shell around the Workstation. It serves the renderer from the
 * app:// protocol, wires IPC through the validated handlers, and keeps every security default on.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, safeStorage, session, shell } from 'electron';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IPC_EVENT_CHANNEL } from '../../shared/api/methods.ts';
import { chooseBroker } from '../application/broker/setup.ts';
import { openLogFolder, type LogFile } from '../application/logs/file.ts';
import { SystemClock } from '../engine/clock.ts';
import { notificationSettings, savedConnection, TRADIER_TOKEN, wantsNotification } from '../application/settings/settings.ts';
import { Workstation } from '../application/workstation.ts';
import { StoreError } from '../store/errors.ts';
import { lockDataFolder } from '../store/lock.ts';
import { openStore, type Store } from '../store/store.ts';
import { SafeStorageSecretStore } from './secrets.ts';
import { contentTypeOf, RENDERER_CSP, resolveAsset } from '../headless/assets.ts';
import { registerIpc } from './ipc.ts';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, applicationMenuTemplate, isAllowedExternal, isAllowedNavigation, mainWindowOptions, permissionHandlers } from './security.ts';

const here = import.meta.dirname;
const rendererDir = path.join(here, '..', 'renderer');
const devOrigin = !app.isPackaged && process.env.THETADESK_DEV_URL ? new URL(process.env.THETADESK_DEV_URL).origin : null;

// Before `ready`: sandbox every renderer, one instance only, our scheme privileged like https.
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
if (process.env.THETADESK_DATA_DIR) app.setPath('userData', path.resolve(process.env.THETADESK_DATA_DIR));

const windowIds = new Set<number>();
let workstation: Workstation | null = null;
let mainWindow: BrowserWindow | null = null;

app.on('web-contents-created', (_event, contents) => {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!isAllowedNavigation(url, devOrigin)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) setImmediate(() => void shell.openExternal(url));
    return { action: 'deny' };
  });
});

app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

void app.whenReady().then(async () => {
  const dataDir = app.getPath('userData');
  mkdirSync(dataDir, { recursive: true });
  let store: Store | null = null;
  let logFile: LogFile | null = null;
  try {
    // The engine's log goes to <data>/logs, so it survives a crash or restart (pino, synchronous writes).
    const log = await openLogFolder(dataDir);
    logFile = log.file;
    const clock = new SystemClock();
    // One engine per data folder (a headless server or a CLI restore may hold it): lock before opening.
    const lock = lockDataFolder(dataDir, 'desktop app');
    process.on('exit', () => lock.release());
    store = openStore({ dataDir, now: () => clock.now() });
    // Secrets: encrypted with the OS keychain (safeStorage), ciphertext in the data folder.
    const secrets = new SafeStorageSecretStore(safeStorage, dataDir);
    // THETADESK_BROKER as before; otherwise the broker, its settings and the mode saved on the Settings page.
    const env = process.env.THETADESK_BROKER;
    const given = env === 'ibkr' || env === 'tradier' || env === 'sim' ? env : null;
    const { setup, problem } = chooseBroker({ given, saved: savedConnection(store), tradierToken: secrets.get(TRADIER_TOKEN), env: process.env, clock, dataDir });
    workstation = new Workstation({ clock, dataDir, store, broker: setup, secrets, mode: setup.broker.paper ? 'paper' : 'live', logFile });
    if (log.problem) workstation.logs.logger('log').error(log.problem);
    if (problem) workstation.logs.logger('settings').error(problem);
  } catch (error) {
    if (!workstation) {
      store?.close();
      void logFile?.close();
    }
    // Never a silent reset: say what is wrong with the database and what to do, then quit.
    const message = error instanceof StoreError ? error.message : `Thetadesk could not start: ${(error as Error).message}`;
    dialog.showErrorBox(error instanceof StoreError && error.kind === 'locked' ? 'Thetadesk is already running on this data folder' : 'Thetadesk cannot open its database', message);
    app.exit(1);
    return;
  }

  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveAsset(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    try {
      return new Response(readFileSync(file), { headers: { 'content-type': contentTypeOf(file), 'content-security-policy': RENDERER_CSP } });
    } catch {
      return new Response(readFileSync(path.join(rendererDir, 'index.html')), { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': RENDERER_CSP } });
    }
  });

  for (const ses of [session.defaultSession]) {
    ses.setPermissionRequestHandler(permissionHandlers.request);
    ses.setPermissionCheckHandler(permissionHandlers.check);
  }

  registerIpc(ipcMain, workstation, { windowIds, devOrigin });
  workstation.onEvent((event) => {
    for (const win of BrowserWindow.getAllWindows()) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
    // Fills, exits, rejects and errors as desktop notifications (the engine already redacted secrets).
    // The Settings page's choices (all on, errors only, fills only, off) are read at each notification.
    if (event.type === 'notification' && Notification.isSupported() && workstation && wantsNotification(notificationSettings(workstation.store), event.payload.level)) {
      new Notification({ title: `Thetadesk — ${event.payload.title}`, body: event.payload.body, urgency: event.payload.level === 'error' ? 'critical' : 'normal' }).show();
    }
  });

  // No DevTools in a packaged build: neither in the menu nor in the window.
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate(app.isPackaged, process.platform)));

  mainWindow = new BrowserWindow(mainWindowOptions(path.join(here, 'preload.cjs'), app.isPackaged));
  windowIds.add(mainWindow.webContents.id);
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(devOrigin ?? `${APP_ORIGIN}/index.html`);
});

app.on('window-all-closed', () => {
  app.quit();
});

app.on('before-quit', () => {
  void workstation?.close();
});
