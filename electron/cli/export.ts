/**
 * `thetadesk export <trades|legs|fills|decisions|daily> --from YYYY-MM-DD --to YYYY-MM-DD --out FILE [--data-dir DIR]`
 *
 * Writes one CSV (see electron/store/export.ts for the format) from the database in the data
 * folder (default: THETADESK_DATA_DIR or the per-user app-data folder), opened read-only, so it
 * can run while the app is trading. Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { StoreError } from '../store/errors.ts';
import { EXPORT_KINDS, validateExport, writeCsvFile, type ExportKind } from '../store/export.ts';
import { defaultDataDir } from '../store/paths.ts';
import { openStore } from '../store/store.ts';
import { isIsoDate } from '../../shared/time/days.ts';

export const USAGE = `Usage: thetadesk export <${EXPORT_KINDS.join('|')}> --from YYYY-MM-DD --to YYYY-MM-DD --out FILE [--data-dir DIR]

  trades     one row per trade: strategy, legs, entry/exit times and prices, contracts, credit, P&L, exit reason
  legs       one row per trade leg
  fills      one row per execution
  decisions  one row per strategy decision, with its reason and the snapshots it used
  daily      daily summaries per strategy ('*' = all)

Dates are New York (ET) calendar dates, both inclusive. --data-dir defaults to THETADESK_DATA_DIR
or ${defaultDataDir({})}.`;

/** Runs the command; returns the process exit code. Writes messages to stdout/stderr. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string', short: 'o' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const problems: string[] = [];
  const kind = positionals[0];
  if (!kind) problems.push(`Say what to export: one of ${EXPORT_KINDS.join(', ')}.`);
  else if (!(EXPORT_KINDS as readonly string[]).includes(kind)) problems.push(`Unknown export "${kind}". Choose one of: ${EXPORT_KINDS.join(', ')}.`);
  for (const name of ['from', 'to'] as const) {
    const v = values[name];
    if (v !== undefined && !isIsoDate(v)) problems.push(`--${name} must be a date written YYYY-MM-DD, got "${v}".`);
  }
  if (positionals.length > 1) problems.push(`Unexpected argument "${positionals[1]}".`);
  if (!values.from) problems.push('--from YYYY-MM-DD is required.');
  if (!values.to) problems.push('--to YYYY-MM-DD is required.');
  if (!values.out) problems.push('--out FILE is required.');
  if (problems.length === 0) {
    try {
      validateExport(kind!, { from: values.from!, to: values.to! });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n\n${USAGE}\n`);
    return 2;
  }

  const dataDir = values['data-dir'] ?? defaultDataDir();
  try {
    const store = openStore({ dataDir, readonly: true, check: 'none' });
    try {
      const { rows, bytes } = await writeCsvFile(store, kind as ExportKind, { from: values.from!, to: values.to! }, values.out!);
      process.stdout.write(`Wrote ${rows} ${kind} row${rows === 1 ? '' : 's'} (${bytes} bytes) to ${values.out}\n`);
      return 0;
    } finally {
      store.close();
    }
  } catch (error) {
    const message = error instanceof StoreError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`thetadesk export: ${message}\n`);
    return 1;
  }
}
