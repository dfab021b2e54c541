/**
 * Chooses and builds the broker the Workstation trades through: the one named on the command line or
 * in THETADESK_BROKER, else the one saved on the Settings page; the built-in simulator (paper) unless
 * IB Gateway or Tradier is asked for. Each of its settings is the environment's (THETADESK_IB_PORT…)
 * when set, else the saved one, else the default — and `inForce` says which, for the Settings page.
 *
 * The trading mode (paper or live) is always the saved one, however the broker was chosen (the
 * simulator is paper only). It is what the account is expected to be; what the account IS comes from
 * the broker when it connects (`Broker.accountType()`), and the engine trades nothing when they differ
 * (application/control/engine-control.ts).
 */
import { createBroker } from '../../brokers/factory.ts';
import { fromSimulator } from '../../brokers/market-source.ts';
import { IbkrBroker } from '../../brokers/ibkr/broker.ts';
import { BrokerError, brokerTitle, type Broker } from '../../brokers/port.ts';
import { maskAccount } from '../../brokers/redact.ts';
import { TradierBroker } from '../../brokers/tradier/broker.ts';
import type { SettingInForce } from '../../../shared/api.ts';
import { openSimBooks, type SimBooksFile } from '../../brokers/sim/books-file.ts';
import { etDate } from '../../../shared/time/et.ts';
import { loadAnchorSeries } from '../../market/sim/anchor-data.ts';
import { createSimulator, type Simulator } from '../../market/sim/simulator.ts';
import type { Clock } from '../../engine/clock.ts';
import { SIM_FIRST_DATE } from '../../backtest/run.ts';
import { envDate, envNumber, type NumberRule } from '../env.ts';

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

/** THETADESK_SIM_SEED: the simulated market's seed. */
const SIM_SEED_RULE: NumberRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, hint: 'the same seed replays the same market' };
/** THETADESK_SIM_SPEED: simulated time per real time. */
const SIM_SPEED_RULE: NumberRule = { min: 0, above: true, max: 1_000_000, hint: '1 = real time, 600 = ten simulated minutes a second' };
/** THETADESK_SIM_START: the simulated market's first day (the simulator has no market before SIM_FIRST_DATE). */
const SIM_START_RANGE = { earliest: SIM_FIRST_DATE, latest: '2099-12-31' };

/** Where the chosen broker may keep state: the data folder (the simulator's paper account lives there). */
export type BrokerPlace = { dataDir?: string };

export type BrokerSetup = {
  broker: Broker;
  /** Set when the market is simulated. */
  simulation: SimulationSetup | null;
  /** The settings in force with where each comes from (the Settings page shows them); set by chooseBroker. */
  inForce?: SettingInForce[];
  /** Why the saved broker could not be used (the simulator runs instead); the status says it too. */
  problem?: string | null;
};

/**
 * Settings read from the environment (no secrets are ever logged; the factory registers them for redaction).
 * With `place.dataDir` the simulator's paper account is kept in that folder (books-file.ts) and the
 * simulated market resumes where that account last saw it; without it, everything is in memory.
 */
