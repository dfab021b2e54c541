/**
 * Standalone fake Tradier:
 *
 *   node tests/fakes/tradier/main.ts --port 8089 --token T --account VA00000001 [--rate-window-ms 60000]
 *
 * then point the tradier adapter's `baseUrl` at http://127.0.0.1:8089 (THETADESK_TRADIER_BASE_URL for
 * the app). Market time advances one second per second from `--start`; orders are matched every second.
 * Another process can script faults over HTTP (bearer token required):
 *   POST /__fake/drop {"downMs":500}                              every connection drops for 0.5 s
 *   POST /__fake/fail {"method":"POST","path":"/orders$","action":"reset-after"}   (see FaultRule)
 *   POST /__fake/match                                            match working orders now
 *   GET  /__fake/orders                                           every order and the rate-limit counts
 */
import { parseArgs } from 'node:util';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { createSimulator } from '../../../electron/market/sim/simulator.ts';
import { startFakeTradier } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8089' },
    token: { type: 'string', default: 'fake-token' },
    account: { type: 'string', default: 'VA00000001' },
    seed: { type: 'string', default: '42' },
    start: { type: 'string', default: '2025-03-18' },
    'rate-window-ms': { type: 'string', default: '60000' },
  },
});
const sim = createSimulator({ seed: Number(values.seed), start: values.start as string });
const fake = await startFakeTradier({
  market: fromSimulator(sim),
  token: values.token as string,
  account: values.account as string,
  port: Number(values.port),
  script: { rateWindowMs: Number(values['rate-window-ms']) },
});
console.log(`fake Tradier listening on ${fake.baseUrl}`);
setInterval(() => {
  sim.advanceTo(sim.now() + 1_000);
  fake.matchNow();
}, 1_000);
