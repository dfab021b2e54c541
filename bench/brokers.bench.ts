/**
 * Broker benchmarks, each adapter against its wire-level fake (and the sim adapter in process):
 * - chain fetch + normalize for a full SPXW expiration (~400 strikes × 2 rights);
 * - order round trip: submit → acknowledged → filled, for a marketable 2-leg credit spread.
 * IB's chain is bounded by its 50 msg/s limit (one snapshot request per contract at the library's
 * 40 msg/s), which is the point of measuring it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { medianMs, type Figure, type Suite } from './harness.ts';
import { createBroker } from '../electron/brokers/factory.ts';
import { SIM_BOOKS_FILE, SimBooksFile } from '../electron/brokers/sim/books-file.ts';
import { Cents, ClientOrderId, type Broker, type BrokerEvent } from '../electron/brokers/port.ts';
import { BrokerMarketData } from '../electron/engine/broker-market.ts';
import { DEFAULT_SPY_SPX_CONFIG } from '../electron/strategies/spy-spx-0dte/config.ts';
import { spySpx0dte } from '../electron/strategies/spy-spx-0dte/strategy.ts';
import type { OptionRoot } from '../shared/domain/chain.ts';
import { MARKET_TIME, simMarket } from '../tests/brokers/harness.ts';
import { startFakeIbGateway } from '../tests/fakes/ib-gateway/server.ts';
import { startFakeTradier } from '../tests/fakes/tradier/server.ts';

const EXP = '2025-03-21';
const clock = { now: () => MARKET_TIME };
let n = 0;

async function roundTrip(b: Broker): Promise<{ ack: number; fill: number }> {
  const chain = await b.chain({ underlying: 'SPX', expiration: EXP, roots: ['SPXW'], minStrike: 5690, maxStrike: 5700 });
  const bid = chain.contracts.find((c) => c.strike === 5700 && c.right === 'P')?.bid ?? 0;
  const ask = chain.contracts.find((c) => c.strike === 5690 && c.right === 'P')?.ask ?? 0;
  const credit = Math.max(5, Math.round(bid * 100) - Math.round(ask * 100) - 5);
  const id = ClientOrderId(`bench-${++n}`);
  const t0 = performance.now();
  let ack = 0;
  const filled = new Promise<number>((resolve) => {
    const off = b.onEvent((e: BrokerEvent) => {
      if (!('order' in e) || e.order.clientOrderId !== id) return;
      if (!ack && (e.type === 'order-accepted' || e.type === 'order-filled')) ack = performance.now() - t0;
      if (e.order.status === 'filled') {
        off();
        resolve(performance.now() - t0);
      }
    });
  });
  await b.placeOrder({ clientOrderId: id, quantity: 1, tif: 'DAY', limit: { cents: Cents(credit), effect: 'credit' }, legs: [
    { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: EXP, strike: 5700, right: 'P' }, side: 'SELL', ratio: 1, intent: 'open' },
    { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: EXP, strike: 5690, right: 'P' }, side: 'BUY', ratio: 1, intent: 'open' },
  ] });
  const fill = await filled;
  return { ack, fill };
}

async function measure(subject: string, b: Broker, chainSamples: number): Promise<Figure[]> {
  await b.connect();
  let contracts = 0;
  const chainMs = await medianMs(async () => {
    contracts = (await b.chain({ underlying: 'SPX', expiration: EXP, roots: ['SPXW'] })).contracts.length;
  }, chainSamples, 1);
  const acks: number[] = [];
  const fills: number[] = [];
  for (let i = 0; i < 9; i++) {
    const r = await roundTrip(b);
    acks.push(r.ack);
    fills.push(r.fill);
  }
  const med = (xs: number[]): number => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)] as number;
  await b.disconnect();
  return [
    { name: `chain fetch+normalize (${contracts} contracts)`, subject, value: chainMs, unit: 'ms', note: 'median' },
    { name: 'order submit → acknowledged', subject, value: med(acks), unit: 'ms', note: 'median of 9' },
    { name: 'order submit → filled', subject, value: med(fills), unit: 'ms', note: subject.startsWith('sim') ? 'median of 9, in process' : 'median of 9, fake fill delay 5 ms' },
  ];
}

/**
 * What the SPY/SPX system reads at a decision, the way the engine's capture reads it (trading.ts):
 * both roots' expirations, then each chain the system asks for — its 0DTE SPXW and SPY chains in the
 * narrow band around spot (`trading.bandPct`), so only a few contracts go through IB's pacing.
 */
