/** What can be verified of packaging without Electron's binary: the builder config and the CSP. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../electron/headless/assets.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('electron-builder.yml', () => {
  const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  it("validates against electron-builder's own schema", () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allowUnionTypes: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
  it('describes Linux, macOS and Windows builds, no native rebuild, and the fuses of our policy', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
  it('packs better-sqlite3 as a runtime dependency, external to the main bundle', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies['better-sqlite3']).toMatch(/^\^?13\./);
    expect(pkg.main).toBe('out/electron/main.cjs');
  });
});

describe('Content-Security-Policy', () => {
  const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(path.join(root, 'renderer/index.html'), 'utf8'))?.[1];
  it.each([['index.html meta', meta], ['served header', RENDERER_CSP]])('%s forbids inline script and eval', (_name, csp) => {
    expect(csp).toBeTruthy();
    const scriptSrc = /script-src ([^;]+)/.exec(csp!)?.[1] ?? '';
    expect(scriptSrc).toBe("'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
  });
});
