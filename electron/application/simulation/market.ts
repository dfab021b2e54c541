/**
 * The built-in simulator as the application runs it: the engine's clock follows the simulated market
 * (driver.ts moves both), the paper exchange matches working orders and settles expirations as market
 * time passes, and the market time reached is saved with the paper account so a restart resumes there.
 *
 * Before the first Start a fresh market waits at the open (`waitPoint`), so no entry slot passes before
 * anyone could press Start — unless the paper account has open positions or working orders: those are
 * managed (fills, timeouts, exits, expirations) as time runs, whatever the Start button says.
 */
import type { SimulationStatus } from '../../../shared/api.ts';
import { etWhen } from '../../../shared/time/et.ts';
import { session } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { SimBroker } from '../../brokers/sim/broker.ts';
import { VirtualClock, type Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import type { Store } from '../../store/store.ts';
import type { SimulationSetup } from '../broker/setup.ts';
import { Simulation, waitPoint } from './driver.ts';

/** Least wall time between two saves of the market time outside order events, ms (one driver tick). */
const SAVE_EVERY_MS = 250;

/**
 * The engine's clock for a simulated market: its time, resumed where the paper account in the data
 * folder last saw it (broker/setup.ts). Data folders from before that account kept the time in the
 * settings instead: resume from there too.
 */
export function simulatedClock(simulation: SimulationSetup, store: Store): VirtualClock {
  const saved = store.settings.get<{ seed: number; start: string; marketTime: number }>('sim.state');
  if (saved && saved.seed === simulation.seed && saved.start === simulation.start && saved.marketTime > simulation.sim.now()) {
    simulation.sim.advanceTo(saved.marketTime);
  }
  return new VirtualClock(simulation.sim.now());
}

/** "1 open position", "2 working orders", "1 open position and 1 working order": each thing as what it is. */
export function holdingsText(h: { positions: number; workingOrders: number }): string {
  const parts = [h.positions > 0 ? `${h.positions} open position${h.positions === 1 ? '' : 's'}` : null, h.workingOrders > 0 ? `${h.workingOrders} working order${h.workingOrders === 1 ? '' : 's'}` : null];
  return parts.filter(Boolean).join(' and ') || 'nothing open';
}

export type SimulatedMarketOptions = {
  setup: SimulationSetup;
  /** The paper broker trading on it. */
  broker: SimBroker;
  /** The engine's clock (`simulatedClock`). */
  clock: VirtualClock;
  wall: Clock;
  log: Logger;
  /** What the trade records hold at start-up: open positions and working orders (each said as what it is). */
  holdings: { positions: number; workingOrders: number };
  /** What the paper account itself (the simulated broker's books) holds at start-up: option legs and working orders. */
  books: { legs: number; workingOrders: number };
  /** Resolves when the engine has finished what the last firing queued. */
  idle: () => Promise<void>;
  /** Once per driver step (the status heartbeat). */
  afterStep: () => void;
};

export class SimulatedMarket {
  readonly #o: SimulatedMarketOptions;
  readonly #driver: Simulation;
  /** Resumed with open positions or working orders: the market runs before Start to manage them. */
  #managing = false;
  #lastSave = 0;
  #settledThrough = '';

  constructor(options: SimulatedMarketOptions) {
    this.#o = options;
    const { setup, clock, log } = options;
    this.#driver = new Simulation({
      sim: setup.sim,
      clock,
      wall: options.wall,
      speed: setup.speed,
      idle: options.idle,
      afterAdvance: () => this.#afterAdvance(),
      afterStep: options.afterStep,
      onError: (error) => log.error(`Simulation step failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    log.info(`Simulated market (seed ${setup.seed}) at ${setup.speed}× real time, market time ${new Date(clock.now()).toISOString()}.`);
    const { positions, workingOrders } = options.holdings;
    if (positions + workingOrders === 0) {
      this.#driver.hold(waitPoint(clock.now()));
      log.info(`${this.status().message}.`);
    } else {
      this.#managing = true;
      const one = positions + workingOrders === 1;
      const runs = `the simulated market runs at ${setup.speed.toLocaleString('en-US')}× real time to manage`;
      const b = options.books;
      if ((b.legs > 0) === (positions > 0) && b.workingOrders === workingOrders) {
        log.info(`The paper account has ${holdingsText(options.holdings)}: ${runs} ${one ? 'it' : 'them'}; new entries wait for Start.`);
      } else {
        // The records and the books disagree (a database restored without its books, say): both sides, as they are.
        const held = [b.legs > 0 ? `${b.legs} option leg${b.legs === 1 ? '' : 's'}` : null, b.workingOrders > 0 ? `${b.workingOrders} working order${b.workingOrders === 1 ? '' : 's'}` : null].filter(Boolean).join(' and ') || 'nothing';
        log.warn(`The trade records show ${holdingsText(options.holdings)}, but the paper account (the simulated broker's books) holds ${held}: reconciliation compares them before anything trades; ${runs} what is open; new entries wait for Start.`);
      }
    }
    const books = setup.books;
    log.info(books ? `Paper account of the simulated broker: ${books.file}.` : 'Paper account of the simulated broker: in memory only (not kept across restarts).');
    if (setup.notice) (setup.notice.level === 'warn' ? log.warn : log.info)(setup.notice.message);
  }

  /** What the simulated market is doing, for the status. */
  status(): SimulationStatus {
    const speed = this.#driver.speed;
    const waitingAt = this.#driver.holdAt;
    if (waitingAt !== null) {
      const where = session(etDate(waitingAt))?.open === waitingAt ? `the open (${etWhen(waitingAt)})` : etWhen(waitingAt);
      return { speed, waitingAt, message: `Simulated market waiting at ${where} — press Start` };
    }
    const rate = `${speed.toLocaleString('en-US')}× real time`;
    return { speed, waitingAt: null, message: this.#managing ? `Simulated market running at ${rate} to manage ${holdingsText(this.#o.holdings)}; new entries wait for Start` : `Simulated market running at ${rate}` };
  }

  /** Runs the driver (once reconciled). */
  start(): void {
    this.#driver.start();
  }

  /** The first Start lets a waiting market run, at its speed, from where it waits. */
  release(): void {
    this.#managing = false;
    if (this.#driver.holdAt === null) return;
    this.#driver.release();
    this.#o.log.info(`The simulated market runs from ${etWhen(this.#o.clock.now())} at ${this.#driver.speed.toLocaleString('en-US')}× real time.`);
  }

  /** Lets the market run until `target` (market time), with every engine task done (tests, demos). */
  advanceTo(target: number): Promise<void> {
    return this.#driver.advanceTo(target);
  }

  stop(): void {
    this.#driver.stop();
  }

  /** Saves the market time reached with the paper account and closes it. */
  close(): void {
    const books = this.#o.setup.books;
    if (!books) return;
    try {
      books.saveMarketTime(this.#o.setup.sim.now());
    } catch (error) {
      this.#o.log.warn(`Could not save the simulated market time: ${error instanceof Error ? error.message : String(error)}`);
    }
    books.close();
  }

  /** After each advance: match working paper orders, settle expired paper positions, remember market time. */
  #afterAdvance(): void {
    const { setup, broker, wall, log } = this.#o;
    const sim = setup.sim;
    try {
      broker.match();
      const today = etDate(sim.now());
      const s = sim.session();
      // Once a session is over, the paper exchange cash-settles what expired that day (the engine settles its own records).
      const doneThrough = s && sim.now() >= s.close ? today : null;
      if (doneThrough && doneThrough !== this.#settledThrough) {
        this.#settledThrough = doneThrough;
        const pm = sim.settlementValue('SPXW', doneThrough);
        const am = sim.settlementValue('SPX', doneThrough);
        const spy = sim.settlementValue('SPY', doneThrough);
        broker.exchange.settle(doneThrough, { ...(pm !== null ? { SPX_PM: pm } : {}), ...(am !== null ? { SPX_AM: am } : {}), ...(spy !== null ? { SPY: spy } : {}) });
      }
      // Every paper order event already saved its market time with it; between them, save once per driver
      // tick (250 ms of wall time, one small synchronous write), so a kill -9 rewinds the market by at most
      // a tick × the speed (at 600×, 2.5 market minutes), not by seconds of wall time.
      if (setup.books && wall.now() - this.#lastSave >= SAVE_EVERY_MS) {
        this.#lastSave = wall.now();
        setup.books.saveMarketTime(sim.now());
      }
    } catch (error) {
      log.warn(`Simulated exchange step failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
