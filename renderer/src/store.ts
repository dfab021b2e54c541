/**
 * One zustand store for what the UI shows. Actions live outside React so event-stream listeners can
 * write to it directly (zustand's "no store actions" practice).
 */
import { create } from 'zustand';
import type { BacktestRun, LogEntry, Notification, Status, ThetadeskApi } from '../../shared/api.ts';

export const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'strategies', label: 'Strategies' },
  { id: 'positions', label: 'Positions' },
  { id: 'orders', label: 'Orders & fills' },
  { id: 'trades', label: 'Trades' },
  { id: 'decisions', label: 'Decisions' },
  { id: 'context', label: 'Context' },
  { id: 'snapshot', label: 'Snapshot viewer' },
  { id: 'backtests', label: 'Backtests' },
  { id: 'settings', label: 'Settings' },
  { id: 'logs', label: 'Logs' },
  { id: 'study', label: 'Study (0DTE)' },
  { id: 'optimus', label: 'Optimus' },
  { id: 'spyspx', label: 'SPY/SPX 0DTE' },
] as const;

export type Page = (typeof PAGES)[number]['id'];

/** What the snapshot viewer shows (set by a decision's "View snapshot" link). */
export type SnapshotRef = { snapshotId: number; decisionId?: number };

export type Theme = 'dark' | 'light';

export type AppState = {
  api: ThetadeskApi | null;
  /** Why there is no API (no token, server gone), in words for the user. */
  apiProblem: string | null;
  stream: 'connecting' | 'open' | 'closed';
  status: Status | null;
  logs: LogEntry[];
  page: Page;
  busy: null | 'start' | 'stop' | 'closeAll';
  error: string | null;
  confirmCloseAll: boolean;
  snapshotRef: SnapshotRef | null;
  /** The trade the Trades page shows in detail (set by a decision's "Trade #N" link or a row click). */
  tradeRef: number | null;
  /** The latest state of each backtest run, from `backtest` events. */
  backtests: Record<string, BacktestRun>;
  /** Recent notifications (fills, exits, rejects), newest last: the engine's kept ones, then those pushed since. */
  notifications: Notification[];
  theme: Theme;
};

export const useApp = create<AppState>()(() => ({
  api: null,
  apiProblem: null,
  stream: 'connecting',
  status: null,
  logs: [],
  page: 'overview',
  busy: null,
  error: null,
  confirmCloseAll: false,
  snapshotRef: null,
  tradeRef: null,
  backtests: {},
  notifications: [],
  theme: readTheme(),
}));

function readTheme(): Theme {
  try {
    return localStorage.getItem('thetadesk.theme') === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem('thetadesk.theme', theme);
  } catch {
    // storage unavailable: the choice lasts for this window
  }
  document.documentElement.dataset.theme = theme;
  useApp.setState({ theme });
}

const MAX_LOGS = 2_000;
const MAX_NOTIFICATIONS = 50;

/** Notifications by id (listed and pushed ones overlap after a reconnect), oldest first, the newest MAX_NOTIFICATIONS. */
export function mergeNotifications(a: readonly Notification[], b: readonly Notification[]): Notification[] {
  const byId = new Map<number, Notification>();
  for (const n of [...a, ...b]) byId.set(n.id, n);
  return [...byId.values()].sort((x, y) => x.id - y.id).slice(-MAX_NOTIFICATIONS);
}

export function connect(api: ThetadeskApi): () => void {
  useApp.setState({ api });
  const off = api.onEvent((event) => {
    if (event.type === 'status') useApp.setState({ status: event.payload, stream: 'open' });
    else if (event.type === 'log') useApp.setState((s) => ({ logs: [...s.logs.slice(-(MAX_LOGS - 1)), event.payload] }));
    else if (event.type === 'backtest') useApp.setState((s) => ({ backtests: { ...s.backtests, [event.payload.runId]: event.payload } }));
    else if (event.type === 'notification') useApp.setState((s) => ({ notifications: mergeNotifications(s.notifications, [event.payload]) }));
  });
  void refresh();
  return off;
}

export async function refresh(): Promise<void> {
  const { api } = useApp.getState();
  if (!api) return;
  try {
    const [status, logs, notifications] = await Promise.all([api.call('status.get'), api.call('logs.list', { limit: 500 }), api.call('notifications.list', { limit: MAX_NOTIFICATIONS })]);
    useApp.setState((s) => ({ status, logs, notifications: mergeNotifications(notifications, s.notifications) }));
  } catch (error) {
    useApp.setState({ error: (error as Error).message });
  }
}

async function command(kind: 'start' | 'stop' | 'closeAll', run: (api: ThetadeskApi) => Promise<Status>): Promise<void> {
  const { api } = useApp.getState();
  if (!api) return;
  useApp.setState({ busy: kind, error: null });
  try {
    const status = await run(api);
    useApp.setState({ status });
  } catch (error) {
    useApp.setState({ error: (error as Error).message });
  } finally {
    useApp.setState({ busy: null });
  }
}

export const startEngine = () => command('start', (api) => api.call('engine.start', {}));
export const stopEngine = () => command('stop', (api) => api.call('engine.stop', {}));
/** Opens the Close all confirmation with a fresh status (the dialog says whether the market is open and when it opens). */
export const askCloseAll = () => {
  useApp.setState({ confirmCloseAll: true });
  const { api } = useApp.getState();
  api?.call('status.get').then((status) => useApp.setState({ status }), () => {});
};
export const cancelCloseAll = () => useApp.setState({ confirmCloseAll: false });
export const confirmCloseAll = () => {
  useApp.setState({ confirmCloseAll: false });
  return command('closeAll', async (api) => (await api.call('engine.closeAll', { confirm: true })).status);
};
export const goTo = (page: Page) => useApp.setState({ page });
/** Opens the snapshot viewer on one stored chain (from a decision, with its chosen legs marked). */
export const openSnapshot = (ref: SnapshotRef) => useApp.setState({ page: 'snapshot', snapshotRef: ref });
/** Opens the Trades page on one trade (from a decision's "Trade #N" link). */
export const openTrade = (tradeId: number) => useApp.setState({ page: 'trades', tradeRef: tradeId });
