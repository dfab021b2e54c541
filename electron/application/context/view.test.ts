import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextPointSchema } from '../../../shared/api.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { readDailyCloses } from '../../market/data/index.ts';
import type { Store } from '../../store/store.ts';
import { contextSeries } from './view.ts';

const DATA = path.resolve(import.meta.dirname, '../../..', '..', 'shared/data');

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

/** Real VIX, VIX9D and VIX3M closes of March 2023 from ../shared/data, keyed by date. */
function vixMarch2023(): { date: string; vix: number; vix9d: number | null; vix3m: number | null }[] {
  const load = (file: string) => new Map(readDailyCloses(path.join(DATA, file)).rows.filter((r) => r.date.startsWith('2023-03')).map((r) => [r.date, r.close]));
  const vix = load('vix_daily.csv');
  const vix9d = load('vix9d_daily.csv');
  const vix3m = load('vix3m_daily.csv');
  return [...vix].map(([date, v]) => ({ date, vix: v, vix9d: vix9d.get(date) ?? null, vix3m: vix3m.get(date) ?? null }));
}

describe('contextSeries', () => {
  it('returns the points of the ET date range oldest first, with nulls kept and the latest `limit` when capped', () => {
    store = openTemp();
    const days = vixMarch2023();
    expect(days.length).toBeGreaterThan(15);
    // Inserted newest first: the order must come from the query, not the insert order.
    for (const d of [...days].reverse()) {
      for (const time of ['09:35', '16:00']) {
        store.context.insert({
          takenAt: etToEpoch(d.date, time), spx: 3900, vix: d.vix, vix9d: d.vix9d, vix3m: d.vix3m,
          termStructure: d.vix9d === null ? null : d.vix9d / d.vix, gexNet: time === '09:35' ? -1.5e9 : null, zeroGammaLevel: null, payload: { date: d.date },
        });
      }
    }
    // The 12th..13th of March 2023 straddle the switch to daylight time (12 March).
    const from = '2023-03-10';
    const to = '2023-03-14';
    const inRange = days.filter((d) => d.date >= from && d.date <= to);
    const points = contextSeries(store, from, to, 1000);
    expect(points).toHaveLength(inRange.length * 2);
    expect(points.map((p) => p.time)).toEqual(inRange.flatMap((d) => [etToEpoch(d.date, '09:35'), etToEpoch(d.date, '16:00')]));
    for (const p of points) expect(ContextPointSchema.parse(p)).toEqual(p);
    const first = inRange[0]!;
    expect(points[0]).toEqual({ time: etToEpoch(first.date, '09:35'), spx: 3900, vix: first.vix, vix9d: first.vix9d, vix3m: first.vix3m, termStructure: first.vix9d! / first.vix, gexNet: -1.5e9, zeroGammaLevel: null });
    expect(points[1]!.gexNet).toBeNull();

    const capped = contextSeries(store, from, to, 3);
    expect(capped).toEqual(points.slice(-3));
    expect(contextSeries(store, '2023-03-11', '2023-03-12', 100)).toEqual([]); // a weekend
  });

  it('includes the whole last ET day up to midnight ET and nothing after', () => {
    store = openTemp();
    const inside = etToEpoch('2026-11-23', '23:59:59');
    const outside = etToEpoch('2026-11-24', '00:00');
    store.context.insert({ takenAt: inside, vix: 20, payload: {} });
    store.context.insert({ takenAt: outside, vix: 21, payload: {} });
    store.context.insert({ takenAt: etToEpoch('2026-11-23', '00:00'), vix: 19, payload: {} });
    expect(contextSeries(store, '2026-11-23', '2026-11-23', 10).map((p) => p.vix)).toEqual([19, 20]);
    expect(contextSeries(store, '2026-11-24', '2026-11-24', 10).map((p) => p.vix)).toEqual([21]);
  });
});
