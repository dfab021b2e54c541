/**
 * Market context: the VIX family, the term structure and GEX with SPX over an ET date range. The charts
 * are created once; new context points stream into them (series.update) as the engine takes
 * snapshots, without re-creating or re-rendering the charts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ContextPoint } from '../../../shared/api.ts';
import { formatPrice } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { TimeChart, type PushPoint, type SeriesSpec } from '../components/TimeChart.tsx';
import { useCall } from '../lib/useCall.ts';
import { todayEt } from '../lib/time.ts';
import { useApp } from '../store.ts';
import { GEX_POSITIVE_COLOR, toSeries, valuesOf } from './context.ts';
import { useEtRange, validRange } from './records.ts';
import './records.css';

const VIX_SERIES: SeriesSpec[] = [
  { id: 'vix9d', title: 'VIX9D', color: '#f59e0b' },
  { id: 'vix', title: 'VIX', color: '#3b82f6' },
  { id: 'vix3m', title: 'VIX3M', color: '#a855f7' },
];
const TERM_SERIES: SeriesSpec[] = [
  { id: 'termStructure', title: 'VIX9D / VIX', color: '#14b8a6' },
  { id: 'vixOverVix3m', title: 'VIX / VIX3M', color: '#ef4444' },
];
const GEX_SERIES: SeriesSpec[] = [
  // Each bar carries its own colour by sign (context.ts); this one is only the default.
  { id: 'gexBn', title: 'GEX net ($bn per 1%)', kind: 'histogram', color: GEX_POSITIVE_COLOR, scale: 'left' },
  { id: 'spx', title: 'SPX', color: '#3b82f6' },
  { id: 'zeroGamma', title: 'Zero gamma', color: '#f59e0b' },
];

export function ContextPage() {
  const { from, to, ready, setFrom, setTo } = useEtRange('context');
  const ok = validRange(from, to);
  const { data, error, loading, reload } = useCall('context.series', ok ? { from, to, limit: 20_000 } : null);
  const series = useMemo(() => (data ? toSeries(data) : undefined), [data]);
  const latestLoaded = data && data.length > 0 ? data[data.length - 1]! : null;
  const [live, setLive] = useState<ContextPoint | null>(null);
  const shown = live && (!latestLoaded || live.time > latestLoaded.time) ? live : latestLoaded;

  // Live points: every chart registers its push function once; new snapshots are fetched and pushed.
  const pushers = useRef(new Set<PushPoint>());
  const subscribe = useCallback((push: PushPoint) => {
    pushers.current.add(push);
    return () => void pushers.current.delete(push);
  }, []);
  const api = useApp((s) => s.api);
  const lastSnapshotAt = useApp((s) => s.status?.lastSnapshotAt ?? null);
  const lastPushed = useRef(0);
  useEffect(() => {
    lastPushed.current = latestLoaded?.time ?? 0;
    setLive(null);
  }, [latestLoaded]);
  useEffect(() => {
    if (!api || lastSnapshotAt === null || lastSnapshotAt <= lastPushed.current) return;
    const day = todayEt(lastSnapshotAt);
    if (!ok || day < from || day > to) return; // outside the range on screen
    let cancelled = false;
    void api.call('context.series', { from: day, to: day, limit: 50 }).then(
      (points) => {
        if (cancelled) return;
        for (const p of points) {
          if (p.time <= lastPushed.current) continue;
          lastPushed.current = p.time;
          for (const push of pushers.current) for (const [id, point] of valuesOf(p)) push(id, point);
          setLive(p);
        }
      },
      () => {
        // A failed live refresh is retried with the next snapshot; the loaded series stays on screen.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, lastSnapshotAt, ok, from, to]);

  const empty = data !== null && data.length === 0 && live === null;
  return (
    <div className="stack records">
      <section className="card" aria-labelledby="context-h">
        <h2 id="context-h">Market context</h2>
        <div className="toolbar">
          <label>From (ET) <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (ET) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <button className="btn" onClick={reload} disabled={!ok}>Refresh</button>
          {loading && <span className="hint">Loading…</span>}
          {shown && (
            <span className="hint" aria-label="Latest context">
              {etDateTime(shown.time, false)} ET · VIX {formatPrice(shown.vix)} · VIX9D/VIX {formatPrice(shown.termStructure, 3)} · SPX {formatPrice(shown.spx)}
            </span>
          )}
        </div>
        {ready && !ok && <p className="field-error" role="alert">Pick a "from" date on or before the "to" date.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        {empty && (
          <p className="empty">
            No market context from {from} to {to} (ET). The engine records VIX, VIX9D, VIX3M and GEX with every chain snapshot while the market is open — press Start, or pick other dates.
          </p>
        )}
      </section>
      <div className="charts">
        <section className="card" aria-labelledby="ctx-vix-h">
          <h2 id="ctx-vix-h">VIX, VIX9D, VIX3M</h2>
          <TimeChart label="VIX, VIX9D and VIX3M" series={VIX_SERIES} data={series} subscribe={subscribe} height={240} />
        </section>
        <section className="card" aria-labelledby="ctx-term-h">
          <h2 id="ctx-term-h">Term structure</h2>
          <p className="hint">Above 1: the short end is stressed (backwardation).</p>
          <TimeChart label="Term structure VIX9D / VIX" series={TERM_SERIES} data={series} subscribe={subscribe} height={200} />
        </section>
        <section className="card" aria-labelledby="ctx-gex-h">
          <h2 id="ctx-gex-h">Gamma exposure and SPX</h2>
          <p className="hint">Dealer GEX of the strategy's chains, $bn per 1% move (dealers assumed long the calls, short the puts): green bars damp moves, red bars amplify them. Zero gamma: the SPX level where it changes sign.</p>
          <TimeChart label="GEX net and SPX" series={GEX_SERIES} data={series} subscribe={subscribe} height={240} />
        </section>
      </div>
    </div>
  );
}
