/**
 * Chooses and builds the broker the Workstation trades through, from the command line and the
 * environment: the built-in simulator (paper) unless IB Gateway or Tradier is asked for. Paper always,
 * unless live is set explicitly in the broker's own settings.
 */
import { createBroker } from '../../brokers/factory.ts';
import { fromSimulator } from '../../brokers/market-source.ts';
import { BrokerError, type Broker } from '../../brokers/port.ts';
import { openSimBooks, type SimBooksFile } from '../../brokers/sim/books-file.ts';
import { etDate } from '../../../shared/time/et.ts';
import { loadAnchorSeries } from '../../market/sim/anchor-data.ts';
import { createSimulator, type Simulator } from '../../market/sim/simulator.ts';
import type { Clock } from '../../engine/clock.ts';

export type BrokerKindOption = 'sim' | 'ibkr' | 'tradier';

/** The simulated market behind the `sim` broker: the engine runs on its time, at `speed`× real time. */
export type SimulationSetup = {
  sim: Simulator;
  seed: number;
  start: string;
  speed: number;
  /** The paper account in the data folder (also keeps the market time reached); null when it lives in memory. */
  books?: SimBooksFile | null;
  /** What opening the paper account decided (a market resumed or switched), for the log. */
  notice?: { level: 'info' | 'warn'; message: string } | null;
};

/** Where the chosen broker may keep state: the data folder (the simulator's paper account lives there). */
export type BrokerPlace = { dataDir?: string };

export type BrokerSetup = { broker: Broker; /** Set when the market is simulated. */ simulation: SimulationSetup | null };

/**
 * Settings read from the environment (no secrets are ever logged; the factory registers them for redaction).
 * With `place.dataDir` the simulator's paper account is kept in that folder (books-file.ts) and the
 * simulated market resumes where that account last saw it; without it, everything is in memory.
 */
