import { describe, expect, it } from 'vitest';
import { ProgressBar, renderBar } from './progress.ts';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (t: string) => out.push(t) } };
}

describe('progress bar', () => {
  it('renders the fraction, clamped', () => {
    expect(renderBar(0.5, 10, 'backtest', '2018-01-02')).toBe('backtest █████░░░░░  50%  2018-01-02');
    expect(renderBar(2, 4, 'x', '')).toBe('x ████ 100%');
    expect(renderBar(Number.NaN, 4, 'x', '')).toBe('x ░░░░   0%');
  });

  it('on a terminal redraws in place, at most every minIntervalMs of wall time', () => {
    const { out, stream } = sink(true);
    let wall = 0;
    const bar = new ProgressBar({ stream, enabled: true, wallNow: () => wall, minIntervalMs: 100, width: 4 });
    bar.update(0.1);
    wall = 50;
    bar.update(0.2); // throttled
    wall = 150;
    bar.update(0.3);
    expect(out).toHaveLength(2);
    expect(out[1]!.startsWith('\rbacktest █░░░  30%')).toBe(true);
    bar.finish('done');
    expect(out.at(-1)!.endsWith('100%  done\u001b[K\n')).toBe(true);
    bar.update(0.5);
    expect(out).toHaveLength(3);
  });

  it('forced into a pipe writes one line per 10% step; disabled writes nothing', () => {
    const { out, stream } = sink(false);
    const bar = new ProgressBar({ stream, enabled: true, wallNow: () => 0 });
    for (let f = 0; f <= 1; f += 0.01) bar.update(f);
    bar.finish();
    expect(out.length).toBeGreaterThanOrEqual(10);
    expect(out.length).toBeLessThanOrEqual(11);
    expect(out.every((l) => l.endsWith('\n'))).toBe(true);
    const off = sink(true);
    const quiet = new ProgressBar({ stream: off.stream, enabled: false, wallNow: () => 0 });
    quiet.update(0.5);
    quiet.finish();
    expect(off.out).toEqual([]);
  });
});
