/**
 * The names of every call and pushed event of the Thetadesk contract, with no dependencies, so the
 * sandboxed Electron preload can bundle it without pulling in the schemas.
 * Channel names are `domain.verb`; each IPC channel is `thetadesk:` + the method name.
 */
export const METHOD_NAMES = [
  'status.get',
  'positions.list',
  'trades.list',
  'account.get',
  'market.get',
  'performance.get',
  'logs.list',
  'notifications.list',
  'notifications.test',
  'export.csv',
  'engine.start',
  'engine.stop',
  'engine.closeAll',
  'positions.close',
  'decisions.list',
  'performance.history',
  'strategies.list',
  'strategies.setConfig',
  'orders.list',
  'snapshot.get',
  'context.series',
  'backtest.start',
  'backtest.get',
  'backtest.list',
  'backtest.data',
  'backtest.cancel',
  'optimus.get',
  'spyspx.get',
  'settings.get',
  'settings.set',
  'study.get',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

export const EVENT_NAMES = ['status', 'log', 'notification', 'backtest'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Prefix of every IPC channel; main rejects any other channel. */
export const IPC_PREFIX = 'thetadesk:';
/** The single IPC channel main pushes events on. */
export const IPC_EVENT_CHANNEL = 'thetadesk:event';

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}

export function channelOf(method: MethodName): string {
  return IPC_PREFIX + method;
}

/**
 * What the Electron preload exposes as `window.thetadesk`: one function per method, each bound to its
 * own fixed channel, returning the `{ ok, value | error }` result; and an event subscription that
 * forwards only the payload, never the IPC event.
 */
export type PreloadBridge = {
  readonly call: Readonly<Record<MethodName, (input?: unknown) => Promise<unknown>>>;
  onEvent(listener: (event: unknown) => void): () => void;
};
