import { useMemo, useState } from 'react';
import { etTime } from '../../../shared/format.ts';
import { useApp } from '../store.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function LogsPage() {
  const logs = useApp((s) => s.logs);
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('info');
  const [text, setText] = useState('');
  const shown = useMemo(() => {
    const min = LEVELS.indexOf(level);
    const needle = text.toLowerCase();
    return logs.filter((l) => LEVELS.indexOf(l.level) >= min && (!needle || l.message.toLowerCase().includes(needle) || l.source.includes(needle))).slice(-500).reverse();
  }, [logs, level, text]);
  return (
    <section className="card wide" aria-labelledby="logs-h">
      <h2 id="logs-h">Engine log</h2>
      <div className="filters">
        <label>Level <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>{LEVELS.map((l) => <option key={l}>{l}</option>)}</select></label>
        <label>Search <input value={text} onChange={(e) => setText(e.target.value)} placeholder="text or source" /></label>
      </div>
      {shown.length === 0 ? (
        <p className="hint">No log lines match.</p>
      ) : (
        <table className="table" aria-label="Log lines">
          <thead><tr><th>Time (ET)</th><th>Level</th><th>Source</th><th>Message</th></tr></thead>
          <tbody>
            {shown.map((l) => (
              <tr key={l.seq} className={`log-${l.level}`}><td>{etTime(l.time)}</td><td>{l.level}</td><td>{l.source}</td><td>{l.message}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