async function spySpxQuotes(b: Broker): Promise<{ ms: number; contracts: number; legsQuoted: boolean }> {
  const market = new BrokerMarketData({ broker: b, clock });
  const t0 = performance.now();
  const listed: Partial<Record<OptionRoot, string[]>> = {};
  for (const root of spySpx0dte.roots) listed[root] = await market.expirations(root);
  let contracts = 0;
  let legsQuoted = true;
  for (const need of spySpx0dte.chainsNeeded(MARKET_TIME, DEFAULT_SPY_SPX_CONFIG, listed)) {
    const chain = await market.chain(need);
    contracts += chain?.contracts.length ?? 0;
    // The ATM call (nearest strike to spot) must be quoted two-sided.
    const atm = chain?.contracts.filter((c) => c.right === 'C').sort((x, y) => Math.abs(x.strike - chain.underlyingPrice!) - Math.abs(y.strike - chain.underlyingPrice!))[0];
    legsQuoted &&= atm !== undefined && atm.bid !== null && atm.ask !== null;
  }
  return { ms: performance.now() - t0, contracts, legsQuoted };
}

export const benches: Suite[] = [
  {
    // Issue 17's goal: both legs quoted within 1 s of the decision on the IB fake (IB pacing on).
    name: 'brokers: SPY/SPX 0DTE decision quotes on the IB Gateway fake',
    async run() {
      const ibFake = await startFakeIbGateway({ market: simMarket() });
      ibFake.script.enforcePacing = true;
      const b = createBroker({ kind: 'ibkr', ibkr: { port: ibFake.port, clientId: 1, requestTimeoutMs: 60_000 } }, { clock });
      await b.connect();
      let last = { ms: 0, contracts: 0, legsQuoted: false };
      try {
        const ms = await medianMs(async () => {
          last = await spySpxQuotes(b);
          if (!last.legsQuoted) throw new Error('an ATM call of the SPY/SPX decision had no two-sided quote');
        }, 5, 1);
        return [{ name: `decision → both legs quoted (SPXW + SPY 0DTE, ±${DEFAULT_SPY_SPX_CONFIG.trading.bandPct * 100} % band, ${last.contracts} contracts)`, subject: 'ibkr (fake Gateway, pacing on)', value: ms, unit: 'ms', note: 'median of 5; goal ≤ 1000 ms' }];
      } finally {
        await b.disconnect();
        await ibFake.stop();
      }
    },
  },
  {
    name: 'brokers: chain + order round trip per adapter',
    async run() {
      const figures: Figure[] = [];
      figures.push(...(await measure('sim', createBroker({ kind: 'sim' }, { clock, market: simMarket() }), 15)));

      const tradierFake = await startFakeTradier({ market: simMarket(), token: 'bench-token', account: 'VA00000001' });
      figures.push(...(await measure('tradier (fake)', createBroker({ kind: 'tradier', tradier: { token: 'bench-token', accountId: 'VA00000001', baseUrl: tradierFake.baseUrl, pollIntervalMs: 10 } }, { clock }), 15)));
      await tradierFake.stop();

      const ibFake = await startFakeIbGateway({ market: simMarket() });
      ibFake.script.enforcePacing = true;
      figures.push(...(await measure('ibkr (fake Gateway)', createBroker({ kind: 'ibkr', ibkr: { port: ibFake.port, clientId: 1, requestTimeoutMs: 60_000 } }, { clock }), 2)));
      await ibFake.stop();
      return figures;
    },
  },
  {
    // The workstation's simulator keeps its paper account in the data folder: each order event is a
    // FULL-sync SQLite commit before it is acknowledged. Side by side with the in-memory account.
    name: 'brokers: sim paper account in memory vs in the data folder',
    async run() {
      const figures = await measure('sim', createBroker({ kind: 'sim' }, { clock, market: simMarket() }), 5);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-simbooks-'));
      const books = SimBooksFile.open(path.join(dir, SIM_BOOKS_FILE), { seed: 1, start: '2025-03-18' });
      try {
        figures.push(...(await measure('sim (books file)', createBroker({ kind: 'sim' }, { clock, market: simMarket(), books }), 5)));
      } finally {
        books.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return figures.filter((f) => f.name.startsWith('order'));
    },
  },
];
