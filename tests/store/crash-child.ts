/**
 * Child process for crash.test.ts: writes realistic transactions as fast as it can and prints each
 * committed id on stdout ("trade <id>" / "snapshot <id>") only after the commit returned. The
 * parent kills it with SIGKILL at a random moment.
 */
import { openStore } from '../../electron/store/store.ts';
import { generateChain } from './chain-gen.ts';

const dataDir = process.argv[2]!;
const round = Number(process.argv[3] ?? 0);
const store = openStore({ dataDir, check: 'none' });
const config = store.configs.save('crash', { round: 0 }, 1);
process.stdout.write('ready\n');

let i = 0;
for (;;) {
  i++;
  const at = Date.UTC(2026, 0, 20, 14, 35) + round * 1_000_000 + i;
  if (i % 10 === 0) {
    // A bigger write: a 2,400-contract snapshot (three expirations × 400 strikes × 2 rights).
    const chain = generateChain({
      spot: 6000 + (i % 50), time: at, strikesPerExpiration: 400, seed: i + round * 7919,
      expirations: [{ date: '2026-01-23', dte: 3 }, { date: '2026-01-27', dte: 7 }, { date: '2026-01-29', dte: 9 }],
    });
    const id = store.snapshots.insert(chain, { targetDte: 3 });
    process.stdout.write(`snapshot ${id}\n`);
    continue;
  }
  // A trade with its order and fill and events, all in one transaction.
  const tradeId = store.transaction(() => {
    const t = store.trades.create({
      strategyId: 'crash', configId: config.configId, broker: 'sim', structure: 'put_credit_vertical', quantity: 1, at,
      legs: [
        { root: 'SPXW', expiration: '2026-01-23', strike: 5800 + (i % 40) * 5, right: 'P', side: 'SELL', quantity: 1 },
        { root: 'SPXW', expiration: '2026-01-23', strike: 5790 + (i % 40) * 5, right: 'P', side: 'BUY', quantity: 1 },
      ],
    });
    const o = store.orders.create({
      clientOrderId: `crash-${round}-${i}`, broker: 'sim', strategyId: 'crash', tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT',
      priceEffect: 'CREDIT', limitPriceCents: 125, quantity: 1, at, legs: [{ symbol: t.legs[0]!.symbol, side: 'SELL', ratio: 1 }, { symbol: t.legs[1]!.symbol, side: 'BUY', ratio: 1 }],
    });
    store.fills.record({ orderId: o.orderId, execId: `x-${round}-${i}`, filledAt: at, symbol: t.legs[0]!.symbol, side: 'SELL', quantity: 1, priceCents: 250 });
    return t.tradeId;
  });
  process.stdout.write(`trade ${tradeId}\n`);
}
