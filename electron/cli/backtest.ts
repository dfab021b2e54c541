/**
 * `thetadesk backtest <strategy> [options]` — runs a strategy through the live engine under a virtual
 * clock, over simulator chains (default) or an imported end-of-day chain file, with the mid-slippage
 * fill model at the system's own fraction, and prints the statistics and the trades (see electron/backtest/run.ts and report.ts). It
 * shares with the backtests the UI starts (electron/application/backtests/) the strategy registry
 * (electron/strategies/index.ts), `runBacktest` — which builds the engine with the backtest's clock,
 * market data and fill model — and the data folder's lock for `--db`.
 *
 * Exit codes: 0 done; 1 the run failed, or the engine logged errors (results may be incomplete);
 * 2 bad arguments (unknown strategy, bad date, missing file, bad config value) or an unusable chain
 * file: a header missing required columns (named, with the columns found), no usable row, or more
 * than `MAX_DROPPED_SHARE` (1 %) of the rows dropped (each reason counted, with lines and how to fix
 * them). Below that share the drop counts are printed and the run goes on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadDailyFiles } from '../backtest/daily-files.ts';
import { ProgressBar } from '../backtest/progress.ts';
import { statsTable, tradeList } from '../backtest/report.ts';
import { section16Text } from '../backtest/reports/optimus.ts';
import { BacktestInputError, checkDate, checkPeriod, runBacktest, type BacktestSource } from '../backtest/run.ts';
import { readEodChain } from '../market/data/chain-eod.ts';
import { dayToIso } from '../market/data/csv.ts';
import { etDate } from '../../shared/time/et.ts';
import { checkDrops, MAX_DROPPED_SHARE } from '../market/data/issues.ts';
import { lockDataFolder, type DataFolderLock } from '../store/lock.ts';
import type { AnyStrategy } from '../engine/trading.ts';
import { STRATEGIES, strategyById } from '../strategies/index.ts';
import { commissionCentsOf, MAX_COMMISSION_PER_CONTRACT, OPTION_COMMISSION_CENTS_PER_CONTRACT } from '../../shared/domain/commissions.ts';

/** ../shared/data beside the repository: the real daily files (README there). */
export const DEFAULT_DATA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
import { STRATEGY_ID as SPY_SPX } from '../strategies/spy-spx-0dte/strategy.ts';
import { ratioStatsFromFolder } from '../backtest/spy-spx/ratio.ts';
import { spySpxAccount, spySpxText, type SpySpxAccount } from '../backtest/spy-spx/report.ts';
import { openStore } from '../store/store.ts';

/** A system as the usage lists it: id, title, seed, cadence, its backtest data and fill fraction (the registry's words). */
function describeSystem(s: AnyStrategy): string {
  const a = s.about;
  const data = a.backtest.sources.map((x) => (x.kind === 'chains' ? `${x.label} (--chains ../shared/data/${x.file})` : x.kind === 'model' ? `${x.label} (--daily ../shared/data)` : x.label)).join('; ');
  return `  ${s.id.padEnd(18)} ${s.title}${a.seed ? ` — seed ${a.seed}` : ''}, ${a.cadence}\n${' '.repeat(21)}data: ${data}; slippage f ${a.backtest.slippageFraction.toFixed(2)}`;
}

/** The default simulator period: the last full calendar year before `today` (`YYYY-MM-DD`). */
export function defaultSimPeriod(today: string): { from: string; to: string } {
  const y = Number(today.slice(0, 4)) - 1;
  return { from: `${y}-01-01`, to: `${y}-12-31` };
}

