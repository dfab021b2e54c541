import { etDateTime } from '../../../shared/time/et.ts';
import { askCloseAll, setTheme, startEngine, stopEngine, useApp } from '../store.ts';

const STATE_LABEL = { stopped: 'Stopped', running: 'Running', reconciling: 'Reconciling', halted: 'Halted' } as const;

/** Always visible: engine and connection status, the engine's time in ET, Start, Stop, Close all, and the theme. */
export function ControlBar() {
  const status = useApp((s) => s.status);
  const stream = useApp((s) => s.stream);
  const busy = useApp((s) => s.busy);
  const error = useApp((s) => s.error);
  const theme = useApp((s) => s.theme);
  const state = status?.engineState;
  const conn = status?.connection;

  return (
    <header className="controlbar">
      <div className="brand">Thetadesk</div>
      <div className="pills">
        <span className={`pill engine-${state ?? 'unknown'}`} data-testid="engine-state" aria-label="Engine state">
          Engine: {state ? STATE_LABEL[state] : '…'}
        </span>
        <span className={`pill conn-${conn?.state ?? 'unknown'}`} data-testid="broker-connection" title={conn?.message ?? ''}>
          {conn ? `${conn.broker.toUpperCase()} ${conn.state}` : 'Broker …'}
        </span>
        {status && <span className={`pill mode-${status.mode}`}>{status.mode === 'paper' ? 'PAPER' : 'LIVE'}</span>}
        <span className={`pill stream-${stream}`} data-testid="stream-state">{stream === 'open' ? 'Live updates' : stream === 'connecting' ? 'Connecting…' : 'Updates paused'}</span>
        {status && <span className="pill" data-testid="engine-clock" title={status.simulation ? `Simulated market time. ${status.simulation.message}` : 'Engine time'}>{etDateTime(status.updatedAt, false)} ET</span>}
      </div>
      {error && <div className="error" role="alert">{error}</div>}
      <div className="controls">
        <button className="btn" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button className="btn start" onClick={() => void startEngine()} disabled={!status || busy !== null || state === 'running'}>Start</button>
        <button className="btn stop" onClick={() => void stopEngine()} disabled={!status || busy !== null || state === 'stopped'}>Stop</button>
        <button className="btn danger" onClick={askCloseAll} disabled={!status || busy !== null}>Close all</button>
      </div>
    </header>
  );
}
