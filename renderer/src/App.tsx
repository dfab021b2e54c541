import { useEffect } from 'react';
import { etWhen } from '../../shared/time/et.ts';
import { ControlBar } from './components/ControlBar.tsx';
import { ConfirmDialog } from './components/ConfirmDialog.tsx';
import { BacktestsPage } from './pages/BacktestsPage.tsx';
import { ContextPage } from './pages/ContextPage.tsx';
import { DecisionsPage } from './pages/DecisionsPage.tsx';
import { LogsPage } from './pages/LogsPage.tsx';
import { OptimusPage } from './pages/OptimusPage.tsx';
import { OrdersPage } from './pages/OrdersPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { PositionsPage } from './pages/PositionsPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { SnapshotPage } from './pages/SnapshotPage.tsx';
import { SpySpxPage } from './pages/SpySpxPage.tsx';
import { StrategiesPage } from './pages/StrategiesPage.tsx';
import { StudyPage } from './pages/StudyPage.tsx';
import { TradesPage } from './pages/TradesPage.tsx';
import { cancelCloseAll, confirmCloseAll, goTo, PAGES, useApp, type Page } from './store.ts';

const VIEWS: Record<Page, () => React.JSX.Element> = {
  overview: OverviewPage,
  strategies: StrategiesPage,
  positions: PositionsPage,
  orders: OrdersPage,
  trades: TradesPage,
  decisions: DecisionsPage,
  context: ContextPage,
  snapshot: SnapshotPage,
  backtests: BacktestsPage,
  settings: SettingsPage,
  logs: LogsPage,
  study: StudyPage,
  optimus: OptimusPage,
  spyspx: SpySpxPage,
};

/** Alt+1…Alt+9, Alt+0, Alt+- and Alt+= open the first twelve pages in nav order (the rest have none). */
const SHORTCUT_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '='];

export function App() {
  const page = useApp((s) => s.page);
  const apiProblem = useApp((s) => s.apiProblem);
  const confirming = useApp((s) => s.confirmCloseAll);
  const openPositions = useApp((s) => s.status?.openPositions ?? 0);
  const marketHours = useApp((s) => s.status?.marketHours ?? null);
  const theme = useApp((s) => s.theme);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const index = SHORTCUT_KEYS.indexOf(e.key);
      if (index >= 0 && index < PAGES.length) {
        e.preventDefault();
        goTo(PAGES[index]!.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const View = VIEWS[page];
  return (
    <div className="app">
      <ControlBar />
      <div className="body">
        <nav className="nav" aria-label="Pages">
          {PAGES.map((p, i) => (
            <button key={p.id} className={p.id === page ? 'nav-item active' : 'nav-item'} aria-current={p.id === page ? 'page' : undefined} onClick={() => goTo(p.id)} title={i < SHORTCUT_KEYS.length ? `Alt+${SHORTCUT_KEYS[i]}` : undefined}>
              {p.label}
            </button>
          ))}
        </nav>
        <main className="page" aria-label={PAGES.find((p) => p.id === page)?.label}>
          {apiProblem ? <div className="empty" role="alert">{apiProblem}</div> : <View />}
        </main>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Close all positions?"
          body={closeAllText(openPositions, marketHours)}
          confirmLabel="Close all positions"
          onConfirm={() => void confirmCloseAll()}
          onCancel={cancelCloseAll}
        />
      )}
    </div>
  );
}

/** What Close all will do, said before the user confirms: now, or at the next open when the market is closed. */
function closeAllText(openPositions: number, marketHours: { open: boolean; nextOpen: number } | null): string {
  const positions = `${openPositions} open position${openPositions === 1 ? '' : 's'}`;
  if (marketHours && !marketHours.open) {
    return `The market is closed; the closes will be sent at the open on ${etWhen(marketHours.nextOpen)}. This cancels every working order now, marks ${positions} closing with the close queued for the open, and disables new entries until you press Start.`;
  }
  return `This cancels every working order, closes ${positions} with marketable limit orders, and disables new entries until you press Start.`;
}