export const USAGE = `Usage: thetadesk backtest <strategy> [options]

Strategies:
${STRATEGIES.map(describeSystem).join('\n')}

Data (one of; default: the system's first source above):
  --sim                the built-in market simulator, 5-minute intraday chains
  --seed N             simulator seed (default 1)
  --chains FILE        an end-of-day option chain CSV (historicaloptiondata L2 / Cboe EOD), daily
                       resolution: each day's snapshot stands for the whole session. Refused (exit 2)
                       when columns are missing or more than ${MAX_DROPPED_SHARE * 100}% of its rows are unusable
  --daily DIR          a folder of daily files (spx_daily.csv, vix_daily.csv, vix9d_daily.csv, vix3m_daily.csv,
                       skew_daily.csv…; default ${path.relative(process.cwd(), DEFAULT_DATA) || '.'}). With --chains:
                       the market view's history and the VIX context. Alone (or by default for a system whose
                       first source is the model, e.g. optimus): the model source — those files' history,
                       options priced by the option model calibrated on the 2018 SPXW file (its error is
                       printed with the results). A decision at date D reads them through D's previous
                       session (D's own bar after the close)

Options:
  --from YYYY-MM-DD    first day (default: simulator — Jan 1 of last year; chains — the file's first day;
                       model — 1990-01-02, the VIX file's first day)
  --to YYYY-MM-DD      last day, inclusive (default: simulator — Dec 31 of last year; chains — the file's last day;
                       model — the SPX file's last day)
  --config FILE.json   strategy config (partial; the seed's defaults fill the rest)
  --slippage F         fill model fraction f in mid ∓ f × (ask − bid) (default: the system's own)
  --commission DOLLARS commission per contract, per leg, on every fill (default ${(OPTION_COMMISSION_CENTS_PER_CONTRACT / 100).toFixed(2)}, the paper
                       exchange's); P&L is net of it. 0 for gross figures
  --capital DOLLARS    the account's capital: equity = capital + P&L, what sizing by equity, the Sharpe ratio
                       and drawdown % read (default: the system's, else 100000; optimus 500000)
  --db DIR             folder for the backtest database, kept (default: a temporary folder, removed at
                       the end); refused while a Thetadesk runs on it
  --keep-db            keep the temporary database (its path is printed)
  --json FILE|-        also write the report as JSON to FILE, or to stdout with "-"
  --progress           show the progress bar even when stderr is not a terminal
  --no-progress        never show it
  -h, --help           this text

Fill model (mid-slippage): each leg sold at mid − f × (ask − bid) and bought at mid + f × (ask − bid),
rounded to the cent, no partial fills, each leg fill paying the commission. Trades, legs, orders and
fills are written in the live shape.`;

/** The shared data folder beside the repository (`../shared/data`): the real daily SPX and SPY closes. */

function bad(message: string): number {
  process.stderr.write(`${message}\n\nRun "thetadesk backtest --help" for the options.\n`);
  return 2;
}

