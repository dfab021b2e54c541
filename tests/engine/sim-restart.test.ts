/**
 * Issue 12 (4): paper positions survive a restart. The real headless server runs as a child process on
 * the simulator at speed; once a paper trade is open (or an entry order is working) it is stopped —
 * cleanly or with kill -9 — and started again on the same data folder. The simulated broker's books
 * must come back from the data folder, so the engine reconciles (not halted "broker holds 0 …"), the
 * trade and its position are still open and match, and the market resumes no earlier than its last fill.
 *
 * The restarts run at 1× so the market stands still while the test looks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import type { OptionContract } from '../../electron/brokers/port.ts';
import { formatOcc } from '../../shared/domain/occ.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const SIM = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3' };
const FAST = { ...SIM, THETADESK_SIM_SPEED: '3000' };
const STEADY = { ...SIM, THETADESK_SIM_SPEED: '600' };
const SLOW = { ...SIM, THETADESK_SIM_SPEED: '1' };

type Status = { engineState: string; isTrading: boolean; reason: string | null; updatedAt: number; openPositions: number };
type Position = { tradeId: number; status: string; legs: { symbol: string; quantity: number }[] };
type Order = { tradeId: number | null; clientOrderId: string; brokerOrderId: string | null; status: string; purpose: string; filledQuantity: number; quantity: number; fills: { time: number }[] };

const servers: Headless[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(env: Record<string, string>, dataDir?: string): Promise<Headless> {
  const s = await startHeadless({ env, ...(dataDir ? { dataDir } : {}) });
  servers.push(s);
  return s;
}

/** Polls `probe` until it gives a value (a deadlock guard, not a timed assertion). */
async function waitFor<T>(s: Headless, what: string, probe: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}\n${s.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The engine has finished reconciling (whatever the outcome). */
async function settled(s: Headless): Promise<Status> {
  return waitFor(s, 'reconciliation', async () => {
    const st = await rpc<Status>(s, 'status.get');
    return st.engineState === 'reconciling' ? null : st;
  });
}

async function killHard(s: Headless): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGKILL');
  await exited;
  servers.splice(servers.indexOf(s), 1);
}

async function ordersOf(s: Headless): Promise<Order[]> {
  return rpc<Order[]>(s, 'orders.list', { from: '2026-01-01', to: '2026-12-31', limit: 1000 });
}

/** Positions at the paper broker, read from its books in the data folder (signed quantity by OCC symbol). */
function brokerBook(dataDir: string): { positions: Map<string, number>; working: string[] } {
  const db = new Database(path.join(dataDir, 'sim-broker.sqlite'), { readonly: true });
  try {
    const positions = new Map<string, number>();
    for (const r of db.prepare('SELECT contract, quantity FROM positions').all() as { contract: string; quantity: number }[]) {
      const c = JSON.parse(r.contract) as OptionContract;
      positions.set(formatOcc(c), r.quantity);
    }
    const working = (db.prepare("SELECT ref FROM orders WHERE status = 'working'").all() as { ref: string }[]).map((r) => r.ref);
    return { positions, working };
  } finally {
    db.close();
  }
}

function legsOf(p: Position): Map<string, number> {
  return new Map(p.legs.map((l) => [l.symbol, l.quantity]));
}

/** Starts on the fast market, presses Start and waits for an open (filled) paper trade. */
async function withOpenTrade(): Promise<{ s: Headless; position: Position }> {
  const s = await start(FAST);
  expect((await settled(s)).engineState).toBe('stopped');
  await rpc(s, 'engine.start');
  const position = await waitFor(s, 'an open paper trade', async () => (await rpc<Position[]>(s, 'positions.list')).find((p) => p.status === 'ACTIVE') ?? null);
  return { s, position };
}

