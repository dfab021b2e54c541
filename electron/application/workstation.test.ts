import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { etDateTime } from '../../shared/time/et.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { brokerFromEnv } from './broker/setup.ts';
import { VirtualClock } from '../engine/clock.ts';
import { openWorkstation, type Workstation } from './workstation.ts';
import { openStore } from '../store/store.ts';

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

  it('pushes its status when its clock enters a new minute, so the UI’s clock and date ranges follow quiet hours', async () => {
    const clock = new VirtualClock(t0 + 10_000);
    const ws = openWorkstation({ clock, dataDir: mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-')), backups: false });
    const pushed: number[] = [];
    ws.onEvent((e) => e.type === 'status' && pushed.push(e.payload.updatedAt));
    clock.advanceTo(t0 + 50_000);
    expect(pushed).toEqual([]);
    // Overnight: nothing happens in the engine, yet the status moves on to the next ET date.
    clock.advanceTo(t0 + 10 * 3_600_000);
    expect(pushed.at(-1)).toBe(t0 + 10 * 3_600_000);
    expect(pushed.length).toBe(10 * 60);
    await ws.close();
  });

  it('refuses unknown strategies with the list of known ones', async () => {
    const ws = openWorkstation({ clock: new VirtualClock(t0), dataDir: mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-')) });
    await expect(ws.start('no-such-system')).rejects.toThrow(/Unknown strategy "no-such-system"/);
    await ws.close();
  });
});

/** Lets `ms` of wall time pass in the simulation driver's ticks (250 ms), each step finished before the next. */
async function runWall(wall: VirtualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 250) {
    wall.advanceTo(wall.now() + 250);
    const until = performance.now() + 30_000;
    // The driver re-arms its wall timer once its step (and every engine task it fired) is done.
    while (wall.nextTimerAt() === null) {
      if (performance.now() > until) throw new Error('the simulation step did not finish');
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

/** A Workstation on the simulator at `speed`× in a data folder, driven by a virtual wall clock, reconciled. */
async function simulated(dataDir: string, speed: number): Promise<{ ws: Workstation; wall: VirtualClock }> {
  const wall = new VirtualClock(Date.UTC(2026, 11, 7, 2)); // the machine's clock: nowhere near the simulated market
  const env = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: String(speed) };
  const ws = openWorkstation({ clock: wall, dataDir, backups: false, broker: brokerFromEnv('sim', env, wall, { dataDir }) });
  await expect.poll(() => ws.status().engineState, { timeout: 10_000 }).toBe('stopped');
  return { ws, wall };
}

describe('the simulated market before the first Start', () => {
  it('waits at the open however fast it is set to run, then runs from there and enters at 10:00 that first day', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const { ws, wall } = await simulated(dataDir, 12_000);
    const open = etToEpoch('2026-03-02', '09:30');
    // A minute of wall time at 12,000× would be 200 hours of market time: the week's entries gone before Start.
    await runWall(wall, 60_000);
    expect(etDateTime(ws.clock.now())).toBe('2026-03-02 09:30:00');
    expect(ws.status().simulation).toEqual({ speed: 12_000, waitingAt: open, message: 'Simulated market waiting at the open (Mon 2026-03-02 09:30 ET) — press Start' });
    expect(ws.store.decisions.listByDate('2026-03-02', '2026-03-31')).toEqual([]);
    expect(ws.logs.list(50).map((l) => l.message)).toContain('Simulated market waiting at the open (Mon 2026-03-02 09:30 ET) — press Start.');

    await ws.start();
    // One wall second: 200 market minutes from the open, not from where the market would have been.
    await runWall(wall, 1_000);
    expect(etDateTime(ws.clock.now())).toBe('2026-03-02 12:50:00');
    expect(ws.status().simulation).toEqual({ speed: 12_000, waitingAt: null, message: 'Simulated market running at 12,000× real time' });
    const at10 = ws.store.decisions.listByDate('2026-03-02', '2026-03-02').filter((d) => d.decidedAt === etToEpoch('2026-03-02', '10:00'));
    expect(at10.map((d) => d.kind)).toContain('ENTER');
    await ws.close();
  }, 120_000);

  it('after a restart with open positions runs before Start to manage them, and says so; with none it waits again', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const first = await simulated(dataDir, 12_000);
    await first.ws.start();
    for (let i = 0; i < 40 && !first.ws.store.trades.listOpen().some((t) => t.status === 'OPEN'); i++) await runWall(first.wall, 250);
    expect(first.ws.store.trades.listOpen().some((t) => t.status === 'OPEN')).toBe(true);
    await first.ws.close();
    // A database-only restore: the trade records without the paper account's books (sim-broker.sqlite).
    const dbOnly = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    for (const name of readdirSync(dataDir).filter((n) => n.startsWith('thetadesk.sqlite'))) copyFileSync(path.join(dataDir, name), path.join(dbOnly, name));

    const again = await simulated(dataDir, 12_000);
    const resumedAt = again.ws.clock.now();
    expect(again.ws.status().simulation).toEqual({ speed: 12_000, waitingAt: null, message: expect.stringMatching(/^Simulated market running at 12,000× real time to manage \d+ open positions?; new entries wait for Start$/) });
    expect(again.ws.logs.list(50).map((l) => l.message).join('\n')).toMatch(/The paper account has \d+ open positions?: the simulated market runs at 12,000× real time to manage/);
    await runWall(again.wall, 1_000);
    expect(again.ws.clock.now()).toBeGreaterThan(resumedAt);
    expect(again.ws.status()).toMatchObject({ engineState: 'stopped', isTrading: false });
    // Close everything and let the closes fill: the next restart has nothing to manage and waits at the open.
    await again.ws.closeAll();
    for (let i = 0; i < 40 && again.ws.store.trades.listOpen().length > 0; i++) await runWall(again.wall, 250);
    expect(again.ws.store.trades.listOpen()).toEqual([]);
    await again.ws.close();

    const third = await simulated(dataDir, 12_000);
    const waitingAt = third.ws.status().simulation?.waitingAt ?? null;
    expect(waitingAt).not.toBeNull();
    await runWall(third.wall, 5_000);
    expect(third.ws.clock.now()).toBe(waitingAt);
    expect(third.ws.status().simulation?.message).toMatch(/^Simulated market waiting at (the open \()?(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d \d\d:\d\d ET\)? — press Start$/);
    await third.ws.close();

    // Both sides said as they are: the records' open positions, the books' nothing.
    const wall = new VirtualClock(Date.UTC(2026, 11, 7, 2));
    const env = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: '12000' };
    const restored = { ws: openWorkstation({ clock: wall, dataDir: dbOnly, backups: false, broker: brokerFromEnv('sim', env, wall, { dataDir: dbOnly }) }) };
    // Reconciliation finds the positions missing at the broker and halts (what it says is its own test's).
    await expect.poll(() => restored.ws.status().engineState, { timeout: 10_000 }).toBe('halted');
    const said = restored.ws.logs.list(50).map((l) => l.message).join('\n');
    expect(said).toMatch(/The trade records show \d+ open positions?, but the paper account \(the simulated broker's books\) holds nothing: reconciliation compares them before anything trades;/);
    expect(said).not.toMatch(/The paper account has/);
    await restored.ws.close();
  }, 120_000);
});

describe('a folder that is not a trading data folder', () => {
  it("a backtest's database (thetadesk backtest --db) opened as the data folder: said to be one, not 'Start with --broker backtest'", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    // What `thetadesk backtest --db` leaves when a trade is still open at the period's end: a trade of the fill model ("backtest").
    const at = Date.UTC(2026, 2, 2, 15);
    const store = openStore({ dataDir, now: () => at });
    const trade = store.trades.create({ strategyId: 'credit-verticals', broker: 'backtest', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at, legs: [
      { root: 'SPXW', expiration: '2099-03-20', strike: 5600, right: 'P', side: 'SELL', quantity: 1 },
      { root: 'SPXW', expiration: '2099-03-20', strike: 5590, right: 'P', side: 'BUY', quantity: 1 },
    ] });
    store.close();
    const wall = new VirtualClock(Date.UTC(2026, 11, 7, 2));
    const env = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: '1' };
    const ws = openWorkstation({ clock: wall, dataDir, backups: false, broker: brokerFromEnv('sim', env, wall, { dataDir }) });
    await expect.poll(() => ws.status().engineState, { timeout: 10_000 }).toBe('halted');
    const reason = ws.status().reason ?? '';
    expect(reason).toContain(`Trade ${trade.tradeId} is a backtest's: this data folder holds a backtest's database (${path.join(dataDir, 'thetadesk.sqlite')}, written by thetadesk backtest --db), not a trading data folder. Start with your trading data folder instead`);
    expect(reason).not.toMatch(/--broker backtest/);
    await ws.close();
  });
});