export function brokerFromEnv(kind: BrokerKindOption, env: NodeJS.ProcessEnv, clock: Clock, place: BrokerPlace = {}, mode: 'paper' | 'live' = 'paper'): BrokerSetup {
  switch (kind) {
    case 'sim': {
      // The simulated market starts at the first session on or after today (ET) — or THETADESK_SIM_START —
      // and runs at THETADESK_SIM_SPEED × real time (1 by default); the engine's schedules follow it. Until
      // the first Start it waits at the open (unless open positions need managing: see the Workstation).
      // Each variable is checked with its name, value and range (../env.ts).
      let seed = envNumber(env, 'THETADESK_SIM_SEED', SIM_SEED_RULE, 1);
      const speed = envNumber(env, 'THETADESK_SIM_SPEED', SIM_SPEED_RULE, 1);
      let start = envDate(env, 'THETADESK_SIM_START', SIM_START_RANGE, etDate(clock.now()));
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
      const port = envNumber(env, 'THETADESK_IB_PORT', { min: 1, max: 65_535, integer: true, hint: "IB Gateway's API port: 4002 paper, 4001 live" });
      const clientId = envNumber(env, 'THETADESK_IB_CLIENT_ID', { min: 0, max: 2_147_483_647, integer: true, hint: 'a client id no other API client of the Gateway uses' });
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
            live: mode === 'live',
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
      const broker = createBroker({ kind: 'tradier', tradier: { token, accountId, live: mode === 'live', ...(env.THETADESK_TRADIER_BASE_URL ? { baseUrl: env.THETADESK_TRADIER_BASE_URL } : {}) } }, { clock });
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
export function chooseBroker(opts: { given: BrokerKindOption | null; saved: SavedBrokerSettings; tradierToken: string | null; env: NodeJS.ProcessEnv; clock: Clock; dataDir?: string }): {
  setup: BrokerSetup;
  problem: string | null;
  /** The trading mode in force: the saved one (paper with the simulator, which has no live account). */
  mode: 'paper' | 'live';
} {
  const place: BrokerPlace = opts.dataDir ? { dataDir: opts.dataDir } : {};
  const done = (setup: BrokerSetup, from: 'given' | 'saved' | 'fallback', problem: string | null) => {
    // The saved Tradier broker with its sandbox switch on trades the sandbox, also in live mode (as it is built).
    const sandbox = from === 'saved' && setup.broker.kind === 'tradier' && opts.saved.tradier.sandbox;
    const mode = setup.broker.kind === 'sim' || sandbox ? 'paper' : opts.saved.mode;
    return { setup: { ...setup, problem, inForce: settingsInForce(setup, from, mode, opts.env, opts.saved) }, problem, mode };
  };
  if (opts.given) return done(brokerFromEnv(opts.given, opts.env, opts.clock, place, opts.saved.mode), 'given', null);
  try {
    return done(brokerFromSettings(opts.saved, opts.tradierToken, opts.env, opts.clock, place), 'saved', null);
  } catch (error) {
    if (!(error instanceof BrokerError) || opts.saved.broker === 'sim') throw error;
    return done(brokerFromEnv('sim', opts.env, opts.clock, place), 'fallback', `${error.message} Running the simulator meanwhile.`);
  }
}

/**
 * The broker settings in force, each with where it comes from: the environment (THETADESK_*) wins over
 * what is saved when the broker is named on the command line or in THETADESK_BROKER; otherwise the
 * saved settings (only THETADESK_TRADIER_BASE_URL still overrides Tradier's address).
 */
function settingsInForce({ broker, simulation }: BrokerSetup, from: 'given' | 'saved' | 'fallback', mode: 'paper' | 'live', env: NodeJS.ProcessEnv, saved: SavedBrokerSettings): SettingInForce[] {
  const given = from === 'given';
  const source = (name: string, isDefault = false) => (given ? (env[name] !== undefined ? name : 'default') : isDefault ? 'default' : 'Settings');
  const out: SettingInForce[] = [
    { setting: 'Broker', value: brokerTitle(broker.kind), source: given ? 'the command line (--broker) or THETADESK_BROKER' : from === 'fallback' ? `fallback: the saved ${brokerTitle(saved.broker)} could not be used` : 'Settings' },
    { setting: 'Trading mode', value: mode, source: broker.kind === 'sim' ? 'the simulator (paper only)' : mode !== saved.mode ? 'Settings (the Tradier sandbox is on)' : 'Settings' },
  ];
  if (broker instanceof IbkrBroker) {
    const c = broker.config;
    out.push(
      { setting: 'IB host', value: c.host, source: source('THETADESK_IB_HOST') },
      { setting: 'IB port', value: String(c.port), source: source('THETADESK_IB_PORT') },
      { setting: 'IB client id', value: String(c.clientId), source: source('THETADESK_IB_CLIENT_ID') },
      { setting: 'IB auto-restart (ET)', value: c.restart.dailyAt, source: source('THETADESK_IB_AUTO_RESTART', !saved.ibkr.autoRestart) },
    );
  } else if (broker instanceof TradierBroker) {
    const c = broker.config;
    out.push(
      { setting: 'Tradier account', value: maskAccount(c.accountId), source: source('THETADESK_TRADIER_ACCOUNT') },
      { setting: 'Tradier address', value: c.baseUrl, source: env.THETADESK_TRADIER_BASE_URL ? 'THETADESK_TRADIER_BASE_URL' : 'default for the mode' },
      { setting: 'Tradier token', value: 'stored', source: given ? 'THETADESK_TRADIER_TOKEN' : 'Settings (or THETADESK_TRADIER_TOKEN)' },
    );
  } else if (simulation) {
    // The paper account decides its market (books-file.ts): its seed and start may not be the environment's.
    const kept = simulation.books ? `the paper account (${simulation.books.file})` : 'default';
    const fromEnv = (name: string, value: string) => (env[name] !== undefined && env[name] === value ? name : kept);
    out.push(
      { setting: 'Simulator seed', value: String(simulation.seed), source: fromEnv('THETADESK_SIM_SEED', String(simulation.seed)) },
      { setting: 'Simulator start', value: simulation.start, source: fromEnv('THETADESK_SIM_START', simulation.start) },
      { setting: 'Simulator speed', value: `${simulation.speed}× real time`, source: env.THETADESK_SIM_SPEED !== undefined ? 'THETADESK_SIM_SPEED' : 'default' },
    );
  }
  return out;
}
