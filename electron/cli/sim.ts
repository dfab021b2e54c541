/**
 * `thetadesk sim <export|chain|report>` — look at what the built-in market simulator produces.
 *
 * - `export`: one CSV row per session (date; SPX open/high/low/close; SPY close; VIX, VIX9D, VIX3M and
 *   SKEW closes).
 * - `chain`: one option chain at an ET minute, in the normalized chain-row format of
 *   ../shared/reference/options-data-formats.md §7 (one row per contract).
 * - `report`: the realism report (electron/market/sim/report.ts) — statistics of simulated years beside
 *   the real history, with pass/fail against the targets.
 *
 * The same seed and start give the same market (the simulator's contract), so `export` and `chain`
 * agree with each other and with `thetadesk backtest --seed N --from D` when given the same `--start`
 * (default: January 1 of the year asked for).
 *
 * Exit codes: 0 done; 1 failed (or, with `report --strict`, a target missed); 2 bad arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { OptionRoot } from '../../shared/domain/chain.ts';
import { isTradingDay, nextTradingDay, session } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { buildReport, formatReport, loadRealMarket, parseSeeds, simulateYear } from '../market/sim/report.ts';
import { createSimulator } from '../market/sim/simulator.ts';
import type { Simulator } from '../market/sim/simulator.ts';
import { csvRecord } from '../store/csv.ts';
import { isIsoDate } from '../../shared/time/days.ts';

const ROOTS: readonly OptionRoot[] = ['SPXW', 'SPX', 'SPY'];
/** Default folder of the real data: ../shared/data beside the repository. */
export const DEFAULT_REAL_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
/** Longest export, in calendar days (about a century). */
const MAX_EXPORT_DAYS = 36_600;

export const USAGE = `Usage: thetadesk sim <command> [options]

Commands:
  export --seed N --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.csv [--start YYYY-MM-DD]
      one row per session: date, SPX open/high/low/close, SPY close, VIX, VIX9D, VIX3M and SKEW closes
  chain --seed N --at "YYYY-MM-DD HH:MM" --root SPXW|SPX|SPY --expiration YYYY-MM-DD --out FILE.csv [--start YYYY-MM-DD]
      one option chain at an ET time (during or after that day's session), one row per contract, in the
      normalized chain format (ts, underlying, root, expiry, right, strike, bid, ask, sizes, last, volume,
      open_interest, iv, greeks, underlying_price)
  report [--seeds 1-20] [--real-dir DIR] [--strict]
      realism report: statistics of one simulated year per seed beside the real SPX/VIX history
      (default --real-dir: ${DEFAULT_REAL_DIR}); --strict exits 1 when a target is missed

The same seed and start give the same market. --start is the day the simulation starts (default:
January 1 of the year of --from / --at), as "thetadesk backtest --seed N --from D" starts on D.`;

function bad(problems: string[]): number {
  process.stderr.write(`${problems.join('\n')}\n\n${USAGE}\n`);
  return 2;
}

/** A seed as the user types it: a whole number 0 … 2^32 − 1. */
function seedOf(text: string | undefined, problems: string[]): number {
  if (text === undefined) {
    problems.push('--seed N is required.');
    return 0;
  }
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) problems.push(`--seed must be a whole number from 0 to 4294967295, got "${text}".`);
  return Number(text);
}

function dateOf(name: string, text: string | undefined, problems: string[], required = true): string | null {
  if (text === undefined) {
    if (required) problems.push(`--${name} YYYY-MM-DD is required.`);
    return null;
  }
  if (!isIsoDate(text)) {
    problems.push(`--${name} must be a date written YYYY-MM-DD, got "${text}".`);
    return null;
  }
  return text;
}

