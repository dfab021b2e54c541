/**
 * The kill -9 fault campaign (issue 12). A process that trades is killed with SIGKILL at random moments
 * and started again on the same data folder, over and over:
 *
 * - `sim`: the whole app — the real headless server as a child process — on the built-in simulator at
 *   40,000× (a market day in about 2 s), with seed 000 allowed three entries a day, its broker's books in the data folder;
 * - `ibkr`: the engine's execution core as the app runs it (data-folder lock, store, OrderManager, the
 *   real IB adapter) trading continuously against the fake IB Gateway, which lives in the campaign's own
 *   process and so survives every kill, as a real Gateway does. (The headless server on IB runs on the
 *   wall clock, so it would only trade during real market hours; this child runs on market time.)
 *
 * After every kill: the database opens and passes SQLite's full integrity check (and so do the simulated
 * broker's books); the restarted process reconciles without halting. At the end, after a last clean
 * reconciliation: no order was sent twice (each client order id reached the broker once; no entry
 * decision has two entry orders); zero orphan orders (working at the broker ⇔ live in the engine); no
 * fill lost (per order, the broker's executions and filled quantity equal the engine's); the engine's
 * open trades hold exactly the broker's positions.
 *
 * `tests/faults/kill9.test.ts` runs a short loop in `npm test`; `node scripts/fault-campaign.ts` runs the
 * full count and prints (or writes) the report.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { occSymbol } from '../../shared/domain/occ.ts';
import { formatOcc } from '../../shared/domain/occ.ts';
import { simulator } from '../engine/execution/helpers.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { repoRoot, rpc, startHeadless } from '../helpers/headless.ts';

/** What the broker received and holds, read from the broker itself (never from the engine). */
export type BrokerTruth = {
  /** How many times each client order id was placed as a new order. */
  placements: Map<string, number>;
  /** Client order ids still working at the broker. */
  working: Set<string>;
  /** Per client order id: executions and filled quantity. */
  fills: Map<string, { executions: number; quantity: number }>;
  /** Signed positions by OCC symbol. */
  positions: Map<string, number>;
};

/** One run of the process under test. */
export type Run = {
  /** Resolves when the process has reconciled: null when clean, else why it halted. */
  ready(): Promise<string | null>;
  /** Something it may do once ready (press Start). */
  afterReady?(): Promise<void>;
  /** What it is doing now, for the report. */
  state(): Promise<string>;
  child: ChildProcess;
  output(): string;
};

export type Subject = {
  name: string;
  start(dataDir: string): Promise<Run>;
  /** A last clean start: reconcile and stop. Null when clean, else why it halted. */
  settle(dataDir: string): Promise<string | null>;
  truth(dataDir: string): Promise<BrokerTruth>;
  /** SQLite files to integrity-check after each kill. */
  databases(dataDir: string): string[];
  close(): Promise<void>;
};

export type KillRecord = { round: number; livedMs: number; stateAtKill: string; afterRestart: string; integrity: string };

export type CampaignReport = {
  subject: string;
  kills: number;
  seed: number;
  records: KillRecord[];
  /** Invariant failures; empty when the campaign passed. */
  failures: string[];
  orders: number;
  fills: number;
  trades: number;
  openTrades: number;
  wallSeconds: number;
};

/** A small deterministic generator so a campaign replays from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number, output: () => string): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}\n${output().slice(-3000)}`);
    await sleep(25);
  }
}

/** How often one identical warning may appear in one run's output before it counts as a loop. */
export const MAX_REPEATED_WARNINGS = 3;

/**
 * Warning lines (`warn …`, the IB trader's log format) repeated verbatim more than
 * MAX_REPEATED_WARNINGS times in one run's output, with their counts: the mark of something retried
 * every tick that will never succeed (e.g. a replace the broker refuses for a lasting reason).
 */
export function repeatedWarnings(output: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) if (line.startsWith('warn ')) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > MAX_REPEATED_WARNINGS);
}

