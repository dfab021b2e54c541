/**
 * Chooses and builds the broker the Workstation trades through, from the command line and the
 * environment: the built-in simulator (paper) unless IB Gateway or Tradier is asked for. Paper always,
 * unless live is set explicitly in the broker's own settings.
 */
import { createBroker } from '../brokers/factory.ts';
import { fromSimulator } from '../brokers/market-source.ts';
import { BrokerError, type Broker } from '../brokers/port.ts';
import { etDate } from '../market/calendar.ts';
import { createSimulator, type Simulator } from '../market/sim/simulator.ts';
import type { Clock } from './clock.ts';

export type BrokerKindOption = 'sim' | 'ibkr' | 'tradier';

/** The simulated market behind the `sim` broker: the engine runs on its time, at `speed`× real time. */
export type SimulationSetup = { sim: Simulator; seed: number; start: string; speed: number };

export type BrokerSetup = { broker: Broker; /** Set when the market is simulated. */ simulation: SimulationSetup | null };

/** Settings read from the environment (no secrets are ever logged; the factory registers them for redaction). */
export function brokerFromEnv(kind: BrokerKindOption, env: NodeJS.ProcessEnv, clock: Clock): BrokerSetup {
  switch (kind) {
    case 'sim': {
      // The simulated market starts at the first session on or after today (ET) — or THETADESK_SIM_START —
      // and runs at THETADESK_SIM_SPEED × real time (1 by default); the engine's schedules follow it.
      const seed = Number(env.THETADESK_SIM_SEED ?? 1);
      const speed = Number(env.THETADESK_SIM_SPEED ?? 1);
      const start = env.THETADESK_SIM_START ?? etDate(clock.now());
      if (!Number.isFinite(seed)) throw new BrokerError('invalid-request', `THETADESK_SIM_SEED must be a number, got "${env.THETADESK_SIM_SEED}".`);
      if (!(speed > 0) || !Number.isFinite(speed) || speed > 1_000_000) {
        throw new BrokerError('invalid-request', `THETADESK_SIM_SPEED must be a number from 0 to 1000000 (1 = real time, 600 = ten simulated minutes a second), got "${env.THETADESK_SIM_SPEED}".`);
      }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new BrokerError('invalid-request', `THETADESK_SIM_START must be a date as YYYY-MM-DD, got "${start}".`);
      const sim = createSimulator({ seed, start });
      // Paper fills by seed 000's fill model: a resting spread fills once it is 0.30 × spread from mid.
      const broker = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: fromSimulator(sim), matching: { insideFraction: 0.3 } });
      return { broker, simulation: { sim, seed, start, speed } };
    }
    case 'ibkr': {
      const port = env.THETADESK_IB_PORT ? Number(env.THETADESK_IB_PORT) : undefined;
      const clientId = env.THETADESK_IB_CLIENT_ID ? Number(env.THETADESK_IB_CLIENT_ID) : undefined;
      const broker = createBroker(
        { kind: 'ibkr', ibkr: { host: env.THETADESK_IB_HOST ?? '127.0.0.1', ...(port !== undefined ? { port } : {}), ...(clientId !== undefined ? { clientId } : {}) } },
        { clock },
      );
      return { broker, simulation: null };
    }
    case 'tradier': {
      const token = env.THETADESK_TRADIER_TOKEN;
      const accountId = env.THETADESK_TRADIER_ACCOUNT;
      if (!token || !accountId) {
        throw new BrokerError('invalid-request', 'Tradier needs THETADESK_TRADIER_TOKEN and THETADESK_TRADIER_ACCOUNT (a sandbox token and account for paper trading).');
      }
      const broker = createBroker({ kind: 'tradier', tradier: { token, accountId, ...(env.THETADESK_TRADIER_BASE_URL ? { baseUrl: env.THETADESK_TRADIER_BASE_URL } : {}) } }, { clock });
      return { broker, simulation: null };
    }
  }
}
