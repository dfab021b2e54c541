import { describe, expect, it } from 'vitest';
import { resolveAsset } from './assets.ts';

describe('resolveAsset', () => {
  const root = '/srv/renderer';
  it('maps paths inside the bundle', () => {
    expect(resolveAsset(root, '/')).toBe('/srv/renderer/index.html');
    expect(resolveAsset(root, '/assets/index-abc.js?v=1')).toBe('/srv/renderer/assets/index-abc.js');
  });
  it('refuses anything that leaves the bundle', () => {
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fsecret', '/..\\..\\win.ini', '/a%00b', '/%E0%A4%A']) {
      expect(resolveAsset(root, p)).toBeNull();
    }
  });
});
