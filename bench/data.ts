/** Inputs shared by several benchmarks, read from ../shared/data (never copied into the repo). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const dataDir = path.resolve(import.meta.dirname, '..', '..', 'shared', 'data');

/**
 * `spxw_options_eod_2018-01_2018-02.csv` repeated `copies` times in memory (×50 ≈ 722,000 rows); each
 * copy has its years shifted (2018 → 2018 + k, in dates and OCC symbols) so the copies are distinct
 * snapshots rather than duplicates.
 */
export function spxw2018Repeated(copies: number): Buffer {
  const text = readFileSync(path.join(dataDir, 'spxw_options_eod_2018-01_2018-02.csv'), 'latin1');
  const nl = text.indexOf('\n');
  const parts = [text.slice(0, nl + 1)];
  const body = text.slice(nl + 1);
  for (let k = 0; k < copies; k++) {
    const y = 2018 + k;
    parts.push(body.replaceAll('2018-', `${y}-`).replaceAll('SPXW18', `SPXW${String(y % 100).padStart(2, '0')}`));
  }
  return Buffer.from(parts.join(''), 'latin1');
}
