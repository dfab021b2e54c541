import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotSchema } from '../../../shared/api.ts';
import type { ChainSnapshot } from '../../../shared/domain/chain.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import { readEodChain, toChainSnapshots } from '../../market/data/index.ts';
import type { Store } from '../../store/store.ts';
import { dispatch } from '../rpc.ts';
import type { Workstation } from '../workstation.ts';
import { getSnapshot } from './view.ts';

const DATA = path.resolve(import.meta.dirname, '../../..', '..', 'shared/data');

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

/** A real SPXW end-of-day chain (one quote time, one expiration) from ../shared/data, with at least 100 contracts. */
function realChain(): ChainSnapshot {
  const loaded = readEodChain(path.join(DATA, 'spxw_options_eod_2018-01_2018-02.csv'));
  const chain = toChainSnapshots(loaded.rows).find((c) => c.contracts.length >= 100);
  if (!chain) throw new Error('no chain with 100 contracts in the 2018 SPXW file');
  return chain;
}

/** Stores the chain with its contracts shuffled (a source need not send them sorted) and an ENTER that sells 2 puts and buys 2. */
function seed(s: Store) {
  const chain = realChain();
  const shuffled = { ...chain, contracts: [...chain.contracts].reverse() };
  const snapshotId = s.snapshots.insert(shuffled);
  const puts = chain.contracts.filter((c) => c.right === 'P' && c.strike < chain.underlyingPrice).sort((a, b) => b.strike - a.strike);
  const short = puts[3]!;
  const long = puts[5]!;
  const config = s.configs.save('credit-verticals', {}, chain.time);
  const proposalLeg = (c: typeof short, side: 'BUY' | 'SELL') => ({ symbol: c.symbol, underlying: 'SPX', root: c.root, expiration: c.expiration, strike: c.strike, right: c.right, side, ratio: 1, multiplier: 100, bid: c.bid, ask: c.ask, mid: 0, delta: c.delta, iv: c.iv });
  const decisionId = s.decisions.record({
    strategyId: 'credit-verticals', configId: config.configId, decidedAt: chain.time, kind: 'ENTER', gate: 'dte7-d10', reason: 'best score',
    legs: [proposalLeg(short, 'SELL'), proposalLeg(long, 'BUY')], quantity: 2, limitPriceCents: 120, snapshotIds: [snapshotId],
  });
  const skipId = s.decisions.record({ strategyId: 'credit-verticals', configId: config.configId, decidedAt: chain.time, kind: 'SKIP', gate: 'no-expiration', reason: 'none', snapshotIds: [snapshotId] });
  return { chain, snapshotId, decisionId, skipId, short, long, configId: config.configId };
}

describe('getSnapshot', () => {
  it('returns the stored real chain sorted by expiration, strike and right, with the decision’s legs chosen', () => {
    store = openTemp();
    const { chain, snapshotId, decisionId, short, long } = seed(store);
    const snap = getSnapshot(store, snapshotId, decisionId);
    expect(SnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap).toMatchObject({ id: snapshotId, underlying: 'SPX', underlyingPrice: chain.underlyingPrice, takenAt: chain.time, source: chain.source });
    expect(snap.rows).toHaveLength(chain.contracts.length);
    for (let i = 1; i < snap.rows.length; i++) {
      const a = snap.rows[i - 1]!;
      const b = snap.rows[i]!;
      const order = a.expiration.localeCompare(b.expiration) || a.strike - b.strike || (a.right === b.right ? 0 : a.right === 'C' ? -1 : 1);
      expect(order).toBeLessThan(0);
    }
    const row = snap.rows.find((r) => r.symbol === short.symbol)!;
    expect(row).toEqual({ symbol: short.symbol, expiration: short.expiration, strike: short.strike, right: 'P', bid: short.bid, ask: short.ask, delta: short.delta, iv: short.iv, openInterest: short.openInterest, volume: short.volume });
    expect(snap.chosen).toEqual([
      { symbol: short.symbol, side: 'SELL', quantity: 2 },
      { symbol: long.symbol, side: 'BUY', quantity: 2 },
    ]);
    expect(getSnapshot(store, snapshotId).chosen).toEqual([]);
  });

  it('falls back to the trade’s legs when the decision stored none, and chooses nothing for a skip', () => {
    store = openTemp();
    const { chain, snapshotId, skipId, short, long, configId } = seed(store);
    expect(getSnapshot(store, snapshotId, skipId).chosen).toEqual([]);
    const trade = store.trades.create({
      strategyId: 'credit-verticals', configId, broker: 'sim', structure: 'put_credit_spread', quantity: 3, at: chain.time,
      legs: [
        { root: 'SPXW', expiration: short.expiration, strike: short.strike, right: 'P', side: 'SELL', quantity: 3 },
        { root: 'SPXW', expiration: long.expiration, strike: long.strike, right: 'P', side: 'BUY', quantity: 3 },
      ],
    });
    const exit = store.decisions.record({ strategyId: 'credit-verticals', configId, decidedAt: chain.time + 60_000, kind: 'EXIT', gate: 'STOP_LOSS', reason: 'stop', snapshotIds: [snapshotId], tradeId: trade.tradeId });
    expect(getSnapshot(store, snapshotId, exit).chosen).toEqual([
      { symbol: short.symbol, side: 'SELL', quantity: 3 },
      { symbol: long.symbol, side: 'BUY', quantity: 3 },
    ]);
  });

  it('refuses unknown snapshot and decision ids with ApiError NOT_FOUND, which the transport passes on', async () => {
    store = openTemp();
    const { snapshotId } = seed(store);
    expect(() => getSnapshot(store!, snapshotId + 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => getSnapshot(store!, snapshotId, 999)).toThrow(/no decision 999/);
    const s = store;
    const workstation = { handlers: { 'snapshot.get': async (i: { snapshotId: number; decisionId?: number }) => getSnapshot(s, i.snapshotId, i.decisionId) }, logs: { write: () => {}, redact: (m: string) => m } } as unknown as Workstation;
    expect(await dispatch(workstation, 'snapshot.get', { snapshotId: 4242 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'There is no chain snapshot 4242.' } });
    expect(await dispatch(workstation, 'snapshot.get', { snapshotId: 0 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const ok = await dispatch(workstation, 'snapshot.get', { snapshotId });
    expect(ok.ok).toBe(true);
  });
});
