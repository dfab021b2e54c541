import { useEffect } from 'react';
import { ControlBar } from './components/ControlBar.tsx';
import { ConfirmDialog } from './components/ConfirmDialog.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { LogsPage } from './pages/LogsPage.tsx';
import { TradesPage } from './pages/TradesPage.tsx';
import { cancelCloseAll, confirmCloseAll, goTo, useApp, type Page } from './store.ts';

const PAGES: { id: Page; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'trades', label: 'Trades' },
  { id: 'logs', label: 'Logs' },
];

export function App() {
  const page = useApp((s) => s.page);
  const apiProblem = useApp((s) => s.apiProblem);
  const confirming = useApp((s) => s.confirmCloseAll);
  const openPositions = useApp((s) => s.status?.openPositions ?? 0);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const index = Number(e.key) - 1;
      if (index >= 0 && index < PAGES.length) goTo(PAGES[index]!.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <ControlBar />
      <div className="body">
        <nav className="nav" aria-label="Pages">
          {PAGES.map((p, i) => (
            <button key={p.id} className={p.id === page ? 'nav-item active' : 'nav-item'} aria-current={p.id === page ? 'page' : undefined} onClick={() => goTo(p.id)} title={`Alt+${i + 1}`}>
              {p.label}
            </button>
          ))}
        </nav>
        <main className="page">
          {apiProblem ? (
            <div className="empty" role="alert">{apiProblem}</div>
          ) : page === 'overview' ? (
            <OverviewPage />
          ) : page === 'trades' ? (
            <TradesPage />
          ) : (
            <LogsPage />
          )}
        </main>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Close all positions?"
          body={`This cancels every working order, closes ${openPositions} open position${openPositions === 1 ? '' : 's'} with marketable limit orders, and disables new entries until you press Start.`}
          confirmLabel="Close all positions"
          onConfirm={() => void confirmCloseAll()}
          onCancel={cancelCloseAll}
        />
      )}
    </div>
  );
}