/** Runs the command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: false,
      strict: true,
      options: {
        seed: { type: 'string' },
        seeds: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        start: { type: 'string' },
        at: { type: 'string' },
        root: { type: 'string' },
        expiration: { type: 'string' },
        out: { type: 'string', short: 'o' },
        'real-dir': { type: 'string' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return bad([(error as Error).message]);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const allowed: Record<string, readonly string[]> = {
    export: ['seed', 'from', 'to', 'out', 'start'],
    chain: ['seed', 'at', 'root', 'expiration', 'out', 'start'],
    report: ['seeds', 'real-dir', 'strict'],
  };
  const own = allowed[command];
  if (!own) return bad([`Unknown sim command "${command}". Choose one of: export, chain, report.`]);
  const stray = Object.keys(v).filter((k) => !own.includes(k));
  if (stray.length > 0) return bad(stray.map((k) => `--${k} does not apply to "sim ${command}".`));
  if (command === 'export') return exportDays(v);
  if (command === 'chain') return exportChain(v);
  return report(v);
}

type Values = Record<string, string | boolean | undefined>;
const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

function startOf(v: Values, firstDay: string | null, problems: string[]): string | null {
  const start = dateOf('start', str(v, 'start'), problems, false);
  if (start !== null && firstDay !== null && start > firstDay) problems.push(`--start ${start} is after the first day asked for (${firstDay}).`);
  return start ?? (firstDay ? `${firstDay.slice(0, 4)}-01-01` : null);
}

function outOf(v: Values, problems: string[]): string | null {
  const out = str(v, 'out');
  if (!out) {
    problems.push('--out FILE.csv is required.');
    return null;
  }
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) problems.push(`--out: folder ${dir} does not exist.`);
  return out;
}

// ------------------------------------------------------------------------------------------------
// export

const EXPORT_HEADER = ['date', 'spx_open', 'spx_high', 'spx_low', 'spx_close', 'spy_close', 'vix_close', 'vix9d_close', 'vix3m_close', 'skew_close'];

function exportDays(v: Values): number {
  const problems: string[] = [];
  const seed = seedOf(str(v, 'seed'), problems);
  const from = dateOf('from', str(v, 'from'), problems);
  const to = dateOf('to', str(v, 'to'), problems);
  const out = outOf(v, problems);
  if (from && to && from > to) problems.push(`--from ${from} is after --to ${to}.`);
  const start = startOf(v, from, problems);
  if (from && to && start && (Date.parse(to) - Date.parse(start)) / 86_400_000 > MAX_EXPORT_DAYS) problems.push(`--start to --to spans more than ${MAX_EXPORT_DAYS} days; export at most a century at a time.`);
  if (problems.length > 0) return bad(problems);

  const sim = createSimulator({ seed, start: start! });
  const fd = fs.openSync(out!, 'w');
  let rows = 0;
  try {
    fs.writeSync(fd, csvRecord(EXPORT_HEADER));
    for (let date = etDate(sim.now()); date <= to!; date = nextTradingDay(date)) {
      sim.advanceTo(session(date)!.close);
      if (date < from!) continue;
      const spx = sim.quote('SPX');
      const close = (s: 'SPY' | 'VIX' | 'VIX9D' | 'VIX3M'): number => sim.quote(s).last;
      fs.writeSync(fd, csvRecord([date, spx.open, spx.high, spx.low, spx.last, close('SPY'), close('VIX'), close('VIX9D'), close('VIX3M'), sim.skewIndex()]));
      rows++;
    }
  } finally {
    fs.closeSync(fd);
  }
  process.stdout.write(`Wrote ${rows} session${rows === 1 ? '' : 's'} of seed ${seed} (started ${start}) to ${out}\n`);
  return 0;
}

// ------------------------------------------------------------------------------------------------
// chain

/** Columns of the normalized chain row (options-data-formats.md §7). */
export const CHAIN_HEADER = ['ts', 'underlying', 'root', 'expiry', 'right', 'strike', 'bid', 'ask', 'bid_size', 'ask_size', 'last', 'volume', 'open_interest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'underlying_price'];

function exportChain(v: Values): number {
  const problems: string[] = [];
  const seed = seedOf(str(v, 'seed'), problems);
  const atText = str(v, 'at');
  let at: number | null = null;
  let atDate: string | null = null;
  if (atText === undefined) problems.push('--at "YYYY-MM-DD HH:MM" (ET) is required.');
  else {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(atText.trim());
    if (!m || !isIsoDate(m[1]!)) problems.push(`--at must be an ET time written "YYYY-MM-DD HH:MM", got "${atText}".`);
    else {
      try {
        at = etToEpoch(m[1]!, m[2]!);
        atDate = m[1]!;
      } catch (error) {
        problems.push(`--at: ${(error as Error).message}`);
      }
    }
  }
  if (atDate !== null && at !== null) {
    const s = session(atDate);
    if (!s) problems.push(`--at ${atDate} is not a trading day (weekend or market holiday).`);
    else if (at < s.open) problems.push(`--at ${atText} is before that day's 09:30 ET open; the simulator has no chain before the session.`);
  }
  const root = str(v, 'root');
  if (root === undefined) problems.push('--root SPXW|SPX|SPY is required.');
  else if (!(ROOTS as readonly string[]).includes(root)) problems.push(`--root must be SPXW, SPX or SPY, got "${root}".`);
  const expiration = dateOf('expiration', str(v, 'expiration'), problems);
  const out = outOf(v, problems);
  const start = startOf(v, atDate, problems);
  let sim: Simulator | null = null;
  if (problems.length === 0) {
    sim = createSimulator({ seed, start: start! });
    sim.advanceTo(at!);
    const listed = sim.expirations(root as OptionRoot);
    if (!isTradingDay(expiration!) || !listed.includes(expiration!)) {
      const near = listed.filter((e) => e >= expiration!).slice(0, 3);
      problems.push(`--expiration ${expiration}: no ${root} series is listed (or still trading) for that date at ${atText}. ${near.length ? `Nearest listed: ${near.join(', ')}.` : ''}`.trim());
    }
  }
  if (problems.length > 0) return bad(problems);

  const snap = sim!.chain(root as OptionRoot, expiration!);
  const text: string[] = [csvRecord(CHAIN_HEADER)];
  for (const c of snap.contracts) {
    text.push(csvRecord([
      snap.time, snap.underlying, c.root, c.expiration, c.right, c.strike, c.bid, c.ask, c.bidSize, c.askSize, c.last, c.volume,
      c.openInterest, c.iv, c.delta, c.gamma, c.theta, c.vega, snap.underlyingPrice,
    ]));
  }
  fs.writeFileSync(out!, text.join(''));
  process.stdout.write(`Wrote ${snap.contracts.length} ${root} ${expiration} contracts of seed ${seed} at ${atText} ET (SPX ${sim!.quote('SPX').last}, SPY ${sim!.quote('SPY').last}) to ${out}\n`);
  return 0;
}

// ------------------------------------------------------------------------------------------------
// report

function report(v: Values): number {
  const problems: string[] = [];
  let seeds: number[] = [];
  try {
    seeds = parseSeeds(str(v, 'seeds') ?? '1-20');
  } catch (error) {
    problems.push((error as Error).message);
  }
  const dir = str(v, 'real-dir') ?? DEFAULT_REAL_DIR;
  let real: ReturnType<typeof loadRealMarket> | null = null;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) problems.push(`--real-dir: ${dir} is not a folder (it holds spx_daily.csv and vix_daily.csv from ../shared/data).`);
  else {
    try {
      real = loadRealMarket(dir);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) return bad(problems);
  const sims = seeds.map((s) => simulateYear(s));
  const r = buildReport(real!, sims, seeds);
  process.stdout.write(`${formatReport(r)}\n`);
  return v.strict && !r.pass ? 1 : 0;
}
