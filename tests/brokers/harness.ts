/**
 * Adapter harnesses for the broker contract suite: each builds a Broker plus the controls the
 * numbered cases need (fill policy, rejects, dropping the connection, restarting the app). The sim
 * adapter and both wire-level fakes always run; real IB paper / Tradier sandbox only when their
 * environment variables are set (then without the scripted controls).
 */
import { createToyMarket, fromSimulator, type MarketSource } from '../../electron/brokers/market-source.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { createBroker } from '../../electron/brokers/factory.ts';
import type { Broker, BrokerEvent, ClientOrderId, OrderView } from '../../electron/brokers/port.ts';
import { SimBroker } from '../../electron/brokers/sim/broker.ts';
import type { FillPolicy, PaperExchange, RejectReason } from '../../electron/brokers/sim/matching.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { startFakeTradier, type FakeTradier } from '../fakes/tradier/server.ts';

/** Tuesday 2025-03-18 11:00 ET: market open, SPXW 0-3 DTE and the SPX AM monthly of 2025-03-21 listed. */
export const MARKET_TIME = Date.parse('2025-03-18T15:00:00Z');
export const TEST_TOKEN = 'tok-SECRET-8f3a9c2d71e4';
export const TEST_TRADIER_ACCOUNT = 'VA44556677';
export const TEST_IB_ACCOUNT = 'DU9876543';

export type Controls = {
  exchange: PaperExchange;
  setFillPolicy(p: FillPolicy): void;
  rejectNext(reason: RejectReason | null): void;
  /** Matches working orders on the venue now. */
  match(): void;
  /** Drops the connection between app and venue; resolves when it is down. */
  drop(): Promise<void>;
  /** Restores it (the adapter reconnects by itself or on connect()). */
  restore(broker: Broker): Promise<void>;
  /** A new adapter instance against the same venue (an app restart). */
  restart(): Promise<Broker>;
};

export type Harness = {
  name: string;
  broker: Broker;
  controls: Controls | null;
  market: MarketSource;
  close(): Promise<void>;
};

export type HarnessFactory = { name: string; enabled: boolean; scripted: boolean; make(): Promise<Harness> };

const clock = { now: () => MARKET_TIME };

/** The seeded market simulator at MARKET_TIME (what every fake and the sim adapter answer from). */
export function simMarket(seed = 42): MarketSource {
  const sim = createSimulator({ seed, start: '2025-03-18', spx0: 5800 });
  sim.advanceTo(MARKET_TIME);
  return fromSimulator(sim);
}

function simFactory(): HarnessFactory {
  return {
    name: 'sim',
    enabled: true,
    scripted: true,
    async make() {
      const market = simMarket();
      const broker = createBroker({ kind: 'sim' }, { clock, market }) as SimBroker;
      const exchange = broker.exchange;
      const extra: Broker[] = [];
      const controls: Controls = {
        exchange,
        setFillPolicy: (p) => (exchange.config.fillPolicy = p),
        rejectNext: (r) => (exchange.config.reject = r),
        match: () => exchange.match(),
        drop: () => broker.disconnect(),
        restore: (b) => b.connect(),
        async restart() {
          const b = new SimBroker({ market, exchange });
          extra.push(b);
          await b.connect();
          return b;
        },
      };
      return { name: 'sim', broker, controls, market, close: async () => void (await Promise.all([broker, ...extra].map((b) => b.disconnect()))) };
    },
  };
}

function ibFakeFactory(): HarnessFactory {
  return {
    name: 'ibkr (fake IB Gateway)',
    enabled: true,
    scripted: true,
    async make() {
      const market = simMarket();
      const fake: FakeIbGateway = await startFakeIbGateway({ market, account: TEST_IB_ACCOUNT });
      const cfg = { port: fake.port, clientId: 7, reconnect: { initialMs: 30, maxMs: 200, maxAttempts: 0 }, requestTimeoutMs: 4_000, connectTimeoutMs: 2_000, historical: { minGapMs: 0, retryAfterMs: 20, maxRetries: 3 } };
      const broker = createBroker({ kind: 'ibkr', ibkr: cfg }, { clock });
      const extra: Broker[] = [];
      const controls: Controls = {
        exchange: fake.exchange,
        setFillPolicy: (p) => (fake.exchange.config.fillPolicy = p),
        rejectNext: (r) => (fake.exchange.config.reject = r),
        match: () => fake.match(),
        async drop() {
          await fake.stop(); // Gateway restart: sockets drop and the port closes
          await waitForState(broker, (s) => s !== 'connected');
        },
        async restore(b) {
          await fake.start(fake.port);
          await waitForState(b, (s) => s === 'connected');
        },
        async restart() {
          const b = createBroker({ kind: 'ibkr', ibkr: cfg }, { clock });
          extra.push(b);
          await b.connect();
          return b;
        },
      };
      return {
        name: 'ibkr',
        broker,
        controls,
        market,
        close: async () => {
          await Promise.all([broker, ...extra].map((b) => b.disconnect()));
          await fake.stop();
        },
      };
    },
  };
}

