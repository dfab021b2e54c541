/**
 * Replay (issue 12; ARCHITECTURE.md "Reproducibility"): every stored entry decision, re-run through
 * the strategy's decision function on its stored chain snapshots, context, config version and the
 * inputs it recorded (listed expirations, portfolio), must give the same decision — same kind, gate,
 * reason, numbers, legs, limit price and chains — over a whole simulated week, live and backtest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptionQuote } from '../../shared/domain/chain.ts';
import { runBacktest } from '../../electron/backtest/run.ts';
import { FillModelExecutor } from '../../electron/backtest/fill-model.ts';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { LogHub } from '../../electron/application/logs/hub.ts';
import type { MarketData } from '../../electron/engine/ports.ts';
import { replayDecision } from '../../electron/engine/replay.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type AnyStrategy, type EngineConfig } from '../../electron/engine/trading.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';
import type { DecisionRow } from '../../electron/store/repos/decisions.ts';
import { openStore, type Store } from '../../electron/store/store.ts';
import { openTemp, tempDir } from '../store/fixtures.ts';
import { variant } from './test-strategies.ts';

const SEED = 11;
const FROM = '2026-03-02';
const TO = '2026-03-06';
/** Seed 000 with a per-trade loss limit below any 25-wide spread's max loss: every entry it finds is vetoed. */
const vetoed = variant(creditVerticals, 'vetoed');
const STRATEGIES: AnyStrategy[] = [creditVerticals, vetoed];

const stores: Store[] = [];
afterAll(() => {
  for (const s of stores.splice(0)) s.close();
});

/**
 * Market data whose greeks are not short decimals, as IB Gateway and Tradier send them (the
 * simulator rounds its own to the 6 places the store keeps).
 */
function unrounded(market: MarketData): MarketData {
  const jitter = (q: OptionQuote): OptionQuote => ({ ...q, delta: q.delta === null ? null : q.delta + 1.234e-9, iv: q.iv === null ? null : q.iv + 5.678e-9 });
  return {
    kind: market.kind,
    resolution: market.resolution,
    expirations: (r) => market.expirations(r),
    chain: async (need) => {
      const c = await market.chain(need);
      return c && { ...c, contracts: c.contracts.map(jitter) };
    },
    levels: () => market.levels(),
    optionQuotes: async (symbols) => new Map([...(await market.optionQuotes(symbols))].map(([k, q]) => [k, jitter(q)])),
    settlementValue: (root, expiration) => market.settlementValue(root, expiration),
    dailyHistory: (symbol, from, to) => market.dailyHistory(symbol, from, to),
  };
}

/** A simulated week (or up to `to`) through the live engine's recording (every tick's snapshots and context kept). */
async function liveWeek(o: { to?: string; market?: (m: MarketData) => MarketData } = {}): Promise<Store> {
  const sim = createSimulator({ seed: SEED, start: FROM });
  const clock = new VirtualClock(sim.now());
  const store = openTemp();
  stores.push(store);
  const market = new SimMarketData(sim, clock);
  const engine = new TradingEngine({
    clock,
    scheduler: new VirtualScheduler(clock),
    store,
    market: o.market ? o.market(market) : market,
    executor: new FillModelExecutor(store),
    log: new LogHub(() => clock.now()).logger('engine'),
    brokerName: 'sim',
    snapshots: 'store',
    gex: 'light',
    strategies: [
      { strategy: creditVerticals, config: creditVerticals.configSchema.parse({}) as EngineConfig, enabled: true },
      { strategy: vetoed, config: vetoed.configSchema.parse({ risk: { maxLossPerTradeCents: 100_000 } }) as EngineConfig, enabled: true },
    ],
  });
  engine.start();
  const end = etToEpoch(o.to ?? TO, '16:30');
  for (;;) {
    const t = clock.nextTimerAt();
    if (t === null || t > end) break;
    if (t > sim.now()) sim.advanceTo(t);
    clock.advanceTo(t);
    await engine.idle();
  }
  engine.stop();
  return store;
}

const entryDecisions = (store: Store): DecisionRow[] => store.decisions.listByDate(FROM, TO).filter((d) => d.kind !== 'EXIT');

