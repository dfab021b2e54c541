/** Build steps shared by `npm run build`, `npm start` and `npm run headless`. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
export const outDir = path.join(root, 'out');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function rendererIsStale(): boolean {
  const built = path.join(outDir, 'renderer', 'index.html');
  if (!existsSync(built)) return true;
  // resources/ holds the icon the page links to (bundled by Vite as the favicon).
  const sources = Math.max(newestMtime(path.join(root, 'renderer')), newestMtime(path.join(root, 'shared')), newestMtime(path.join(root, 'resources')), statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  return sources > statSync(built).mtimeMs;
}

export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * Main and preload as CommonJS bundles (a sandboxed preload must be one CJS file with only `electron` external),
 * and the backtest and backup workers as their own bundles beside main (electron/application/backtests/runner.ts picks
 * `backtest-worker.cjs`, electron/store/backup.ts `backup-worker.cjs`, when `import.meta.filename`, here
 * the bundle's `__filename`, ends in `.cjs`).
 */
export async function buildElectron(): Promise<void> {
  const esbuild = await import('esbuild');
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node22', sourcemap: true, logLevel: 'warning' as const, define: { 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' } };
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'electron/app/main.ts')], outfile: path.join(outDir, 'electron/main.cjs'), packages: 'external', external: ['electron'] });
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'electron/app/preload.ts')], outfile: path.join(outDir, 'electron/preload.cjs'), external: ['electron'] });
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'electron/application/backtests/worker.ts')], outfile: path.join(outDir, 'electron/backtest-worker.cjs'), packages: 'external', external: ['electron'] });
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'electron/store/backup-worker.ts')], outfile: path.join(outDir, 'electron/backup-worker.cjs'), packages: 'external', external: ['electron'] });
}

/** Electron ≥ 42 downloads its binary on first use; it is installed when path.txt and dist/ exist. */
export function electronBinary(): string | null {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt) || !existsSync(path.join(dir, 'dist'))) return null;
  return dir;
}