export function brokerFromEnv(kind: BrokerKindOption, env: NodeJS.ProcessEnv, clock: Clock, place: BrokerPlace = {}): BrokerSetup {
  switch (kind) {
    case 'sim': {
      // The simulated market starts at the first session on or after today (ET) — or THETADESK_SIM_START —
      // and runs at THETADESK_SIM_SPEED × real time (1 by default); the engine's schedules follow it. Until
      // the first Start it waits at the open (unless open positions need managing: see the Workstation).
      let seed = Number(env.THETADESK_SIM_SEED ?? 1);
      const speed = Number(env.THETADESK_SIM_SPEED ?? 1);
      let start = env.THETADESK_SIM_START ?? etDate(clock.now());
      if (!Number.isFinite(seed)) throw new BrokerError('invalid-request', `THETADESK_SIM_SEED must be a number, got "${env.THETADESK_SIM_SEED}".`);
      if (!(speed > 0) || !Number.isFinite(speed) || speed > 1_000_000) {
        throw new BrokerError('invalid-request', `THETADESK_SIM_SPEED must be a number from 0 to 1000000 (1 = real time, 600 = ten simulated minutes a second), got "${env.THETADESK_SIM_SPEED}".`);
      }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new BrokerError('invalid-request', `THETADESK_SIM_START must be a date as YYYY-MM-DD, got "${start}".`);
      let books: SimBooksFile | null = null;
      let notice: SimulationSetup['notice'] = null;
      if (place.dataDir) {
        // The paper account decides which market it trades in (see openSimBooks for a changed seed/start).
        const opened = openSimBooks({ dataDir: place.dataDir, wanted: { seed, start }, explicit: { seed: env.THETADESK_SIM_SEED !== undefined, start: env.THETADESK_SIM_START !== undefined } });
        ({ books, notice } = opened);
        ({ seed, start } = opened.market);
      }
      // THETADESK_SIM_DATA: a folder of real daily files (spx_daily.csv, vix_daily.csv…) the simulated market
      // follows day by day (its history, and every session's open, high, low and close), e.g. ../shared/data.
      let anchor = null;
      if (env.THETADESK_SIM_DATA !== undefined) {
        try {
          anchor = loadAnchorSeries(env.THETADESK_SIM_DATA);
        } catch (error) {
          throw new BrokerError('invalid-request', `THETADESK_SIM_DATA must be a folder with spx_daily.csv and vix_daily.csv: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const sim = createSimulator({ seed, start, anchor });
      // Resume the market no earlier than the last thing the paper account saw (its last fill, order or save).
      const resumeAt = books?.marketTime() ?? 0;
      if (resumeAt > sim.now()) sim.advanceTo(resumeAt);
      // Paper fills by the mid-slippage model (seed 000's): a resting spread fills once it is 0.30 × spread from mid.
      const broker = createBroker(
        { kind: 'sim' },
        { clock: { now: () => sim.now() }, market: fromSimulator(sim), matching: { insideFraction: 0.3 }, ...(books ? { books } : {}) },
      );
      return { broker, simulation: { sim, seed, start, speed, books, notice } };
    }
    case 'ibkr': {
      const port = env.THETADESK_IB_PORT ? Number(env.THETADESK_IB_PORT) : undefined;
      const clientId = env.THETADESK_IB_CLIENT_ID ? Number(env.THETADESK_IB_CLIENT_ID) : undefined;
      // IB Gateway's daily auto-restart time, HH:MM ET: no orders are sent around it.
      const dailyAt = env.THETADESK_IB_AUTO_RESTART;
      if (dailyAt !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(dailyAt)) {
        throw new BrokerError('invalid-request', `THETADESK_IB_AUTO_RESTART must be IB Gateway's auto-restart time as HH:MM (24-hour clock, ET), e.g. 23:45; got "${dailyAt}".`);
      }
      const broker = createBroker(
        {
          kind: 'ibkr',
          ibkr: {
            host: env.THETADESK_IB_HOST ?? '127.0.0.1',
            ...(port !== undefined ? { port } : {}),
            ...(clientId !== undefined ? { clientId } : {}),
            ...(dailyAt !== undefined ? { restart: { dailyAt } } : {}),
          },
        },
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

/** The broker settings saved on the Settings page (electron/application/settings/settings.ts `savedConnection`). */
export type SavedBrokerSettings = {
  broker: BrokerKindOption;
  ibkr: { host: string; port: number; clientId: number; autoRestart?: string };
  tradier: { accountId: string; sandbox: boolean };
  mode: 'paper' | 'live';
};

/**
 * The broker from the saved settings (used when neither the command line nor THETADESK_BROKER names
 * one). Live accounts only in live mode: IB Gateway `live` follows the mode; Tradier trades production
 * only in live mode with the sandbox switched off. The simulator keeps reading THETADESK_SIM_* from `env`;
 * THETADESK_TRADIER_BASE_URL still overrides Tradier's address. Throws BrokerError with what is missing.
 */
export function brokerFromSettings(saved: SavedBrokerSettings, tradierToken: string | null, env: NodeJS.ProcessEnv, clock: Clock, place: BrokerPlace = {}): BrokerSetup {
  switch (saved.broker) {
    case 'sim':
      return brokerFromEnv('sim', env, clock, place);
    case 'ibkr': {
      const restart = saved.ibkr.autoRestart ? { restart: { dailyAt: saved.ibkr.autoRestart } } : {};
      const broker = createBroker({ kind: 'ibkr', ibkr: { host: saved.ibkr.host, port: saved.ibkr.port, clientId: saved.ibkr.clientId, live: saved.mode === 'live', ...restart } }, { clock });
      return { broker, simulation: null };
    }
    case 'tradier': {
      if (!tradierToken || !saved.tradier.accountId) {
        throw new BrokerError('invalid-request', `Tradier is the saved broker but ${!tradierToken ? 'no access token is stored' : 'no account id is saved'}: enter it on the Settings page (or set THETADESK_TRADIER_TOKEN and THETADESK_TRADIER_ACCOUNT).`);
      }
      const live = saved.mode === 'live' && !saved.tradier.sandbox;
      const broker = createBroker(
        { kind: 'tradier', tradier: { token: tradierToken, accountId: saved.tradier.accountId, live, ...(env.THETADESK_TRADIER_BASE_URL ? { baseUrl: env.THETADESK_TRADIER_BASE_URL } : {}) } },
        { clock },
      );
      return { broker, simulation: null };
    }
  }
}

/**
 * The broker to start with: the one named on the command line or in THETADESK_BROKER exactly as
 * `brokerFromEnv` builds it; otherwise the saved settings. A saved broker that cannot be built (no token
 * yet) falls back to the simulator with `problem` saying why, so the Settings page stays reachable.
 */
export function chooseBroker(opts: { given: BrokerKindOption | null; saved: SavedBrokerSettings; tradierToken: string | null; env: NodeJS.ProcessEnv; clock: Clock; dataDir?: string }): { setup: BrokerSetup; problem: string | null } {
  const place: BrokerPlace = opts.dataDir ? { dataDir: opts.dataDir } : {};
  if (opts.given) return { setup: brokerFromEnv(opts.given, opts.env, opts.clock, place), problem: null };
  try {
    return { setup: brokerFromSettings(opts.saved, opts.tradierToken, opts.env, opts.clock, place), problem: null };
  } catch (error) {
    if (!(error instanceof BrokerError) || opts.saved.broker === 'sim') throw error;
    return { setup: brokerFromEnv('sim', opts.env, opts.clock, place), problem: `${error.message} Running the simulator meanwhile.` };
  }
}