describe('replayDecision over a simulated week', () => {
  let live: Store;
  beforeAll(async () => {
    live = await liveWeek();
  }, 120_000);

  it('live recording: every ENTER, SKIP and VETO replays to the same decision', () => {
    const decisions = entryDecisions(live);
    expect(decisions.length).toBeGreaterThan(50);
    const kinds = new Set(decisions.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['ENTER', 'SKIP', 'VETO']);
    // Many gates, not just one path through the rules.
    expect(new Set(decisions.map((d) => d.gate)).size).toBeGreaterThanOrEqual(4);
    for (const d of decisions) {
      const r = replayDecision(live, d.decisionId, STRATEGIES);
      expect(r, `decision ${d.decisionId} (${d.kind} ${d.gate} at ${d.entrySlot})`).toMatchObject({ status: 'same', differences: [] });
      if (r.status !== 'not-replayable') {
        expect(r.replayed).toEqual(r.recorded);
        expect(r.recorded).toMatchObject({ kind: d.kind, gate: d.gate, limitPriceCents: d.limitPriceCents, legs: d.legs });
      }
    }
  });

  it('decisions recorded before issue 14 (inputs: one list of expirations, no account, no market view) still replay the same', () => {
    const decisions = entryDecisions(live).filter((d) => d.kind === 'ENTER' || d.kind === 'VETO' || d.gate === 'lower-score');
    expect(decisions.length).toBeGreaterThan(5);
    live.db.exec('BEGIN');
    try {
      // Rewrite every row of the week to the old shape of `details.inputs`, as an older database holds it.
      const rows = live.db.prepare('SELECT decision_id AS id, details_json AS d FROM trade_decisions').all() as { id: number; d: string }[];
      const update = live.db.prepare('UPDATE trade_decisions SET details_json = ? WHERE decision_id = ?');
      for (const r of rows) {
        const details = JSON.parse(r.d) as Record<string, unknown>;
        const inputs = details.inputs as { expirations: Record<string, string[]>; portfolio: unknown } | undefined;
        if (!inputs) continue;
        // The target DTE was then the decision's column only, except in the details of these skips.
        const gate = (live.db.prepare('SELECT gate FROM trade_decisions WHERE decision_id = ?').get(r.id) as { gate: string }).gate;
        const { targetDte, ...rest } = details;
        const old = ['no-expiration', 'same-expiration', 'no-chain'].includes(gate) ? { ...rest, targetDte } : rest;
        update.run(JSON.stringify({ ...old, inputs: { expirations: inputs.expirations.SPXW ?? [], portfolio: inputs.portfolio } }), r.id);
      }
      for (const d of decisions) expect(replayDecision(live, d.decisionId, STRATEGIES), `decision ${d.decisionId}`).toMatchObject({ status: 'same' });
    } finally {
      live.db.exec('ROLLBACK');
    }
  });

  it('reports what differs when the record does not match the re-run, and refuses what it cannot replay', () => {
    const decisions = entryDecisions(live);
    const enter = decisions.find((d) => d.kind === 'ENTER')!;
    const skip = decisions.find((d) => d.kind === 'SKIP' && d.gate === 'lower-score')!;
    // Tamper inside a transaction rolled back afterwards (replay reads through the same connection).
    live.db.exec('BEGIN');
    try {
      live.db.prepare('UPDATE trade_decisions SET limit_price_cents = limit_price_cents + 5 WHERE decision_id = ?').run(enter.decisionId);
      expect(replayDecision(live, enter.decisionId, STRATEGIES)).toMatchObject({ status: 'different', differences: ['limitPriceCents'] });
      live.db.prepare("UPDATE trade_decisions SET details_json = json_set(details_json, '$.score', 0) WHERE decision_id = ?").run(skip.decisionId);
      expect(replayDecision(live, skip.decisionId, STRATEGIES)).toMatchObject({ status: 'different', differences: ['details'] });
    } finally {
      live.db.exec('ROLLBACK');
    }
    expect(replayDecision(live, enter.decisionId, STRATEGIES).status).toBe('same');

    const exit = live.decisions.listByDate(FROM, TO).find((d) => d.kind === 'EXIT')!;
    expect(replayDecision(live, exit.decisionId, STRATEGIES)).toMatchObject({ status: 'not-replayable', reason: expect.stringMatching(/exit decision/i) });
    expect(replayDecision(live, enter.decisionId, [])).toMatchObject({ status: 'not-replayable', reason: expect.stringContaining('credit-verticals') });
    expect(() => replayDecision(live, 999_999, STRATEGIES)).toThrow('There is no decision 999999.');
  });

  it('a broker whose greeks are not 6-decimal numbers (IB, Tradier) replays exactly too: the engine decides on the chain as the store keeps it', async () => {
    const store = await liveWeek({ to: FROM, market: unrounded });
    const decisions = entryDecisions(store);
    expect(decisions.some((d) => d.kind === 'ENTER')).toBe(true);
    for (const d of decisions) expect(replayDecision(store, d.decisionId, STRATEGIES), `decision ${d.decisionId} (${d.kind} ${d.gate})`).toMatchObject({ status: 'same' });
  }, 60_000);

  it('backtest database: every decision of a slot that entered replays the same; other slots say their chains were not kept', async () => {
    const dataDir = tempDir('td-replay-bt-');
    await runBacktest({ strategy: creditVerticals, source: { kind: 'sim', seed: SEED }, from: FROM, to: TO, dataDir });
    const store = openStore({ dataDir, check: 'none' });
    stores.push(store);
    const decisions = entryDecisions(store);
    const enteredAt = new Set(decisions.filter((d) => d.kind === 'ENTER').map((d) => d.decidedAt));
    expect(enteredAt.size).toBeGreaterThan(0);
    let same = 0;
    for (const d of decisions) {
      const r = replayDecision(store, d.decisionId, STRATEGIES);
      if (enteredAt.has(d.decidedAt)) {
        expect(r, `decision ${d.decisionId} (${d.kind} ${d.gate})`).toMatchObject({ status: 'same' });
        same++;
      } else {
        expect(r).toMatchObject({ status: 'not-replayable', reason: expect.stringMatching(/not kept/) });
      }
    }
    expect(same).toBeGreaterThan(enteredAt.size); // the slots' SKIPs replay too, not only the ENTERs
  }, 120_000);
});
