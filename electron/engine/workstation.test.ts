import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LegRow, TradeWithLegs } from '../store/repos/trades.ts';
import type { LegMark } from '../strategies/types.ts';
import { brokerFromEnv } from './broker-setup.ts';
import { VirtualClock } from './clock.ts';
import { openWorkstation, toPosition, type PositionFacts } from './workstation.ts';

const t0 = Date.UTC(2026, 0, 5, 15);

describe('Workstation', () => {
  it('records every engine state change in the append-only event log and system_state', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const clock = new VirtualClock(t0);
    const ws = openWorkstation({ clock, dataDir });
    const seen: string[] = [];
    ws.onEvent((e) => e.type === 'status' && seen.push(e.payload.engineState));
    await ws.start();
    clock.advanceTo(t0 + 1_000);
    await ws.closeAll();
    const events = ws.store.events.list({}).filter((e) => e.type === 'engine.state');
    expect(events.map((e) => (e.payload as { engineState: string }).engineState)).toEqual(['stopped', 'running', 'stopped']);
    expect(events.map((e) => e.at)).toEqual([t0, t0, t0 + 1_000]);
    expect(ws.store.systemState.get('engine')).toMatchObject({ engineState: 'stopped', isTrading: false });
    expect(seen).toEqual(['running', 'stopped']);
    await ws.close();
  });

  it('comes back stopped after a restart, even if it was trading, and says so', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const first = openWorkstation({ clock: new VirtualClock(t0), dataDir });
    await first.start();
    await first.close();
    const second = openWorkstation({ clock: new VirtualClock(t0 + 60_000), dataDir });
    expect(second.status()).toMatchObject({ engineState: 'stopped', isTrading: false });
    expect(second.logs.list(20, 'warn').map((l) => l.message).join('\n')).toMatch(/press Start to resume/);
    await second.close();
  });

  it('says the simulated broker stopped when it shuts down, never that it was not started', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const clock = new VirtualClock(t0);
    const setup = brokerFromEnv('sim', { THETADESK_SIM_START: '2026-01-05', THETADESK_SIM_SPEED: '1' }, clock);
    const lines: string[] = [];
    const ws = openWorkstation({ clock, dataDir, broker: setup, echoLog: (line) => lines.push(line) });
    await expect.poll(() => ws.status().connection.state, { timeout: 10_000 }).toBe('connected');
    expect(setup.broker.status().message).toBe('Simulated broker (paper) on the market simulator.');
    await ws.close();
    const shutdown = lines.slice(lines.findIndex((l) => l.includes('Workstation shutting down.')));
    expect(shutdown.join('\n')).toContain('[broker:sim] Simulated broker stopped.');
    expect(lines.join('\n')).not.toContain('not started');
    expect(setup.broker.status()).toMatchObject({ state: 'disconnected', message: 'Simulated broker stopped.' });
  });

  it('refuses unknown strategies with the list of known ones', async () => {
    const ws = openWorkstation({ clock: new VirtualClock(t0), dataDir: mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-')) });
    await expect(ws.start('no-such-system')).rejects.toThrow(/Unknown strategy "no-such-system"/);
    await ws.close();
  });
});

/** An open trade with the given legs, as the store returns it. */
function openTrade(legs: Partial<LegRow>[]): TradeWithLegs {
  return {
    tradeId: 7, strategyId: 'credit-verticals', configId: null, decisionId: null, broker: 'sim', accountId: null, structure: 'put_credit_vertical', status: 'OPEN',
    quantity: 2, entryDate: '2026-11-23', openedAt: t0, closedAt: null, exitDate: null, entryCreditCents: 95, entryTotalCents: 190, exitDebitCents: null,
    exitTotalCents: null, maxProfitCents: null, maxLossCents: null, commissionsCents: 0, realizedPnlCents: null, exitReason: null, notes: {}, createdAt: t0, updatedAt: t0,
    legs: legs.map((l, i) => ({
      legId: i + 1, tradeId: 7, legIndex: i, symbol: `L${i}`, underlying: 'SPX', root: 'SPXW', expiration: '2026-11-27', strike: 5800, right: 'P', multiplier: 100,
      side: 'SELL', quantity: 2, openedQty: 2, entryValueCents: 400, closedQty: 0, exitValueCents: 0, commissionsCents: 0, ...l,
    })),
  };
}

