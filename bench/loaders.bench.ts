/**
 * Chain loading and scanning. Input: `spxw_options_eod_2018-01_2018-02.csv` repeated 50× in memory
 * (≈ 722,000 rows); each copy has its years shifted (2018 → 2018 + k, in dates and OCC symbols) so the
 * copies are distinct snapshots rather than 49 sets of duplicates. Goals (issue 3): load ≥ 500,000
 * rows/s; scan the columnar form ≥ 10 million rows/s.
 */
import { medianMs, timeIt, type Figure, type Suite } from './harness.ts';
import { spxw2018Repeated } from './data.ts';
import { parseEodChain } from '../electron/market/data/chain-eod.ts';
import { HAS, PUT, type ChainColumns } from '../electron/market/data/chain-columns.ts';


const repeated = spxw2018Repeated;

/** A backtester-style full scan: mean mid of 0.15–0.25 delta puts with a two-sided quote. */
function scanPuts(c: ChainColumns): number {
  const need = HAS.bid | HAS.ask | HAS.delta;
  let sum = 0;
  let hits = 0;
  const { right, has, delta, bid, ask } = c;
  for (let i = 0; i < c.length; i++) {
    if (right[i] === PUT && (has[i]! & need) === need) {
      const d = delta[i]!;
      if (d <= -0.15 && d >= -0.25) {
        sum += (bid[i]! + ask[i]!) / 2;
        hits++;
      }
    }
  }
  return hits > 0 ? sum / hits : 0;
}

/** Per group: binary-search the put block for the strike nearest 95% of the underlying. */
function scanGroups(c: ChainColumns): number {
  const g = c.groups;
  let acc = 0;
  for (let k = 0; k < g.count; k++) {
    let lo = g.putStart[k]!, hi = g.end[k]!;
    if (lo === hi) continue;
    const target = c.underlyingPrice[lo]! * 0.95;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c.strike[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    acc += c.strike[Math.min(lo, g.end[k]! - 1)]!;
  }
  return acc;
}

async function run(): Promise<Figure[]> {
  const buf = repeated(50);
  let rows = 0;
  let table: ChainColumns | null = null;
  const loadMs = await medianMs(() => {
    const r = parseEodChain(buf);
    rows = r.rows.length;
    table = r.rows;
  }, 5, 1);
  const t = table as unknown as ChainColumns;
  let sink = 0;
  const scanMs = timeIt(() => {
    sink += scanPuts(t);
  }, { minMs: 500 });
  const groupMs = timeIt(() => {
    sink += scanGroups(t);
  }, { minMs: 300 });
  if (sink === 42) console.log('');
  const loadRate = rows / (loadMs / 1000);
  const scanRate = rows / (scanMs / 1000);
  return [
    { name: 'load SPXW EOD CSV ×50 (bytes → columnar)', subject: 'thetadesk', value: loadRate, unit: 'rows/s', goal: '>= 500,000 rows/s', met: loadRate >= 500_000, note: `${rows} rows, ${(buf.length / 1e6).toFixed(0)} MB in ${loadMs.toFixed(0)} ms (median of 5)` },
    { name: 'scan columnar chain (delta-band puts)', subject: 'thetadesk', value: scanRate, unit: 'rows/s', goal: '>= 10,000,000 rows/s', met: scanRate >= 10_000_000, note: `${scanMs.toFixed(2)} ms per full scan` },
    { name: 'indexed lookup (strike search per group)', subject: 'thetadesk', value: t.groups.count / (groupMs / 1000), unit: 'groups/s', note: `${t.groups.count} (date, expiration) groups` },
  ];
}

export const benches: Suite[] = [{ name: 'loaders', run }];
