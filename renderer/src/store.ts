/**
 * One zustand store for what the UI shows. Actions live outside React so event-stream listeners can
 * write to it directly (zustand's "no store actions" practice).
 */
import { create } from 'zustand';
import type { LogEntry, Status, ThetadeskApi } from '../../shared/api.ts';

export type Page = 'overview' | 'trades' | 'logs';

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
}));

const MAX_LOGS = 2_000;

export function connect(api: ThetadeskApi): () => void {
  useApp.setState({ api });
  const off = api.onEvent((event) => {
    if (event.type === 'status') useApp.setState({ status: event.payload, stream: 'open' });
    else if (event.type === 'log') useApp.setState((s) => ({ logs: [...s.logs.slice(-(MAX_LOGS - 1)), event.payload] }));
  });
  void refresh();
  return off;
}

export async function refresh(): Promise<void> {
  const { api } = useApp.getState();
  if (!api) return;
  try {
    const [status, logs] = await Promise.all([api.call('status.get'), api.call('logs.list', { limit: 500 })]);
    useApp.setState({ status, logs });
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
export const askCloseAll = () => useApp.setState({ confirmCloseAll: true });
export const cancelCloseAll = () => useApp.setState({ confirmCloseAll: false });
export const confirmCloseAll = () => {
  useApp.setState({ confirmCloseAll: false });
  return command('closeAll', async (api) => (await api.call('engine.closeAll', { confirm: true })).status);
};
export const goTo = (page: Page) => useApp.setState({ page });