/** Full integrity check of one SQLite file (read-only): 'ok' or SQLite's messages. */
export function integrityOf(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

type EngineOrder = { orderId: number; clientOrderId: string; status: string; purpose: string; decisionId: number | null; replaces: number | null; filled: number; executions: number };

/** The engine's own records, straight from its database (read-only). */
function engineRecords(dataDir: string): { orders: EngineOrder[]; positions: Map<string, number>; trades: number; openTrades: number } {
  const db = new Database(path.join(dataDir, 'thetadesk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const orders = (
      db
        .prepare(
          `SELECT o.order_id, o.client_order_id, o.status, o.purpose, o.decision_id, o.replaces_order_id, o.filled_quantity,
                  (SELECT count(*) FROM fills f WHERE f.order_id = o.order_id AND f.exec_id LIKE '%#0') AS executions
             FROM orders o`,
        )
        .all() as { order_id: number; client_order_id: string; status: string; purpose: string; decision_id: number | null; replaces_order_id: number | null; filled_quantity: number; executions: number }[]
    ).map((r) => ({ orderId: r.order_id, clientOrderId: r.client_order_id, status: r.status, purpose: r.purpose, decisionId: r.decision_id, replaces: r.replaces_order_id, filled: r.filled_quantity, executions: r.executions }));
    const positions = new Map<string, number>();
    const legs = db
      .prepare(`SELECT l.option_symbol AS symbol, l.side, l.opened_qty, l.closed_qty FROM trade_legs l JOIN trades t ON t.trade_id = l.trade_id WHERE t.status IN ('OPEN', 'CLOSING', 'PENDING')`)
      .all() as { symbol: string; side: string; opened_qty: number; closed_qty: number }[];
    for (const l of legs) {
      const q = (l.side === 'SELL' ? -1 : 1) * (l.opened_qty - l.closed_qty);
      if (q !== 0) positions.set(l.symbol, (positions.get(l.symbol) ?? 0) + q);
    }
    const trades = (db.prepare('SELECT count(*) AS n FROM trades').get() as { n: number }).n;
    const openTrades = (db.prepare(`SELECT count(*) AS n FROM trades WHERE status IN ('OPEN', 'CLOSING')`).get() as { n: number }).n;
    return { orders, positions, trades, openTrades };
  } finally {
    db.close();
  }
}

/** Executions the engine has recorded so far (one per multi-leg fill), read from its database. */
function executionsRecorded(dataDir: string): number {
  const file = path.join(dataDir, 'thetadesk.sqlite');
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM fills WHERE exec_id LIKE '%#0'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const LIVE = new Set(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING']);

/** The end-of-campaign invariants as readable failures (empty when all hold). */
export function checkInvariants(truth: BrokerTruth, dataDir: string): { failures: string[]; orders: number; fills: number; trades: number; openTrades: number } {
  const failures: string[] = [];
  const engine = engineRecords(dataDir);
  const byRef = new Map(engine.orders.map((o) => [o.clientOrderId, o]));
  // 1. No order sent twice.
  for (const [ref, n] of truth.placements) {
    if (n > 1) failures.push(`order ${ref} was placed at the broker ${n} times`);
    if (!byRef.has(ref)) failures.push(`the broker holds order ${ref}, which the engine has no record of`);
  }
  const entries = new Map<number, number>();
  for (const o of engine.orders) if (o.purpose === 'OPEN' && o.decisionId !== null && o.replaces === null) entries.set(o.decisionId, (entries.get(o.decisionId) ?? 0) + 1);
  for (const [decision, n] of entries) if (n > 1) failures.push(`decision ${decision} has ${n} entry orders`);
  // 2. Zero orphan orders.
  for (const ref of truth.working) {
    const o = byRef.get(ref);
    if (!o || !LIVE.has(o.status)) failures.push(`order ${ref} works at the broker but the engine has it ${o ? o.status : 'nowhere'}`);
  }
  for (const o of engine.orders) if (LIVE.has(o.status) && !truth.working.has(o.clientOrderId)) failures.push(`the engine has order ${o.clientOrderId} ${o.status}, the broker is not working it`);
  // 3. No fill lost.
  let fills = 0;
  for (const [ref, f] of truth.fills) {
    fills += f.executions;
    const o = byRef.get(ref);
    if (!o) continue;
    if (o.executions !== f.executions || o.filled !== f.quantity) failures.push(`order ${ref}: the broker has ${f.executions} executions for ${f.quantity}, the engine ${o.executions} for ${o.filled}`);
  }
  // 4. The same positions.
  for (const s of new Set([...engine.positions.keys(), ...truth.positions.keys()])) {
    const a = engine.positions.get(s) ?? 0;
    const b = truth.positions.get(s) ?? 0;
    if (a !== b) failures.push(`${s}: the engine's open trades hold ${a}, the broker ${b}`);
  }
  return { failures, orders: engine.orders.length, fills, trades: engine.trades, openTrades: engine.openTrades };
}

export type CampaignOptions = {
  subject: Subject;
  kills: number;
  seed: number;
  dataDir: string;
  /** Wall ms a run lives after it is ready: uniform in [min, max]. */
  liveMs?: [number, number];
  /** Share of kills aimed at start-up and reconciliation (before the process says it is ready). */
  earlyShare?: number;
  /**
   * Keep killing past `kills` until the engine has recorded at least this many executions (at most
   * `maxKills` in all): a loop that never traded would prove nothing about orders and fills, and how
   * far the market gets per kill depends on the machine's speed.
   */
  atLeast?: { executions: number; maxKills: number };
  log?: (line: string) => void;
};

/** Runs the campaign; invariant failures go in the report, only a broken set-up throws. */
export async function runCampaign(o: CampaignOptions): Promise<CampaignReport> {
  const random = rng(o.seed);
  const [minLive, maxLive] = o.liveMs ?? [300, 4_000];
  const earlyShare = o.earlyShare ?? 0.2;
  const records: KillRecord[] = [];
  const failures: string[] = [];
  /** Databases the process has created (seen after a kill). */
  const created = new Set<string>();
  const t0 = performance.now();
  const enough = (round: number): boolean => {
    if (round < o.kills) return false;
    if (!o.atLeast || round >= o.atLeast.maxKills) return true;
    return executionsRecorded(o.dataDir) >= o.atLeast.executions;
  };
  for (let round = 1; ; round++) {
    const run = await o.subject.start(o.dataDir);
    const born = performance.now();
    let stateAtKill: string;
    let afterRestart = '(killed before it reconciled)';
    if (random() < earlyShare) {
      await sleep(Math.floor(random() * 300));
      stateAtKill = 'starting or reconciling';
    } else {
      const halted = await run.ready();
      afterRestart = halted === null ? 'reconciled' : `HALTED: ${halted}`;
      if (halted !== null) failures.push(`round ${round}: halted after the restart — ${halted}`);
      else await run.afterReady?.();
      await sleep(minLive + Math.floor(random() * (maxLive - minLive)));
      stateAtKill = await run.state().catch(() => 'unknown');
    }
    const exited = new Promise((resolve) => run.child.once('exit', resolve));
    run.child.kill('SIGKILL');
    await exited;
    for (const [line, n] of repeatedWarnings(run.output())) failures.push(`round ${round}: the process logged the same warning ${n} times (a retry that cannot succeed?): ${line}`);
    // A process killed at once may not have created its database yet; once created, it must stay.
    const checks: string[] = [];
    const notYet: string[] = [];
    for (const f of o.subject.databases(o.dataDir)) {
      if (existsSync(f)) {
        created.add(f);
        checks.push(`${path.basename(f)} ${integrityOf(f)}`);
      } else if (created.has(f)) checks.push(`${path.basename(f)} missing`);
      else notYet.push(`${path.basename(f)} not created yet`);
    }
    const integrity = [...checks, ...notYet].join(', ');
    if (checks.some((c) => !c.endsWith(' ok'))) failures.push(`round ${round}: integrity — ${integrity}`);
    records.push({ round, livedMs: Math.round(performance.now() - born), stateAtKill, afterRestart, integrity });
    o.log?.(`kill ${round}/${o.kills}: after ${records.at(-1)!.livedMs} ms (${stateAtKill}); the start before it: ${afterRestart}`);
    if (enough(round)) break;
  }
  const halted = await o.subject.settle(o.dataDir);
  if (halted !== null) failures.push(`final start: halted — ${halted}`);
  const inv = checkInvariants(await o.subject.truth(o.dataDir), o.dataDir);
  failures.push(...inv.failures);
  return { subject: o.subject.name, kills: records.length, seed: o.seed, records, failures, orders: inv.orders, fills: inv.fills, trades: inv.trades, openTrades: inv.openTrades, wallSeconds: Math.round((performance.now() - t0) / 100) / 10 };
}

type Status = { engineState: string; reason: string | null };

/** The whole app on the built-in simulator; the broker's books are a SQLite file in the data folder. */
export function simSubject(opts: { seed?: number; start?: string; speed?: number } = {}): Subject {
  const env = { THETADESK_SIM_SEED: String(opts.seed ?? 3), THETADESK_SIM_START: opts.start ?? '2026-03-02', THETADESK_SIM_SPEED: String(opts.speed ?? 40_000) };
  const launch = async (dataDir: string) => {
    const s = await startHeadless({ dataDir, env, args: ['--broker', 'sim'] });
    const reconciled = () =>
      waitFor('reconciliation', async () => {
        const st = await rpc<Status>(s, 'status.get');
        return st.engineState === 'reconciling' ? null : st;
      }, 120_000, s.output);
    return { s, reconciled };
  };
  return {
    name: 'sim (headless server)',
    async start(dataDir) {
      const { s, reconciled } = await launch(dataDir);
      return {
        child: s.child,
        output: s.output,
        ready: async () => {
          const st = await reconciled();
          return st.engineState === 'halted' ? (st.reason ?? 'halted') : null;
        },
        afterReady: async () => {
          // More orders per market day than seed 000's defaults (1 open, 1 new a day), so the kills land
          // among more orders and fills: up to three entries a day (its 10:00, 11:00 and 12:00 slots).
          const [cv] = await rpc<{ id: string; config: { risk: Record<string, unknown> } }[]>(s, 'strategies.list');
          if (cv && cv.config.risk.maxNewTradesPerDay !== 3) {
            await rpc(s, 'strategies.setConfig', { strategyId: cv.id, config: { ...cv.config, risk: { ...cv.config.risk, maxOpenTrades: 3, maxNewTradesPerDay: 3, dailyStopAfterStopLoss: false } } });
          }
          await rpc(s, 'engine.start');
        },
        state: async () => (await rpc<Status>(s, 'status.get')).engineState,
      };
    },
    async settle(dataDir) {
      const { s, reconciled } = await launch(dataDir);
      try {
        const st = await reconciled();
        return st.engineState === 'halted' ? (st.reason ?? 'halted') : null;
      } finally {
        await s.stop();
      }
    },
    databases: (dataDir) => [path.join(dataDir, 'thetadesk.sqlite'), path.join(dataDir, 'sim-broker.sqlite')],
    async truth(dataDir) {
      const db = new Database(path.join(dataDir, 'sim-broker.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const placements = new Map((db.prepare('SELECT ref, count(*) AS n FROM orders GROUP BY ref').all() as { ref: string; n: number }[]).map((r) => [r.ref, r.n] as const));
        const working = new Set((db.prepare("SELECT ref FROM orders WHERE status = 'working'").all() as { ref: string }[]).map((r) => r.ref));
        const fills = new Map((db.prepare('SELECT ref, count(*) AS n, sum(quantity) AS q FROM fills GROUP BY ref').all() as { ref: string; n: number; q: number }[]).map((r) => [r.ref, { executions: r.n, quantity: r.q }] as const));
        const positions = new Map<string, number>();
        for (const r of db.prepare('SELECT contract, quantity FROM positions').all() as { contract: string; quantity: number }[]) positions.set(formatOcc(JSON.parse(r.contract)), r.quantity);
        return { placements, working, fills, positions };
      } finally {
        db.close();
      }
    },
    close: async () => {},
  };
}

const CHILD = path.join(repoRoot, 'tests/faults/ib-trader-child.ts');

/** The execution core against the fake IB Gateway in this process (tests/faults/ib-trader-child.ts). */
export async function ibSubject(): Promise<Subject> {
  const fake: FakeIbGateway = await startFakeIbGateway({ market: fromSimulator(simulator()), account: 'DU4440009', matching: { startingCash: 100_000_000 }, script: { fillDelayMs: 1 } });
  // The venue matches on its own clock, whatever the client does (fills happen while the client is down).
  const matcher = setInterval(() => fake.match(), 25);
  const launch = (dataDir: string, mode: 'trade' | 'settle') => {
    const child = spawn(process.execPath, [CHILD, '--data-dir', dataDir, '--port', String(fake.port), '--mode', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const ready = () =>
      waitFor('reconciliation', async () => {
        const m = /reconciled (\[.*\])/.exec(out);
        if (!m) {
          if (child.exitCode !== null) throw new Error(`the trader exited ${child.exitCode}: ${out}`);
          return null;
        }
        const problems = JSON.parse(m[1]!) as string[];
        return problems.length === 0 ? ('' as const) : problems.join('; ');
      }, 60_000, () => out).then((v) => (v === '' ? null : v));
    return { child, ready, output: () => out };
  };
  return {
    name: 'ibkr (execution core × fake IB Gateway)',
    async start(dataDir) {
      const r = launch(dataDir, 'trade');
      return { child: r.child, output: r.output, ready: r.ready, state: async () => `${fake.workingOrders().length} working at IB` };
    },
    async settle(dataDir) {
      const r = launch(dataDir, 'settle');
      try {
        return await r.ready();
      } finally {
        if (r.child.exitCode === null) await new Promise((res) => r.child.once('exit', res));
      }
    },
    databases: (dataDir) => [path.join(dataDir, 'thetadesk.sqlite')],
    async truth() {
      const placements = fake.placements();
      const working = new Set(fake.workingOrders().map((o) => o.orderRef));
      const fills = new Map<string, { executions: number; quantity: number }>();
      for (const f of fake.exchange.fillsSince(0)) {
        const x = fills.get(f.ref) ?? { executions: 0, quantity: 0 };
        fills.set(f.ref, { executions: x.executions + 1, quantity: x.quantity + f.quantity });
      }
      const positions = new Map<string, number>();
      for (const p of fake.exchange.positionList()) {
        if (p.quantity === 0 || p.contract.kind !== 'option') continue;
        positions.set(occSymbol(p.contract.root, p.contract.expiration, p.contract.right, p.contract.strike), p.quantity);
      }
      return { placements, working, fills, positions };
    },
    async close() {
      clearInterval(matcher);
      await fake.stop();
    },
  };
}