/** After the restart: reconciled, not halted, the trade still open with the same legs. */
async function expectResumed(s: Headless, before: Position): Promise<Status> {
  const status = await settled(s);
  expect({ state: status.engineState, reason: status.reason }).toEqual({ state: 'stopped', reason: 'Stopped: press Start to allow new entries.' });
  const after = (await rpc<Position[]>(s, 'positions.list')).find((p) => p.tradeId === before.tradeId);
  expect(after?.status).toBe('ACTIVE');
  expect(legsOf(after!)).toEqual(legsOf(before));
  // The broker holds exactly what the open trades hold.
  const expected = new Map<string, number>();
  for (const p of await rpc<Position[]>(s, 'positions.list')) for (const l of p.legs) expected.set(l.symbol, (expected.get(l.symbol) ?? 0) + l.quantity);
  expect(brokerBook(s.dataDir).positions).toEqual(expected);
  return status;
}

describe('paper trades survive a restart of the headless server (simulated broker books in the data folder)', { timeout: 180_000 }, () => {
  it('clean restart (SIGTERM) with an open paper trade: reconciles, the trade and its position are still open and match', async () => {
    const { s, position } = await withOpenTrade();
    const seen = (await rpc<Status>(s, 'status.get')).updatedAt;
    expect(await s.stop()).toBe(0);
    const again = await start(SLOW, s.dataDir);
    const status = await expectResumed(again, position);
    expect(status.updatedAt).toBeGreaterThanOrEqual(seen); // the market resumes where it stopped
  });

  it('kill -9 right after a fill at 3000×: reconciles, nothing lost, and the market resumes no earlier than its last fill', async () => {
    const { s, position } = await withOpenTrade();
    await killHard(s);
    // The broker's books on disk hold the trade's position even though the process died mid-run.
    const book = brokerBook(s.dataDir);
    for (const [symbol, qty] of legsOf(position)) expect(book.positions.get(symbol)).toBe(qty);

    const again = await start(SLOW, s.dataDir);
    const status = await expectResumed(again, position);
    const lastFill = Math.max(...(await ordersOf(again)).flatMap((o) => o.fills.map((f) => f.time)));
    expect(status.updatedAt).toBeGreaterThanOrEqual(lastFill);
  });

  it('kill -9 with an entry order working at the broker: the order is adopted and keeps working after the restart', async () => {
    // 600×: the entry's hour of market time rests for 6 s of wall time, far longer than it takes to see it and kill.
    const s = await start(STEADY);
    expect((await settled(s)).engineState).toBe('stopped');
    // Entries rest at mid (no price walk) for up to an hour of market time: the entry order stays working.
    const [strategy] = await rpc<{ id: string; config: { execution: object } }[]>(s, 'strategies.list');
    await rpc(s, 'strategies.setConfig', { strategyId: strategy!.id, config: { ...strategy!.config, execution: { ...strategy!.config.execution, maxSteps: 0, timeoutSeconds: 3600 } } });
    await rpc(s, 'engine.start');
    const working = await waitFor(s, 'a working entry order', async () => (await ordersOf(s)).find((o) => o.purpose === 'OPEN' && o.status === 'ACCEPTED' && o.filledQuantity === 0) ?? null);
    await killHard(s);
    expect(brokerBook(s.dataDir).working).toContain(working.clientOrderId);

    const again = await start(SLOW, s.dataDir);
    const status = await settled(again);
    expect({ state: status.engineState, reason: status.reason }).toEqual({ state: 'stopped', reason: 'Stopped: press Start to allow new entries.' });
    const after = (await ordersOf(again)).find((o) => o.clientOrderId === working.clientOrderId);
    expect(after).toMatchObject({ status: 'ACCEPTED', brokerOrderId: working.brokerOrderId, filledQuantity: 0 });
    expect(brokerBook(again.dataDir).working).toContain(working.clientOrderId);
    const log = await rpc<{ message: string }[]>(again, 'logs.list', { limit: 1000 });
    expect(log.some((l) => l.message.includes(`resumed ${working.clientOrderId}`))).toBe(true);
    // Said as what it is: a working order, not a position.
    expect(log.map((l) => l.message)).toContainEqual(expect.stringMatching(/^The paper account has 1 working order: the simulated market runs/));
    expect(log.some((l) => /open position/.test(l.message))).toBe(false);
  });
});
