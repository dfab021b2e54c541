import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogEntry } from '../../../shared/api.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { LOG_LEVELS, type LogFilter } from '../../../shared/logs.ts';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { useApp } from '../store.ts';
import { logRows, newerLines, type LogRow } from './logs.ts';

const COLUMNS: Column<LogRow>[] = [
  {
    key: 'time',
    header: 'Time (ET)',
    // The engine's time (the simulated market's, when simulated); the wall-clock time it was written on hover.
    render: (r) => {
      const { time, wall } = r.kind === 'line' ? r.entry : r;
      return <span title={`Written ${etDateTime(wall)} ET (wall clock)`}>{etDateTime(time)}</span>;
    },
    width: 170,
  },
  { key: 'level', header: 'Level', render: (r) => (r.kind === 'line' ? r.entry.level : ''), width: 60 },
  { key: 'source', header: 'Source', render: (r) => (r.kind === 'line' ? r.entry.source : ''), width: 140 },
  {
    key: 'message',
    header: 'Message',
    render: (r) =>
      r.kind === 'restart' ? (
        <strong>Restart — the app started again here, at {etDateTime(r.wall)} ET by the wall clock (line #{r.session}); the lines below are from the run before.</strong>
      ) : (
        <span title={r.entry.message}>{r.entry.message}</span>
      ),
  },
];

/** The lines on screen, oldest first, and whether the oldest kept line is among them. */
type Held = { entries: LogEntry[]; complete: boolean };

/** Lines per request (the first load and each "Load older"). */
const PAGE = 500;
/** Lines held on screen; beyond it the oldest are let go (and can be loaded again). */
const MAX_HELD = 50_000;

/** The value, once it has stopped changing for `ms` (typing in the search box asks the engine once). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The engine's log, newest first, read back from its files across restarts (a restart row marks each
 * new run) and kept live from the event stream; filtered by level, source and text by the engine, and
 * paged back with "Load older lines".
 */
export function LogsPage() {
  const api = useApp((s) => s.api);
  const live = useApp((s) => s.logs);
  const [level, setLevel] = useState<(typeof LOG_LEVELS)[number]>('info');
  const [source, setSource] = useState('');
  const [text, setText] = useState('');
  const needle = useSettled(text.trim(), 300);
  const filterKey = JSON.stringify({ level, ...(source ? { source } : {}), ...(needle ? { text: needle } : {}) });
  const filter = useMemo(() => JSON.parse(filterKey) as LogFilter, [filterKey]);
  const [held, setHeld] = useState<Held | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);

  /** Loads the latest lines matching the filter, or with `older` the page before the oldest held. */
  const load = (older: Held | null) => {
    if (!api) return;
    const mine = ++request.current;
    const beforeSeq = older?.entries[0]?.seq;
    setLoading(true);
    api.call('logs.list', { limit: PAGE, ...filter, ...(beforeSeq !== undefined ? { beforeSeq } : {}) }).then(
      (entries) => {
        if (mine !== request.current) return;
        setHeld((now) => ({ entries: older && now ? [...entries, ...now.entries] : entries, complete: entries.length < PAGE }));
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== request.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
  };
  // Read back again whenever the filter (or the connection) changes (`load` reads both).
  useEffect(() => {
    setHeld(null);
    load(null);
  }, [api, filter]);

  // Live lines join the held ones as they come (the store keeps only the last 2,000, so take them now).
  useEffect(() => {
    setHeld((now) => {
      if (!now) return now;
      const more = newerLines(now.entries, live, filter);
      if (more.length === 0) return now;
      const entries = [...now.entries, ...more];
      return entries.length > MAX_HELD ? { entries: entries.slice(-MAX_HELD), complete: false } : { ...now, entries };
    });
  }, [live, held, filter]);

  const entries = held?.entries ?? [];
  const rows = useMemo(() => logRows(entries), [entries]);
  const sources = useMemo(() => [...new Set([...entries, ...live].map((l) => l.source).concat(source ? [source] : []))].sort(), [entries, live, source]);
  return (
    <section className="card wide" aria-labelledby="logs-h">
      <h2 id="logs-h">Engine log</h2>
      <div className="toolbar">
        <label>Level <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>{LOG_LEVELS.map((l) => <option key={l}>{l}</option>)}</select></label>
        <label>Source <select value={source} onChange={(e) => setSource(e.target.value)}><option value="">All</option>{sources.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Search <input value={text} onChange={(e) => setText(e.target.value)} placeholder="text in the message" /></label>
        <span className="hint">{loading ? 'Loading…' : `${entries.length} lines`}</span>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <VirtualTable
        label="Log lines"
        rows={rows}
        columns={COLUMNS}
        rowKey={(r) => (r.kind === 'line' ? r.entry.seq : `restart-${r.session}`)}
        height={560}
        rowClassName={(r) => (r.kind === 'line' ? `log-${r.entry.level}` : 'log-restart')}
        empty={<p className="hint">{loading ? 'Loading…' : 'No log lines match.'}</p>}
      />
      <div className="toolbar">
        {held?.complete ? (
          <span className="hint">Start of the kept log.</span>
        ) : (
          <button className="btn" onClick={() => load(held)} disabled={loading || !held}>Load older lines</button>
        )}
      </div>
    </section>
  );
}
