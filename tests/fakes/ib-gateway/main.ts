/**
 * Standalone fake IB Gateway, so the IB path can be tried end to end without an account:
 *
 *   node tests/fakes/ib-gateway/main.ts --port 4002 [--seed 42] [--start 2025-03-18] [--speed 1]
 *
 * It listens on 127.0.0.1:<port> (4002 = IB Gateway's paper port), answers from the seeded market
 * simulator, and advances simulated time at `speed` × real time (0 = frozen) so quotes move.
 * Then: `npm run headless -- --broker ibkr` (host 127.0.0.1, port 4002).
 */
import { parseArgs } from 'node:util';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { createSimulator } from '../../../electron/market/sim/simulator.ts';
import { startFakeIbGateway } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4002' },
    seed: { type: 'string', default: '42' },
    start: { type: 'string', default: '2025-03-18' },
    speed: { type: 'string', default: '1' },
    account: { type: 'string', default: 'DU0000001' },
  },
});
const sim = createSimulator({ seed: Number(values.seed), start: values.start as string });
const speed = Number(values.speed);
const fake = await startFakeIbGateway({ market: fromSimulator(sim), account: values.account as string, port: Number(values.port) });
console.log(`fake IB Gateway listening on 127.0.0.1:${fake.port} (server version 193, simulator seed ${values.seed}, start ${values.start}, speed ${speed}x)`);
if (speed > 0) {
  const stepMs = 1_000;
  setInterval(() => {
    sim.advanceTo(sim.now() + stepMs * speed);
    fake.match();
    fake.tick();
  }, stepMs);
}
const stop = async (): Promise<void> => {
  await fake.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
