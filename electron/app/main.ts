/**
 * Electron's main process: the thin shell around the Workstation. It serves the renderer from the
 * app:// protocol, wires IPC through the validated handlers, and keeps every security default on.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, safeStorage, session, shell } from 'electron';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IPC_EVENT_CHANNEL } from '../../shared/api/methods.ts';
import { buildApplication } from '../application/build.ts';
import { envChoice } from '../application/env.ts';
import { notificationSettings, wantsNotification } from '../application/settings/settings.ts';
import type { Workstation } from '../application/workstation.ts';
import { StoreError } from '../store/errors.ts';
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
  try {
    // THETADESK_BROKER as before; otherwise the broker, its settings and the mode saved on the Settings page.
    // Secrets: encrypted with the OS keychain (safeStorage), ciphertext in the data folder.
    // A THETADESK_BROKER that is none of them is refused with its name and value (application/env.ts), not ignored.
    const broker = envChoice(process.env, 'THETADESK_BROKER', ['sim', 'ibkr', 'tradier'] as const) ?? null;
    workstation = await buildApplication({
      dataDir,
      holder: 'desktop app',
      env: process.env,
      broker,
      secrets: new SafeStorageSecretStore(safeStorage, dataDir),
    });
  } catch (error) {
    // Never a silent reset: say what is wrong with the database and what to do, then quit.
    const message = error instanceof StoreError ? error.message : `Thetadesk could not start: ${(error as Error).message}`;
    const title = error instanceof StoreError ? (error.kind === 'locked' ? 'Thetadesk is already running on this data folder' : 'Thetadesk cannot open its database') : 'Thetadesk could not start';
    dialog.showErrorBox(title, message);
    app.exit(1);
    return;
  }
  const running = workstation;
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

  registerIpc(ipcMain, running, { windowIds, devOrigin });
  running.onEvent((event) => {
    for (const win of BrowserWindow.getAllWindows()) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
    // Fills, exits, rejects and errors as desktop notifications (the engine already redacted secrets).
    // The Settings page's choices (all on, errors only, fills only, off) are read at each notification.
    if (event.type === 'notification' && Notification.isSupported() && wantsNotification(notificationSettings(running.store), event.payload.level)) {
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
