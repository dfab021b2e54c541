import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAllowedExternal, isAllowedNavigation, isTrustedSender, mainWindowOptions, permissionAllowed } from './security.ts';

describe('window options', () => {
  it('keeps every security default on', () => {
    const wp = mainWindowOptions('/abs/preload.cjs').webPreferences!;
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
    expect(() => mainWindowOptions('preload.cjs')).toThrow(/absolute/);
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
  it('opens only allow-listed https links', () => {
    expect(isAllowedExternal('https://www.interactivebrokers.com/en/index.php')).toBe(true);
    expect(isAllowedExternal('http://www.interactivebrokers.com/')).toBe(false);
    expect(isAllowedExternal('https://www.interactivebrokers.com.evil.io/')).toBe(false);
  });
});