const mark = (m: Partial<LegMark>): LegMark => ({ bid: 1, ask: 1.1, mid: 1.05, delta: null, iv: 0.2, time: t0, gamma: null, theta: null, vega: null, ...m });

function facts(marks: Record<string, LegMark>, spots: { SPX?: number | null; SPY?: number | null }): PositionFacts {
  return { markOf: (s) => marks[s] ?? null, spotOf: (u) => spots[u] ?? null, unrealizedCents: 0, levels: { takeProfitCents: null, stopLossCents: null }, today: '2026-11-23' };
}

describe('toPosition', () => {
  const vertical = openTrade([
    { symbol: 'SPXW261127P05800000', strike: 5800, side: 'SELL' },
    { symbol: 'SPXW261127P05775000', strike: 5775, side: 'BUY' },
  ]);
  const marks = {
    SPXW261127P05800000: mark({ delta: -0.2013, gamma: 0.00214, theta: -1.8512, vega: 3.1047 }),
    SPXW261127P05775000: mark({ delta: -0.1597, gamma: 0.00171, theta: -1.5231, vega: 2.7719 }),
  };

  it("gives each leg its part of the greeks (signed contracts × multiplier × per-contract greek), which add up to the position's", () => {
    const p = toPosition(vertical, facts(marks, { SPX: 6012.34 }));
    const [short, long] = p.legs;
    // Short 2: −2 × 100 × greek; long 2: +2 × 100 × greek.
    expect(short!.exposure).toEqual({ delta: 40.26, gamma: -0.428, theta: 370.24, vega: -620.94 });
    expect(long!.exposure).toEqual({ delta: -31.94, gamma: 0.342, theta: -304.62, vega: 554.38 });
    expect(p.greeks).toEqual({ delta: 8.32, gamma: -0.086, theta: 65.62, vega: -66.56 });
    // The per-contract greeks stay as quoted.
    expect(short).toMatchObject({ quantity: -2, delta: -0.2013, gamma: 0.00214, theta: -1.8512, vega: 3.1047 });
  });

  it('a leg without a greek has none for it, and the position total waits for every leg', () => {
    const p = toPosition(vertical, facts({ ...marks, SPXW261127P05775000: mark({ delta: -0.1597 }) }, { SPX: 6012.34 }));
    expect(p.legs[1]!.exposure).toEqual({ delta: -31.94, gamma: null, theta: null, vega: null });
    expect(p.greeks).toBeNull();
  });

  it('measures each short strike from spot: signed points to the cent and a fraction of spot', () => {
    const p = toPosition(vertical, facts(marks, { SPX: 6012.34, SPY: 600.1 }));
    expect(p.shortStrikes).toHaveLength(1);
    const s = p.shortStrikes[0]!;
    expect(s).toMatchObject({ symbol: 'SPXW261127P05800000', underlying: 'SPX', right: 'P', strike: 5800, spot: 6012.34, distance: -212.34 });
    expect(s.distancePct).toBeCloseTo(-212.34 / 6012.34, 6);
    // A call above spot is positive; an SPY leg is measured from SPY.
    const calls = openTrade([
      { symbol: 'SPY261127C00610000', underlying: 'SPY', root: 'SPY', strike: 610, right: 'C', side: 'SELL', quantity: 10 },
      { symbol: 'SPXW261127C06000000', strike: 6000, right: 'C', side: 'BUY', quantity: 1 },
    ]);
    const q = toPosition(calls, facts({}, { SPX: 6012.34, SPY: 600.1 }));
    expect(q.shortStrikes).toEqual([{ symbol: 'SPY261127C00610000', underlying: 'SPY', right: 'C', strike: 610, spot: 600.1, distance: 9.9, distancePct: 0.016497 }]);
  });

  it('without a spot the short strike is listed with no distance (null, never NaN)', () => {
    const p = toPosition(vertical, facts(marks, {}));
    expect(p.shortStrikes).toEqual([{ symbol: 'SPXW261127P05800000', underlying: 'SPX', right: 'P', strike: 5800, spot: null, distance: null, distancePct: null }]);
  });
});