/** An input file that cannot be used: says why and what to fix, exit 2. */
function refuse(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

/** A share as a percentage for messages: 0.0123 → "1.23%"; tiny non-zero shares read "<0.01%". */
const pct = (share: number): string => (share > 0 && share < 0.0001 ? '<0.01%' : `${(share * 100).toFixed(2)}%`);

/** The options that take a number, which may be negative (then refused by their own check, with its message). */
const NUMBER_OPTIONS = new Set(['--seed', '--slippage', '--commission', '--capital']);

/**
 * `--commission -1` as `--commission=-1`: parseArgs takes a value starting with "-" for an option and
 * answers "ambiguous"; a negative number after a number option is that option's (bad) value.
 */
function negativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (NUMBER_OPTIONS.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Runs the command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: negativeValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        seed: { type: 'string' },
        chains: { type: 'string' },
        daily: { type: 'string' },
        sim: { type: 'boolean' },
        config: { type: 'string' },
        slippage: { type: 'string' },
        commission: { type: 'string' },
        capital: { type: 'string' },
        db: { type: 'string' },
        'keep-db': { type: 'boolean' },
        json: { type: 'string' },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return bad((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const name = positionals[0];
  const ids = STRATEGIES.map((s) => s.id).join(', ');
  if (!name) return bad(`Say which strategy to run: ${ids}.`);
  const strategy = strategyById(name);
  if (!strategy) return bad(`Unknown strategy "${name}". Strategies: ${ids}.`);
  if (positionals.length > 1) return bad(`Unexpected argument "${positionals[1]}".`);
  if (v.chains !== undefined && v.seed !== undefined) return bad('--seed is for the simulator; it cannot be combined with --chains.');
  if (v.sim && (v.chains !== undefined || v.daily !== undefined)) return bad('--sim is the simulator; it cannot be combined with --chains or --daily.');
  if (v.daily !== undefined && v.seed !== undefined) return bad('--seed is for the simulator; --daily alone is the model source (the simulator has its own daily history).');
  if (v.daily !== undefined && !(fs.existsSync(v.daily) && fs.statSync(v.daily).isDirectory())) return bad(`--daily wants a folder of daily files, and ${v.daily} is not one.`);
  // Which source: what is asked for, else the system's first.
  const first = strategy.about.backtest.sources[0]?.kind ?? 'sim';
  if (v.daily !== undefined && v.chains === undefined && !strategy.about.backtest.sources.some((x) => x.kind === 'model')) {
    return bad(`--daily goes with --chains (the simulator has its own daily history); alone it is the model source, which ${strategy.id} does not declare.`);
  }
  const kind: 'sim' | 'chains' | 'model' = v.chains !== undefined ? 'chains' : v.sim || v.seed !== undefined ? 'sim' : v.daily !== undefined || first === 'model' ? 'model' : 'sim';
  if (v.progress && v['no-progress']) return bad('Choose --progress or --no-progress, not both.');

  // Dates first, before any file is read or anything is said to start.
  try {
    if (v.from !== undefined) checkDate('--from', v.from);
    if (v.to !== undefined) checkDate('--to', v.to);
  } catch (error) {
    return bad((error as Error).message);
  }

  let seed = 1;
  if (v.seed !== undefined) {
    if (!/^\d{1,10}$/.test(v.seed)) return bad(`--seed must be a whole number, got "${v.seed}".`);
    seed = Number(v.seed);
  }
  let slippage: number | undefined;
  if (v.slippage !== undefined) {
    slippage = Number(v.slippage);
    if (v.slippage.trim() === '' || !(slippage >= 0 && slippage <= 0.5)) return bad(`--slippage must be a number from 0 to 0.5, got "${v.slippage}".`);
  }
  let commissionCents: number | undefined;
  if (v.commission !== undefined) {
    try {
      if (v.commission.trim() === '') throw new RangeError('empty');
      commissionCents = commissionCentsOf(Number(v.commission));
    } catch {
      return bad(`--commission must be dollars per contract from 0 to ${MAX_COMMISSION_PER_CONTRACT}, to the cent (e.g. 0.65), got "${v.commission}".`);
    }
  }
  let capitalCents: number | undefined;
  if (v.capital !== undefined) {
    const c = Number(v.capital);
    if (v.capital.trim() === '' || !(c >= 1) || !Number.isFinite(c)) return bad(`--capital must be a positive amount in dollars, got "${v.capital}".`);
    capitalCents = Math.round(c * 100);
  }

  let config: unknown = {};
  if (v.config !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(v.config, 'utf8');
    } catch (error) {
      return bad(`Cannot read the config file ${v.config}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
    }
    try {
      config = JSON.parse(text);
    } catch (error) {
      return bad(`The config file ${v.config} is not valid JSON: ${(error as Error).message}.`);
    }
  }

  const wallStart = performance.now();
  let source: BacktestSource;
  let from = v.from;
  let to = v.to;
  if (v.chains !== undefined) {
    if (!fs.existsSync(v.chains)) return bad(`No such chain file: ${v.chains}.`);
    if (fs.statSync(v.chains).isDirectory()) return bad(`--chains wants a CSV file, and ${v.chains} is a folder.`);
    const loaded = readEodChain(v.chains);
    const header = loaded.issues.find((i) => i.code === 'bad-header');
    if (header) return refuse(`${v.chains} cannot be used. ${header.message}`);
    const check = checkDrops(loaded, loaded.rows.length);
    if (!check.ok) {
      return refuse(
        `${v.chains} cannot be used: ${check.dropped.toLocaleString('en-US')} of its ${check.rows.toLocaleString('en-US')} data rows (${pct(check.share)}) were dropped, ` +
          `more than the ${pct(check.maxShare)} a backtest accepts — the file itself, not a few rows, is wrong:\n${check.report}\n` +
          'Fix those rows (or the export that wrote them) and run again.',
      );
    }
    if (loaded.rows.length === 0) {
      const first = loaded.issues[0];
      return refuse(`${v.chains} has no usable option rows${first ? `: line ${first.line}: ${first.message}` : ''}.`);
    }
    const issues = Object.entries(loaded.counts);
    if (issues.length > 0) {
      process.stderr.write(
        `${v.chains}: ${loaded.rows.length.toLocaleString('en-US')} rows loaded, ${loaded.dropped.toLocaleString('en-US')} dropped (${pct(check.share)}, within the ${pct(check.maxShare)} limit); ` +
          `issues: ${issues.map(([k, n]) => `${k} ${n}`).join(', ')}\n${check.report === '' ? '' : `dropped rows:\n${check.report}\n`}`,
      );
    }
    const g = loaded.rows.groups;
    from ??= dayToIso(g.quoteDay[0]!);
    to ??= dayToIso(g.quoteDay[g.count - 1]!);
    let daily: ReturnType<typeof loadDailyFiles> | null = null;
    if (v.daily !== undefined) {
      try {
        daily = loadDailyFiles(v.daily);
      } catch (error) {
        return refuse(`A daily file in ${v.daily} cannot be used: ${(error as Error).message}`);
      }
      if (daily.files.length === 0) return bad(`${v.daily} has none of the daily files (spx_daily.csv, spy_daily.csv, vix_daily.csv, vix9d_daily.csv, vix3m_daily.csv, skew_daily.csv).`);
      process.stderr.write(`Daily series: ${daily.files.map((f) => path.basename(f)).join(', ')}\n`);
    }
    source = { kind: 'chains', columns: loaded.rows, file: v.chains, ...(daily ? { daily: daily.series, levels: daily.levels } : {}) };
  } else if (kind === 'model') {
    const dir = v.daily ?? DEFAULT_DATA;
    if (!(fs.existsSync(dir) && fs.statSync(dir).isDirectory())) return bad(`The model source reads daily files (spx_daily.csv, vix_daily.csv…) from ${dir}, which is not a folder: give --daily DIR.`);
    let daily: ReturnType<typeof loadDailyFiles>;
    try {
      daily = loadDailyFiles(dir);
    } catch (error) {
      return refuse(`A daily file in ${dir} cannot be used: ${(error as Error).message}`);
    }
    if (!daily.series.SPX || !daily.series.VIX) return bad(`${dir} must hold spx_daily.csv and vix_daily.csv for the model source (found ${daily.files.map((f) => path.basename(f)).join(', ') || 'none'}).`);
    process.stderr.write(`Daily series: ${daily.files.map((f) => path.basename(f)).join(', ')}\n`);
    from ??= daily.series.VIX[0]!.date;
    to ??= daily.series.SPX.at(-1)!.date;
    source = { kind: 'model', daily: daily.series, dir };
  } else {
    const period = defaultSimPeriod(etDate(Date.now()));
    from ??= period.from;
    to ??= period.to;
    source = { kind: 'sim', seed };
  }

  try {
    checkPeriod(source.kind, from!, to!); // the whole period (also the dates a source's data gave) before it says it starts
  } catch (error) {
    return bad((error as Error).message);
  }

  const dataDir = v.db ?? fs.mkdtempSync(path.join(os.tmpdir(), 'thetadesk-backtest-'));
  // The database stays when the user named its folder or asked to keep it; a temporary one goes at the end.
  const keep = v.db !== undefined || v['keep-db'] === true;
  const removeTemporary = (): void => {
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const jsonToStdout = v.json === '-';
  const out = jsonToStdout ? process.stderr : process.stdout;
  const showProgress = v.progress === true || (v['no-progress'] !== true && !jsonToStdout && process.stderr.isTTY === true);
  const bar = new ProgressBar({ stream: process.stderr, enabled: showProgress, wallNow: () => performance.now() });
  const on = source.kind === 'sim' ? `the simulator (seed ${seed})` : source.kind === 'chains' ? v.chains : `the daily files in ${source.dir} with model-priced options`;
  process.stderr.write(`Backtesting ${name} ${from} → ${to} on ${on}${keep ? `; database in ${dataDir}` : ''}\n`);

  // A folder the user names could be a live data folder: take it like any writer, or say who holds it.
  let lock: DataFolderLock | null = null;
  if (v.db !== undefined) {
    try {
      lock = lockDataFolder(dataDir, 'thetadesk backtest');
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
  }
  let result;
  try {
    result = await runBacktest({
      strategy,
      config,
      source,
      from: from!,
      to: to!,
      dataDir,
      slippageFraction: slippage,
      commissionCentsPerContract: commissionCents,
      capitalCents,
      onProgress: (p) => bar.update(p.fraction, `${etDate(p.at)}  ${p.trades} trades`),
    });
  } catch (error) {
    if (bar.drawn) process.stderr.write('\n');
    removeTemporary();
    if (error instanceof BacktestInputError) return bad(error.message);
    throw error;
  } finally {
    lock?.release();
  }
  // The SPY/SPX system's honest account (claims vs measured, P&L by source, the real SPX/SPY ratio), read
  // from the run's database before a temporary one is removed.
  let spySpx: SpySpxAccount | null = null;
  if (strategy.id === SPY_SPX) {
    const store = openStore({ dataDir, check: 'none', now: () => 0 });
    try {
      spySpx = spySpxAccount(store, from!, to!, ratioStatsFromFolder(v.daily ?? DEFAULT_DATA));
    } finally {
      store.close();
    }
  }
  removeTemporary();
  const seconds = (performance.now() - wallStart) / 1000;
  bar.finish(`${result.stats.trades} trades in ${seconds.toFixed(1)} s`);

  const section = result.systemReport ? `\n\n${section16Text(result.systemReport.section16)}` : '';
  out.write(`${statsTable(result)}${section}\n\nPricing: ${result.pricing.text}\n\n${tradeList(result)}\n\nDatabase: ${keep ? result.db : 'removed (a temporary one; --keep-db or --db DIR keeps it)'}\n`);
  if (spySpx) out.write(`\n${spySpxText(spySpx)}\n`);
  if (v.json !== undefined) {
    // The JSON names the database only while it exists.
    const doc = keep ? result : { ...result, db: null };
    const text = `${JSON.stringify(spySpx ? { ...doc, spySpx } : doc, null, 2)}\n`;
    if (jsonToStdout) process.stdout.write(text);
    else {
      try {
        fs.writeFileSync(v.json, text);
      } catch (error) {
        process.stderr.write(`Cannot write ${v.json}: ${(error as Error).message}\n`);
        return 1;
      }
      out.write(`JSON: ${v.json}\n`);
    }
  }
  const errors = result.warnings.filter((w) => w.startsWith('error:'));
  for (const w of result.warnings) process.stderr.write(`${w}\n`);
  if (errors.length > 0) {
    process.stderr.write(`The engine reported ${errors.length} error(s): the results may be incomplete.\n`);
    return 1;
  }
  return 0;
}
