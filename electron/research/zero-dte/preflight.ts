/**
 * T4B, data sufficiency and session preflight gates, checked before a fit, a walk-forward or a forward
 * scoring: enough training sessions, enough samples in each time bucket (and a word on thin regimes),
 * enough quotes passing quality, and what the data lacks. A failing gate stops the run with readable
 * diagnostics (what, how many, what is needed, what to do); warnings and notes are printed and kept.
 */
import type { ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import type { IntradayDataset } from './dataset.ts';
import { bucketKeys, type Sample } from './model.ts';

export type PreflightCheck = { name: string; level: 'fail' | 'warn' | 'info'; message: string };
export type Preflight = { ok: boolean; checks: PreflightCheck[] };

export type PreflightInput = {
  /** Training sessions available before the first scored session. */
  trainSessions: number;
  /** The training samples (per decision) before the first scored session. */
  samples: readonly Sample[];
  /** Priced ladder rows from quotes, and how many passed quality (omit when premiums are modeled). */
  quotes?: { priced: number; passed: number };
  dataset?: IntradayDataset;
};

/** Runs the gates. */
export function preflight(input: PreflightInput, a: ZeroDteAssumptions): Preflight {
  const checks: PreflightCheck[] = [];
  const need = a.preflight.minTrainSessions;
  checks.push(
    input.trainSessions >= need
      ? { name: 'training sessions', level: 'info', message: `${input.trainSessions} training sessions before the first scored one (need ${need})` }
      : { name: 'training sessions', level: 'fail', message: `only ${input.trainSessions} training sessions before the first scored one; need ${need} — start the test later (--from) or load more history` },
  );
  const byTime = new Map<string, number>();
  const byRegime = new Map<string, number>();
  for (const s of input.samples) {
    const [time, regime] = bucketKeys(s);
    byTime.set(time, (byTime.get(time) ?? 0) + 1);
    byRegime.set(regime, (byRegime.get(regime) ?? 0) + 1);
  }
  const min = a.preflight.minSamplesPerBucket;
  if (byTime.size === 0) checks.push({ name: 'samples per time bucket', level: 'fail', message: 'no training sample at any decision time — check --decision-time against the bars (and that the sessions have their closing bar)' });
  for (const [time, n] of [...byTime].sort()) {
    checks.push(n >= min
      ? { name: `time bucket ${time}`, level: 'info', message: `${n} samples (need ${min})` }
      : { name: `time bucket ${time}`, level: 'fail', message: `${n} samples at ${time}, need ${min} — use more history or a coarser time bucket` });
  }
  for (const [key, n] of [...byRegime].sort()) {
    if (n < min) checks.push({ name: `regime ${key}`, level: 'warn', message: `${n} samples (below ${min}): its estimates lean on the time bucket (shrinkage)` });
  }
  if (input.quotes && input.quotes.priced > 0) {
    const rate = input.quotes.passed / input.quotes.priced;
    const minRate = a.preflight.minQuoteQualityPassRate;
    checks.push(rate >= minRate
      ? { name: 'quote quality', level: 'info', message: `${(rate * 100).toFixed(1)}% of ${input.quotes.priced} quotes pass (need ${(minRate * 100).toFixed(0)}%)` }
      : { name: 'quote quality', level: 'fail', message: `only ${(rate * 100).toFixed(1)}% of ${input.quotes.priced} quotes pass quality (need ${(minRate * 100).toFixed(0)}%) — check the quote source's spreads and times` });
  }
  for (const issue of input.dataset?.issues ?? []) checks.push({ name: `data: ${issue.code}`, level: 'warn', message: `${issue.message}${issue.examples.length > 0 ? ` (e.g. ${issue.examples.join(', ')})` : ''}` });
  return { ok: checks.every((c) => c.level !== 'fail'), checks };
}

/** The checks as lines: failures first. */
export function formatPreflight(p: Preflight, onlyProblems = false): string {
  const order = { fail: 0, warn: 1, info: 2 } as const;
  return [...p.checks]
    .filter((c) => !onlyProblems || c.level !== 'info')
    .sort((x, y) => order[x.level] - order[y.level])
    .map((c) => `  ${c.level === 'fail' ? 'FAIL' : c.level === 'warn' ? 'warn' : 'ok  '} ${c.name}: ${c.message}`)
    .join('\n');
}

/** Thrown when a gate fails: the message lists every check that failed. */
export class PreflightError extends Error {
  readonly preflight: Preflight;
  constructor(p: Preflight) {
    super(`preflight failed:\n${formatPreflight(p, true)}`);
    this.preflight = p;
  }
}
