/**
 * `thetadesk optimus signals --from D --to D --json FILE [--daily DIR] [--config FILE.json]`: the days on
 * which seed 002's signal gates all passed at the close (electron/backtest/signals.ts), written as
 * `{"from": D, "to": D, "signals": [{"date": "YYYY-MM-DD", "gates": {...}, "regime": "..."}]}`.
 *
 * Exit codes: 0 done; 1 the run failed; 2 bad arguments (unknown sub-command, bad date, missing folder
 * or file, bad config value).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDailyFiles } from '../backtest/daily-files.ts';
import { optimusSignals } from '../backtest/signals.ts';
import { OptimusConfigSchema } from '../strategies/optimus/config.ts';
import { DEFAULT_DATA } from './backtest.ts';

export const USAGE = `Usage: thetadesk optimus signals --from YYYY-MM-DD --to YYYY-MM-DD --json FILE [options]

The days on which every signal gate of seed 002 (§4.2 gates 1–8) passed at that day's close, each gate
with its value (capacity and spacing, the portfolio's gates, left out: the list depends on the market
only), written as {"from", "to", "signals": [{"date", "gates", "regime"}]}.

Options:
  --from YYYY-MM-DD    first day (default: the VIX file's first day)
  --to YYYY-MM-DD      last day, inclusive (default: the SPX file's last day)
  --json FILE|-        where to write the signals (required; "-" for stdout)
  --daily DIR          the daily files (default ${path.relative(process.cwd(), DEFAULT_DATA) || '.'})
  --config FILE.json   Optimus config (partial; the seed's defaults fill the rest)
  -h, --help           this text`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function bad(message: string): number {
  process.stderr.write(`${message}\n\nRun "thetadesk optimus --help" for the options.\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'string' }, daily: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return bad((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals[0] !== 'signals') return bad(positionals[0] === undefined ? 'Say what to do: signals.' : `Unknown sub-command "${positionals[0]}": the one there is is signals.`);
  if (positionals.length > 1) return bad(`Unexpected argument "${positionals[1]}".`);
  if (v.json === undefined) return bad('--json FILE is required (or "-" for stdout).');
  for (const [name, value] of [['--from', v.from], ['--to', v.to]] as const) {
    if (value !== undefined && !(DATE.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`)))) return bad(`${name} must be a date written YYYY-MM-DD, got "${value}".`);
  }
  if (v.from !== undefined && v.to !== undefined && v.from > v.to) return bad(`--from ${v.from} is after --to ${v.to}.`);
  const dir = v.daily ?? DEFAULT_DATA;
  if (!(fs.existsSync(dir) && fs.statSync(dir).isDirectory())) return bad(`--daily wants a folder of daily files (spx_daily.csv, vix_daily.csv…), and ${dir} is not one.`);
  let config: unknown = {};
  if (v.config !== undefined) {
    try {
      config = JSON.parse(fs.readFileSync(v.config, 'utf8'));
    } catch (error) {
      return bad(`Cannot read the config file ${v.config}: ${(error as Error).message}.`);
    }
    const r = OptimusConfigSchema.safeParse(config);
    if (!r.success) return bad(`The optimus config is not valid:\n${r.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`).join('\n')}`);
  }
  let daily;
  try {
    daily = loadDailyFiles(dir);
  } catch (error) {
    process.stderr.write(`A daily file in ${dir} cannot be used: ${(error as Error).message}\n`);
    return 2;
  }
  if (!daily.series.SPX || !daily.series.VIX) return bad(`${dir} must hold spx_daily.csv and vix_daily.csv.`);
  const from = v.from ?? daily.series.VIX[0]!.date;
  const to = v.to ?? daily.series.SPX.at(-1)!.date;
  const doc = await optimusSignals({ daily: daily.series, from, to, config });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const out = v.json === '-' ? process.stderr : process.stdout;
  if (v.json === '-') process.stdout.write(text);
  else {
    try {
      fs.writeFileSync(v.json, text);
    } catch (error) {
      process.stderr.write(`Cannot write ${v.json}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const n = doc.signals.length;
  out.write(`${n} signal day${n === 1 ? '' : 's'} from ${from} to ${to}${n > 0 ? ` (first ${doc.signals[0]!.date}, last ${doc.signals[n - 1]!.date})` : ''}${v.json === '-' ? '' : `: ${v.json}`}\n`);
  return 0;
}
