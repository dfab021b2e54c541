/** `npm run bench [-- --json FILE] [-- --only NAME]`: runs every suite in bench/*.bench.ts. */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import type { Figure, Suite } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const results: { suite: string; figures: Figure[]; error?: string }[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { benches: Suite[] };
  for (const suite of mod.benches) {
    if (only && !suite.name.includes(only) && !file.includes(only)) continue;
    process.stdout.write(`\n## ${suite.name}\n`);
    try {
      const figures = await suite.run();
      results.push({ suite: suite.name, figures });
      for (const f of figures) {
        const goal = f.goal ? `  goal ${f.goal}${f.met === undefined ? '' : f.met ? ' (met)' : ' (NOT met)'}` : '';
        const note = f.note ? `  — ${f.note}` : '';
        process.stdout.write(`  ${f.name.padEnd(48)} ${f.subject.padEnd(22)} ${fmt(f.value).padStart(14)} ${f.unit}${goal}${note}\n`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({ suite: suite.name, figures: [], error: message });
      process.stdout.write(`  failed: ${message}\n`);
    }
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

if (jsonFile) {
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, JSON.stringify({ machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, results }, null, 2));
  process.stdout.write(`\nwrote ${jsonFile}\n`);
}
