import { useMemo, useState } from 'react';
import type { LogEntry } from '../../../shared/api.ts';
import { etDateTime } from '../../../shared/format.ts';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { useApp } from '../store.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const COLUMNS: Column<LogEntry>[] = [
  { key: 'time', header: 'Time (ET)', render: (l) => etDateTime(l.time), width: 170 },
  { key: 'level', header: 'Level', render: (l) => l.level, width: 60 },
  { key: 'source', header: 'Source', render: (l) => l.source, width: 140 },
  { key: 'message', header: 'Message', render: (l) => <span title={l.message}>{l.message}</span> },
];

/** The engine's log (kept live from the event stream), newest first, filterable by level, source and text. */
export function LogsPage() {
  const logs = useApp((s) => s.logs);
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('info');
  const [source, setSource] = useState('');
  const [text, setText] = useState('');
  const sources = useMemo(() => [...new Set(logs.map((l) => l.source))].sort(), [logs]);
  const shown = useMemo(() => {
    const min = LEVELS.indexOf(level);
    const needle = text.toLowerCase();
    return logs.filter((l) => LEVELS.indexOf(l.level) >= min && (!source || l.source === source) && (!needle || l.message.toLowerCase().includes(needle))).reverse();
  }, [logs, level, source, text]);
  return (
    <section className="card wide" aria-labelledby="logs-h">
      <h2 id="logs-h">Engine log</h2>
      <div className="toolbar">
        <label>Level <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>{LEVELS.map((l) => <option key={l}>{l}</option>)}</select></label>
        <label>Source <select value={source} onChange={(e) => setSource(e.target.value)}><option value="">All</option>{sources.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Search <input value={text} onChange={(e) => setText(e.target.value)} placeholder="text in the message" /></label>
        <span className="hint">{shown.length} of {logs.length} lines</span>
      </div>
      <VirtualTable label="Log lines" rows={shown} columns={COLUMNS} rowKey={(l) => l.seq} height={560} rowClassName={(l) => `log-${l.level}`} empty={<p className="hint">No log lines match.</p>} />
    </section>
  );
}
