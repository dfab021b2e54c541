/**
 * Chooses and builds the broker the Workstation trades through, from the command line and the
 * environment: the built-in simulator (paper) unless IB Gateway or Tradier is asked for. Paper always,
 * unless live is set explicitly in the broker's own settings.
 */
import { createBroker } from '../brokers/factory.ts';
import { fromSimulator } from '../brokers/market-source.ts';
import { BrokerError, type Broker } from '../brokers/port.ts';
import { etDate } from '../market/calendar.ts';
import { createSimDriver, type SimDriver } from '../market/sim/driver.ts';
import { createSimulator } from '../market/sim/simulator.ts';
import type { Clock } from './clock.ts';

export type BrokerKindOption = 'sim' | 'ibkr' | 'tradier';

export type BrokerSetup = { broker: Broker; /** The simulator's driver, when the market is simulated. */ driver: SimDriver | null };

/** Settings read from the environment (no secrets are ever logged; the factory registers them for redaction). */
export function brokerFromEnv(kind: BrokerKindOption, env: NodeJS.ProcessEnv, clock: Clock): BrokerSetup {
  switch (kind) {
    case 'sim': {
      // The simulated market starts at the first session on or after today (ET) and runs in real time.
      const sim = createSimulator({ seed: Number(env.THETADESK_SIM_SEED ?? 1), start: env.THETADESK_SIM_START ?? etDate(clock.now()) });
      const driver = createSimDriver({ sim, clock, speed: Number(env.THETADESK_SIM_SPEED ?? 1) });
      const broker = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: fromSimulator(sim) });
      return { broker, driver };
    }
    case 'ibkr': {
      const port = env.THETADESK_IB_PORT ? Number(env.THETADESK_IB_PORT) : undefined;
      const clientId = env.THETADESK_IB_CLIENT_ID ? Number(env.THETADESK_IB_CLIENT_ID) : undefined;
      const broker = createBroker(
        { kind: 'ibkr', ibkr: { host: env.THETADESK_IB_HOST ?? '127.0.0.1', ...(port !== undefined ? { port } : {}), ...(clientId !== undefined ? { clientId } : {}) } },
        { clock },
      );
      return { broker, driver: null };
    }
    case 'tradier': {
      const token = env.THETADESK_TRADIER_TOKEN;
      const accountId = env.THETADESK_TRADIER_ACCOUNT;
      if (!token || !accountId) {
        throw new BrokerError('invalid-request', 'Tradier needs THETADESK_TRADIER_TOKEN and THETADESK_TRADIER_ACCOUNT (a sandbox token and account for paper trading).');
      }
      const broker = createBroker({ kind: 'tradier', tradier: { token, accountId, ...(env.THETADESK_TRADIER_BASE_URL ? { baseUrl: env.THETADESK_TRADIER_BASE_URL } : {}) } }, { clock });
      return { broker, driver: null };
    }
  }
}
