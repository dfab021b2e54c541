/**
 * `npm start`: the desktop app. Where Electron's binary is not installed (it is downloaded on first use,
 * which needs the internet), say so in one sentence and run the headless server instead.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildElectron, buildRenderer, electronBinary, rendererIsStale, root } from './build-lib.ts';

const forward = process.argv.slice(2);
const electronDir = electronBinary();

function run(command: string, args: string[]): void {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (!electronDir) {
  process.stdout.write("Electron's binary is not installed on this machine (it downloads on first run, which needs the internet), so Thetadesk starts as a headless server: open the URL below in your browser.\n");
  if (rendererIsStale()) await buildRenderer();
  run(process.execPath, [path.join(root, 'electron/headless/main.ts'), ...forward]);
} else {
  await buildRenderer();
  await buildElectron();
  const binary = path.join(electronDir, 'dist', readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim());
  run(binary, [path.join(root, 'out/electron/main.cjs'), ...forward]);
}
