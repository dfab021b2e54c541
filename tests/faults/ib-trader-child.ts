/**
 * The process the IB kill -9 campaign kills: the engine's execution core as the app runs it — the data
 * folder lock, the real store (SQLite, synchronous=FULL), the real OrderManager and the real IB adapter
 * over @stoqey/ib — trading continuously against the fake IB Gateway that lives in the campaign's process
 * (so the broker survives every kill, as a real Gateway does).
 *
 *   node tests/faults/ib-trader-child.ts --data-dir D --port P [--mode trade|settle]
 *
 * On every 'connected' it reconciles, as the Workstation does, and prints `reconciled <problems JSON>`;
 * it trades only after a clean reconciliation. `trade` mode then keeps two put verticals in flight —
 * entries walked from mid to natural, closes after a second and a half — until it is killed. `settle`
 * mode reconciles, prints `settled`, and exits (the campaign's final look).
 *
 * The clock is market time: it starts at the fake's market time and continues, after a restart, from the
 * last thing the store recorded, so a restart never goes back in time.
 */
import { parseArgs } from 'node:util';
import { IbkrBroker } from '../../electron/brokers/ibkr/broker.ts';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { OrderManager } from '../../electron/engine/execution/order-manager.ts';
import { lockDataFolder } from '../../electron/store/lock.ts';
import { openStore } from '../../electron/store/store.ts';
import type { ExecutionConfig } from '../../electron/strategies/types.ts';
import { MARKET_TIME, marksOf, simulator, vertical } from '../engine/execution/helpers.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, mode: { type: 'string', default: 'trade' } } });
const dataDir = values['data-dir'] as string;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const verbose = process.env.CAMPAIGN_VERBOSE === '1';

/** Mid first, natural after a second; entries give up after five. */
const CAMPAIGN_EXEC: ExecutionConfig = { stepTicks: 100, stepEverySeconds: 1, maxSteps: 1, timeoutSeconds: 5 };
const CAMPAIGN_PAIRS: [number, number][] = [
  [5700, 5690],
  [5680, 5670],
  [5660, 5640],
  [5650, 5630],
];
const STRIKES = [...new Set(CAMPAIGN_PAIRS.flat())];

const lock = lockDataFolder(dataDir, 'IB fault campaign trader');
process.on('exit', () => lock.release());
const born = Date.now();
let base = MARKET_TIME;
const clock = { now: () => base + (Date.now() - born) };
const store = openStore({ dataDir, now: clock.now });
const last = store.db.prepare('SELECT max(at) AS at FROM event_log').get() as { at: number | null };
if (last.at !== null && last.at + 1_000 > base) base = last.at + 1_000;

const market = fromSimulator(simulator());
const broker = new IbkrBroker({ port: Number(values.port), clientId: 31, requestTimeoutMs: 8_000, connectTimeoutMs: 3_000, reconnect: { initialMs: 20, maxMs: 200, maxAttempts: 0 } }, { clock });
const om = new OrderManager({ broker, store, clock, brokerName: 'ibkr', log: { info: (m) => verbose && say(`info ${m}`), warn: (m) => say(`warn ${m}`), error: (m) => say(`error ${m}`) }, notify: () => {} });

let reconciled = false;
broker.onEvent((e) => {
  if (e.type !== 'connection-changed') return;
  if (e.status.state !== 'connected') {
    reconciled = false;
    return;
  }
  om.reconcile(clock.now()).then(
    (problems) => {
      say(`reconciled ${JSON.stringify(problems)}`);
      reconciled = problems.length === 0;
      if (values.mode === 'settle') {
        say('settled');
        process.exit(0);
      }
    },
    (error: unknown) => say(`reconciled ${JSON.stringify([`threw: ${String(error)}`])}`),
  );
});
await broker.connect();

let busy = false;
setInterval(() => {
  if (!reconciled || busy || values.mode !== 'trade') return;
  busy = true;
  void step().finally(() => (busy = false));
}, 50);

async function step(): Promise<void> {
  const now = clock.now();
  await om.onTick(now, marksOf(market, STRIKES));
  const inFlight = store.trades.listOpen();
  for (const t of inFlight) {
    if (t.status === 'OPEN' && t.openedAt !== null && now - t.openedAt > 1_500) {
      store.trades.markClosing(t.tradeId, 'CAMPAIGN', now);
      await om.close({ trade: store.trades.get(t.tradeId)!, marks: marksOf(market, STRIKES), urgency: 'normal', decisionId: null, execution: CAMPAIGN_EXEC, now });
    }
  }
  if (inFlight.length < 2) {
    const n = (store.db.prepare('SELECT count(*) AS n FROM trades').get() as { n: number }).n;
    const [short, long] = CAMPAIGN_PAIRS[n % CAMPAIGN_PAIRS.length]!;
    const { trade, proposal } = vertical(store, market, { short, long, quantity: 1 + (n % 2), floorCents: 5, at: now, broker: 'ibkr' });
    await om.open({ trade, proposal, decisionId: null as never, execution: CAMPAIGN_EXEC, now });
  }
}
