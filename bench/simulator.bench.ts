/**
 * Simulator throughput (issue "Market core", goal: ≥ 5 simulated trading days a second with 5-minute
 * chains for every expiration within 14 DTE — SPXW dailies, the SPX monthly and SPY dailies).
 *
 * One simulated day = advance minute by minute through the session and, every 5 minutes (78 times),
 * compute the chain of every listed expiration within 14 calendar days. Measured in the columnar form
 * (reused arrays, what a backtest loop uses) and in the ChainSnapshot object form, side by side.
 */
import { performance } from 'node:perf_hooks';
import type { Figure, Suite } from './harness.ts';
import { createSimulator } from '../electron/market/sim/simulator.ts';
import { emptyChainColumns } from '../electron/market/sim/chain.ts';
import type { ChainColumns } from '../electron/market/sim/chain.ts';
import { addDays, nextTradingDay, session } from '../shared/market/calendar.ts';
import { etDate } from '../shared/time/et.ts';
import type { OptionRoot } from '../shared/domain/chain.ts';

const ROOTS: OptionRoot[] = ['SPXW', 'SPX', 'SPY'];

function runDays(days: number, form: 'columns' | 'snapshot'): { ms: number; contracts: number; chains: number } {
  const sim = createSimulator({ seed: 42, start: '2025-03-03', warmupDays: 0 });
  const buffers = new Map<string, ChainColumns>();
  let contracts = 0;
  let chains = 0;
  const t0 = performance.now();
  for (let d = 0; d < days; d++) {
    const s = sim.session()!;
    const today = etDate(sim.now());
    const horizon = addDays(today, 14);
    const lists = ROOTS.map((r) => [r, sim.expirations(r).filter((e) => e <= horizon)] as const);
    for (let t = s.open; t <= s.close; t += 5 * 60_000) {
      sim.advanceTo(t);
      for (const [root, exps] of lists) {
        for (const e of exps) {
          if (form === 'columns') {
            const key = `${root}${e}`;
            let buf = buffers.get(key);
            if (!buf) buffers.set(key, (buf = emptyChainColumns()));
            contracts += 2 * sim.chainColumns(root, e, buf).n;
          } else {
            contracts += sim.chain(root, e).contracts.length;
          }
          chains++;
        }
      }
    }
    sim.advanceTo(session(nextTradingDay(today))!.open); // into the next session
  }
  return { ms: performance.now() - t0, contracts, chains };
}

export const benches: Suite[] = [
  {
    name: 'simulator',
    run(): Figure[] {
      runDays(2, 'columns'); // warm-up (JIT)
      const days = 20;
      const col = runDays(days, 'columns');
      const snap = runDays(5, 'snapshot');
      const colRate = days / (col.ms / 1000);
      const snapRate = 5 / (snap.ms / 1000);
      const gen = (() => {
        const sim = createSimulator({ seed: 42, start: '2025-03-03', warmupDays: 0 });
        const t0 = performance.now();
        sim.advanceTo(sim.now() + 365 * 86_400_000);
        return (performance.now() - t0) / 252;
      })();
      return [
        { name: 'trading days/s, 5-min chains ≤ 14 DTE (columns)', subject: 'thetadesk', value: colRate, unit: 'days/s', goal: '>= 5', met: colRate >= 5, note: `${Math.round(col.chains / days)} chains and ${Math.round(col.contracts / days).toLocaleString('en-US')} contracts a day` },
        { name: 'trading days/s, 5-min chains ≤ 14 DTE (ChainSnapshot)', subject: 'thetadesk', value: snapRate, unit: 'days/s', note: 'object form with OCC symbols' },
        { name: 'contracts/s (columns)', subject: 'thetadesk', value: col.contracts / (col.ms / 1000), unit: 'contracts/s' },
        { name: 'session generation (bars only)', subject: 'thetadesk', value: gen, unit: 'ms/day' },
      ];
    },
  },
];
