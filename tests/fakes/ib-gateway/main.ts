/**
 * Standalone fake IB Gateway, so the IB path can be tried end to end without an account, and broken
 * on purpose from another process:
 *
 *   node tests/fakes/ib-gateway/main.ts --port 4002 [--control-port 4102] [--seed 42] [--start 2025-03-18] [--speed 1]
 *
 * It listens on 127.0.0.1:<port> (4002 = IB Gateway's paper port), answers from the seeded market
 * simulator, and advances simulated time at `speed` × real time (0 = frozen) so quotes move. The
 * fault control (control.ts: connectivity notices, dropped sockets, the daily restart, pacing)
 * listens on 127.0.0.1:<control-port> (0 = any free port); both ports are printed on start:
 *
 *   fake IB Gateway listening on 127.0.0.1:4002 (…)
 *   control on http://127.0.0.1:4102
 *
 * Then: `npm run headless -- --broker ibkr` (host 127.0.0.1, port 4002), and e.g.
 * `curl -X POST 127.0.0.1:4102/restart?seconds=90` to play the daily restart.
 */
import { parseArgs } from 'node:util';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { createSimulator } from '../../../electron/market/sim/simulator.ts';
import { startFakeControl } from './control.ts';
import { startFakeIbGateway } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4002' },
    'control-port': { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    start: { type: 'string', default: '2025-03-18' },
    speed: { type: 'string', default: '1' },
    account: { type: 'string', default: 'DU0000001' },
  },
});
const sim = createSimulator({ seed: Number(values.seed), start: values.start as string });
const speed = Number(values.speed);
const fake = await startFakeIbGateway({ market: fromSimulator(sim), account: values.account as string, port: Number(values.port) });
const control = await startFakeControl(fake, Number(values['control-port']));
console.log(`fake IB Gateway listening on 127.0.0.1:${fake.port} (server version 193, simulator seed ${values.seed}, start ${values.start}, speed ${speed}x)`);
console.log(`control on ${control.url}`);
let timer: NodeJS.Timeout | null = null;
if (speed > 0) {
  const stepMs = 1_000;
  timer = setInterval(() => {
    sim.advanceTo(sim.now() + stepMs * speed);
    fake.match();
    fake.tick();
  }, stepMs);
}
const stop = async (): Promise<void> => {
  if (timer) clearInterval(timer);
  await control.close();
  await fake.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
