import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { APP_ORIGIN, applicationMenuTemplate, isAllowedExternal, isAllowedNavigation, isTrustedSender, mainWindowOptions, originOf, permissionAllowed, permissionHandlers } from './security.ts';

describe('window options', () => {
  it('keeps every security default on', () => {
    const wp = mainWindowOptions('/abs/preload.cjs', true).webPreferences!;
    expect(wp).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      preload: '/abs/preload.cjs',
    });
  });
  it('refuses a relative preload path', () => {
    expect(() => mainWindowOptions('preload.cjs', true)).toThrow(/absolute/);
  });
});

/** Every role in a menu template, submenus included. */
function rolesOf(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? rolesOf(i.submenu) : [])]);
}

describe('DevTools', () => {
  it('are off in a packaged build: not in the window, not in the menu (the viewMenu role carries them)', () => {
    expect(mainWindowOptions('/abs/preload.cjs', true).webPreferences!.devTools).toBe(false);
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const roles = rolesOf(applicationMenuTemplate(true, platform));
      expect(roles, platform).not.toContain('toggleDevTools');
      expect(roles, platform).not.toContain('viewMenu');
      // The rest of the View menu stays.
      expect(roles, platform).toEqual(expect.arrayContaining(['reload', 'zoomIn', 'togglefullscreen', 'editMenu', 'windowMenu']));
    }
    expect(rolesOf(applicationMenuTemplate(true, 'darwin'))).toContain('appMenu');
  });
  it('stay available in development', () => {
    expect(mainWindowOptions('/abs/preload.cjs', false).webPreferences!.devTools).toBe(true);
    expect(rolesOf(applicationMenuTemplate(false, 'linux'))).toContain('viewMenu');
  });
});

describe('navigation, senders, permissions, external links', () => {
  it('allows only our own origin, compared as an origin', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true);
    for (const url of ['app://thetadesk.evil/', 'https://app.evil.com', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'not a url']) {
      expect(isAllowedNavigation(url)).toBe(false);
    }
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });
  it('trusts only the top frame of our windows at our origin', () => {
    const ours = new Set([1]);
    expect(isTrustedSender({ origin: APP_ORIGIN, parent: null }, 1, ours)).toBe(true);
    expect(isTrustedSender({ origin: APP_ORIGIN, parent: null }, 2, ours)).toBe(false);
    expect(isTrustedSender({ origin: APP_ORIGIN, parent: { origin: APP_ORIGIN } }, 1, ours)).toBe(false);
    expect(isTrustedSender(null, 1, ours)).toBe(false);
  });
  it('denies permissions by default', () => {
    expect(permissionAllowed('clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
    expect(permissionAllowed('media', APP_ORIGIN)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
  });
  it('the permission handlers never throw: an empty, invalid or destroyed page is denied', () => {
    const request = (url: string | (() => string)) => {
      const answers: boolean[] = [];
      const contents = { getURL: typeof url === 'function' ? url : () => url };
      permissionHandlers.request(contents, 'clipboard-sanitized-write', (granted) => answers.push(granted));
      return answers;
    };
    // Electron's own expression, new URL(webContents.getURL()), throws on a window that has not loaded yet.
    expect(() => new URL('').origin).toThrow();
    for (const url of ['', 'not a url', 'about:blank', 'data:text/html,hi', 'app://thetadesk.evil/x', 'https://evil.example/']) {
      expect(request(url), JSON.stringify(url)).toEqual([false]);
    }
    expect(request(() => { throw new TypeError('Object has been destroyed'); })).toEqual([false]);
    const none: boolean[] = [];
    permissionHandlers.request(null, 'clipboard-sanitized-write', (g) => none.push(g));
    expect(none).toEqual([false]);
    // Our own page does get the one permission it uses (Node gives app:// the opaque origin "null").
    expect(request(`${APP_ORIGIN}/index.html#/positions`)).toEqual([true]);
    expect(permissionHandlers.check(null, 'clipboard-sanitized-write', '')).toBe(false);
    expect(permissionHandlers.check(null, 'clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
    expect(permissionHandlers.check(null, 'media', APP_ORIGIN)).toBe(false);
  });
  it('reads a page origin without throwing', () => {
    expect(originOf(`${APP_ORIGIN}/index.html`)).toBe(APP_ORIGIN);
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    for (const url of ['', null, undefined, '::', 'about:blank', 'app://other/x']) expect(originOf(url)).toBeNull();
  });
  it('opens only allow-listed https links', () => {
    expect(isAllowedExternal('https://www.interactivebrokers.com/en/index.php')).toBe(true);
    expect(isAllowedExternal('http://www.interactivebrokers.com/')).toBe(false);
    expect(isAllowedExternal('https://www.interactivebrokers.com.evil.io/')).toBe(false);
  });
});
