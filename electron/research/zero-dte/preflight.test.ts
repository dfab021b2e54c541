import { describe, expect, it } from 'vitest';
import { parseAssumptions } from '../../../shared/study/zero-dte.ts';
import type { Sample } from './model.ts';
import { formatPreflight, preflight, PreflightError } from './preflight.ts';

const A = parseAssumptions({ preflight: { minTrainSessions: 100, minSamplesPerBucket: 50 } });
const sample = (i: number, regime = 'vix15-20'): Sample => ({ date: `2020-01-${String((i % 28) + 1).padStart(2, '0')}`, timeBucket: '11:00', volRegime: regime, extensionBucket: 2, remaining: 0, closeReturn: 0 });

describe('preflight gates (T4B)', () => {
  it('passes with enough sessions and samples; warns on a thin regime', () => {
    const samples = [...Array.from({ length: 120 }, (_, i) => sample(i)), ...Array.from({ length: 5 }, (_, i) => sample(i, 'vix>=30'))];
    const p = preflight({ trainSessions: 125, samples }, A);
    expect(p.ok).toBe(true);
    expect(p.checks.find((c) => c.name === 'regime 11:00|vix>=30')).toMatchObject({ level: 'warn' });
  });

  it('fails fast, saying what is short and what to do', () => {
    const p = preflight({ trainSessions: 30, samples: Array.from({ length: 30 }, (_, i) => sample(i)), quotes: { priced: 10, passed: 2 } }, A);
    expect(p.ok).toBe(false);
    const text = formatPreflight(p, true);
    expect(text).toMatch(/FAIL training sessions: only 30 training sessions .* need 100 — start the test later/);
    expect(text).toMatch(/FAIL time bucket 11:00: 30 samples at 11:00, need 50/);
    expect(text).toMatch(/FAIL quote quality: only 20\.0% of 10 quotes pass/);
    expect(new PreflightError(p).message).toMatch(/^preflight failed:\n {2}FAIL/);
  });

  it('no sample at all is a failure with a hint', () => {
    expect(formatPreflight(preflight({ trainSessions: 500, samples: [] }, A))).toMatch(/no training sample at any decision time/);
  });
});