function tradierFakeFactory(): HarnessFactory {
  return {
    name: 'tradier (fake Tradier)',
    enabled: true,
    scripted: true,
    async make() {
      const market = simMarket();
      const fake: FakeTradier = await startFakeTradier({ market, token: TEST_TOKEN, account: TEST_TRADIER_ACCOUNT });
      const cfg = { token: TEST_TOKEN, accountId: TEST_TRADIER_ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 15, maxBackoffMs: 30, requestTimeoutMs: 4_000, reconnectInitialMs: 30, reconnectMaxMs: 200 };
      const broker = createBroker({ kind: 'tradier', tradier: cfg }, { clock });
      const extra: Broker[] = [];
      const controls: Controls = {
        exchange: fake.exchange,
        setFillPolicy: (p) => (fake.exchange.config.fillPolicy = p),
        rejectNext: (r) => (fake.exchange.config.reject = r),
        match: () => fake.matchNow(),
        async drop() {
          // Every connection drops and the port refuses; the venue keeps working meanwhile.
          await fake.drop();
          await waitForState(broker, (s) => s !== 'connected');
        },
        async restore(b) {
          await fake.up();
          await waitForState(b, (s) => s === 'connected'); // the adapter reconnects by itself
        },
        async restart() {
          const b = createBroker({ kind: 'tradier', tradier: cfg }, { clock });
          extra.push(b);
          await b.connect();
          return b;
        },
      };
      return {
        name: 'tradier',
        broker,
        controls,
        market,
        close: async () => {
          await Promise.all([broker, ...extra].map((b) => b.disconnect()));
          await fake.stop();
        },
      };
    },
  };
}

function realIbFactory(): HarnessFactory {
  const host = process.env.THETADESK_IB_HOST;
  const port = Number(process.env.THETADESK_IB_PORT ?? '');
  return {
    name: 'ibkr (real IB paper)',
    enabled: !!host && Number.isInteger(port) && port > 0,
    scripted: false,
    async make() {
      const realClock = { now: () => performance.timeOrigin + performance.now() };
      const broker = createBroker({ kind: 'ibkr', ibkr: { host: host as string, port, clientId: 91 } }, { clock: realClock });
      return { name: 'ibkr-real', broker, controls: null, market: createToyMarket({ clock: realClock }), close: () => broker.disconnect() };
    },
  };
}

function realTradierFactory(): HarnessFactory {
  const token = process.env.THETADESK_TRADIER_TOKEN;
  const accountId = process.env.THETADESK_TRADIER_ACCOUNT;
  return {
    name: 'tradier (real sandbox)',
    enabled: !!token && !!accountId,
    scripted: false,
    async make() {
      const realClock = { now: () => performance.timeOrigin + performance.now() };
      const broker = createBroker({ kind: 'tradier', tradier: { token: token as string, accountId: accountId as string } }, { clock: realClock });
      return { name: 'tradier-real', broker, controls: null, market: createToyMarket({ clock: realClock }), close: () => broker.disconnect() };
    },
  };
}

export const HARNESSES: HarnessFactory[] = [simFactory(), ibFakeFactory(), tradierFakeFactory(), realIbFactory(), realTradierFactory()];

// ---------------------------------------------------------------------------------------------
// Waiting helpers (event-driven, with a generous deadline; never a timed assertion)

export function waitForOrder(broker: Broker, id: ClientOrderId, pred: (o: OrderView) => boolean, what: string, ms = 8_000): Promise<OrderView> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const o = broker.order(id);
      if (o && pred(o)) {
        cleanup();
        resolve(o);
        return true;
      }
      return false;
    };
    const off = broker.onEvent(() => void check());
    const poll = setInterval(check, 10);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`order ${id} never became ${what}; last: ${JSON.stringify(broker.order(id)?.status)}`));
    }, ms);
    const cleanup = (): void => {
      off();
      clearInterval(poll);
      clearTimeout(timer);
    };
    check();
  });
}

export function waitForState(broker: Broker, pred: (s: string) => boolean, ms = 8_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred(broker.status().state)) return resolve();
    const off = broker.onEvent((e: BrokerEvent) => {
      if (e.type === 'connection-changed' && pred(e.status.state)) {
        off();
        clearTimeout(t);
        resolve();
      }
    });
    const t = setTimeout(() => {
      off();
      reject(new Error(`connection never reached the expected state; now ${broker.status().state}: ${broker.status().message}`));
    }, ms);
  });
}
