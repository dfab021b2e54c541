/**
 * The kill -9 fault campaign (issue 12): the whole app — the real headless server as a child process —
 * trades on a fast market and is killed with SIGKILL at random moments, then started again on the same
 * data folder. After every kill:
 *
 * - the database opens and passes SQLite's full integrity check (and so do the simulated broker's books);
 * - the restarted engine reconciles without halting;
 *
 * and at the end, with everything reconciled:
 *
 * - no order was sent twice: each client order id reached the broker at most once, and no entry decision
 *   has more than one entry order behind it;
 * - no fill was lost: every execution the broker reports for our orders is in the engine's fills;
 * - the engine's open trades hold exactly what the broker holds.
 *
 * `tests/faults/kill9.test.ts` runs a short loop in `npm test`; `node scripts/fault-campaign.ts` runs the
 * full count and prints (or writes) the report.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

/** What the broker side of the campaign must answer: what it received and holds (independently of the engine). */
export type BrokerTruth = {
  /** How many orders the broker received under each client order id (our order ref). */
  ordersByRef: Map<string, number>;
  /** Orders still working at the broker, by client order id. */
  working: Set<string>;
  /** Executions for our orders: execution id → client order id. */
  executions: Map<string, string>;
  /** Signed positions by OCC symbol. */
  positions: Map<string, number>;
};

export type BrokerHarness = {
  name: string;
  /** Extra environment and arguments for the headless server. */
  env: Record<string, string>;
  args: string[];
  /** What the broker knows, read from the broker itself (its books or its control interface). */
  truth(dataDir: string): Promise<BrokerTruth>;
  /** Files to integrity-check after each kill, besides the engine's database. */
  extraDatabases(dataDir: string): string[];
  close?(): Promise<void>;
};

export type KillRecord = {
  round: number;
  /** Wall ms the server lived before the kill. */
  livedMs: number;
  /** What the engine was doing when it was killed (its state at the last look). */
  stateAtKill: string;
  /** Engine state after the restart's reconciliation. */
  stateAfterRestart: string;
  reasonAfterRestart: string | null;
  integrity: string;
};

export type CampaignReport = {
  broker: string;
  kills: number;
  records: KillRecord[];
  /** Invariant failures, empty when the campaign passed. */
  failures: string[];
  orders: number;
  fills: number;
  trades: number;
  openPositions: number;
  wallSeconds: number;
};

type Status = { engineState: string; reason: string | null; isTrading: boolean };
type Position = { tradeId: number; legs: { symbol: string; quantity: number }[] };

/** A small deterministic generator so a campaign can be replayed from its seed. */
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
    await sleep(50);
  }
}

/** Full integrity check of one SQLite file (read-only), 'ok' or SQLite's messages. */
export function integrityOf(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** The engine's own records, read straight from its database (read-only, after the server is gone or beside it). */
function engineRecords(dataDir: string): { orders: { clientOrderId: string; status: string; purpose: string; decisionId: number | null; tradeId: number | null; replaces: number | null }[]; execIds: Set<string>; trades: number } {
  const db = new Database(path.join(dataDir, 'thetadesk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const orders = (db.prepare('SELECT client_order_id, status, purpose, decision_id, trade_id, replaces_order_id FROM orders').all() as { client_order_id: string; status: string; purpose: string; decision_id: number | null; trade_id: number | null; replaces_order_id: number | null }[]).map((r) => ({
      clientOrderId: r.client_order_id,
      status: r.status,
      purpose: r.purpose,
      decisionId: r.decision_id,
      tradeId: r.trade_id,
      replaces: r.replaces_order_id,
    }));
    const execIds = new Set((db.prepare('SELECT exec_id FROM fills').all() as { exec_id: string }[]).map((r) => r.exec_id));
    const trades = (db.prepare('SELECT count(*) AS n FROM trades').get() as { n: number }).n;
    return { orders, execIds, trades };
  } finally {
    db.close();
  }
}

const LIVE = new Set(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING']);

/** The end-of-campaign invariants, as readable failures (empty when all hold). */
export async function checkInvariants(harness: BrokerHarness, dataDir: string, positions: Position[]): Promise<{ failures: string[]; orders: number; fills: number; trades: number }> {
  const failures: string[] = [];
  const truth = await harness.truth(dataDir);
  const engine = engineRecords(dataDir);
  const ours = new Set(engine.orders.map((o) => o.clientOrderId));
  // 1. No order sent twice: one broker order per client order id, and one entry per decision.
  for (const [ref, n] of truth.ordersByRef) {
    if (n > 1) failures.push(`order ${ref} reached the broker ${n} times`);
    if (!ours.has(ref)) failures.push(`the broker holds order ${ref}, which the engine has no record of`);
  }
  const entriesByDecision = new Map<number, number>();
  for (const o of engine.orders) {
    if (o.purpose !== 'OPEN' || o.decisionId === null || o.replaces !== null) continue;
    entriesByDecision.set(o.decisionId, (entriesByDecision.get(o.decisionId) ?? 0) + 1);
  }
  for (const [decision, n] of entriesByDecision) if (n > 1) failures.push(`decision ${decision} has ${n} entry orders`);
  // 2. Zero orphan orders: working at the broker ⇔ live in the engine.
  for (const ref of truth.working) {
    const o = engine.orders.find((x) => x.clientOrderId === ref);
    if (!o || !LIVE.has(o.status)) failures.push(`order ${ref} works at the broker but the engine has it ${o ? o.status : 'nowhere'}`);
  }
  for (const o of engine.orders) {
    if (LIVE.has(o.status) && !truth.working.has(o.clientOrderId)) failures.push(`the engine has order ${o.clientOrderId} ${o.status} but the broker is not working it`);
  }
  // 3. No fill lost: every execution of ours at the broker is in the engine's fills.
  let fills = 0;
  for (const [execId, ref] of truth.executions) {
    if (!ours.has(ref)) continue;
    fills++;
    // The engine keeps one row per leg, as `<execution id>#<leg>` (order-manager.ts).
    const known = engine.execIds.has(execId) || engine.execIds.has(`${execId}#0`);
    if (!known) failures.push(`execution ${execId} of order ${ref} is missing from the engine's fills`);
  }
  // 4. Same positions.
  const held = new Map<string, number>();
  for (const p of positions) for (const l of p.legs) if (l.quantity !== 0) held.set(l.symbol, (held.get(l.symbol) ?? 0) + l.quantity);
  const symbols = new Set([...held.keys(), ...truth.positions.keys()]);
  for (const s of symbols) {
    const a = held.get(s) ?? 0;
    const b = truth.positions.get(s) ?? 0;
    if (a !== b) failures.push(`${s}: the engine's open trades hold ${a}, the broker ${b}`);
  }
  return { failures, orders: engine.orders.length, fills, trades: engine.trades };
}

export type CampaignOptions = {
  harness: BrokerHarness;
  kills: number;
  seed: number;
  dataDir: string;
  /** Wall ms the server lives before a kill: uniform in [min, max]. */
  liveMs?: [number, number];
  /** Share of kills aimed at the reconciliation right after start-up. */
  earlyShare?: number;
  log?: (line: string) => void;
};

/** Runs the campaign; never throws for an invariant failure (they are in the report), only for a broken set-up. */
export async function runCampaign(o: CampaignOptions): Promise<CampaignReport> {
  const random = rng(o.seed);
  const [minLive, maxLive] = o.liveMs ?? [500, 6_000];
  const earlyShare = o.earlyShare ?? 0.2;
  const records: KillRecord[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  const start = () => startHeadless({ dataDir: o.dataDir, env: o.harness.env, args: o.harness.args });

  for (let round = 1; round <= o.kills; round++) {
    const s: Headless = await start();
    const born = performance.now();
    let stateAtKill: string;
    let after: Status | null = null;
    const early = random() < earlyShare;
    if (early) {
      // Killed during start-up / reconciliation, before the engine has said how it went.
      await sleep(Math.floor(random() * 400));
      stateAtKill = 'reconciling';
    } else {
      after = await waitFor('reconciliation', async () => {
        const st = await rpc<Status>(s, 'status.get');
        return st.engineState === 'reconciling' ? null : st;
      }, 120_000, s.output);
      if (after.engineState === 'halted') failures.push(`round ${round}: halted after restart — ${after.reason}`);
      if (after.engineState !== 'halted') await rpc(s, 'engine.start').catch(() => {});
      await sleep(minLive + Math.floor(random() * (maxLive - minLive)));
      stateAtKill = (await rpc<Status>(s, 'status.get').catch(() => ({ engineState: 'unknown' }) as Status)).engineState;
    }
    const exited = new Promise((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGKILL');
    await exited;
    const checks = [path.join(o.dataDir, 'thetadesk.sqlite'), ...o.harness.extraDatabases(o.dataDir)].map((f) => `${path.basename(f)}: ${integrityOf(f)}`);
    const integrity = checks.join(', ');
    if (checks.some((c) => !c.endsWith(': ok'))) failures.push(`round ${round}: integrity ${integrity}`);
    records.push({ round, livedMs: Math.round(performance.now() - born), stateAtKill, stateAfterRestart: after?.engineState ?? '(killed first)', reasonAfterRestart: after?.reason ?? null, integrity });
    o.log?.(`kill ${round}/${o.kills}: lived ${records.at(-1)!.livedMs} ms, ${stateAtKill}; after restart ${records.at(-1)!.stateAfterRestart}`);
  }

  // A last start: reconcile, stop new entries, and let working orders settle before the final comparison.
  const s = await start();
  try {
    const st = await waitFor('final reconciliation', async () => {
      const x = await rpc<Status>(s, 'status.get');
      return x.engineState === 'reconciling' ? null : x;
    }, 120_000, s.output);
    if (st.engineState === 'halted') failures.push(`final start: halted — ${st.reason}`);
    const positions = await rpc<Position[]>(s, 'positions.list');
    const inv = await checkInvariants(o.harness, o.dataDir, positions);
    failures.push(...inv.failures);
    return {
      broker: o.harness.name,
      kills: o.kills,
      records,
      failures,
      orders: inv.orders,
      fills: inv.fills,
      trades: inv.trades,
      openPositions: positions.length,
      wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await s.stop();
  }
}

/** The built-in simulator: its books are a SQLite file in the data folder (electron/brokers/sim/books-file.ts). */
export function simHarness(opts: { seed?: number; start?: string; speed?: number } = {}): BrokerHarness {
  return {
    name: 'sim',
    env: { THETADESK_SIM_SEED: String(opts.seed ?? 3), THETADESK_SIM_START: opts.start ?? '2026-03-02', THETADESK_SIM_SPEED: String(opts.speed ?? 12000) },
    args: ['--broker', 'sim'],
    extraDatabases: (dataDir) => [path.join(dataDir, 'sim-broker.sqlite')],
    truth: async (dataDir) => {
      const db = new Database(path.join(dataDir, 'sim-broker.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const ordersByRef = new Map<string, number>();
        for (const r of db.prepare('SELECT ref, count(*) AS n FROM orders GROUP BY ref').all() as { ref: string; n: number }[]) ordersByRef.set(r.ref, r.n);
        const working = new Set((db.prepare("SELECT ref FROM orders WHERE status = 'working'").all() as { ref: string }[]).map((r) => r.ref));
        const executions = new Map((db.prepare('SELECT exec_id, ref FROM fills').all() as { exec_id: string; ref: string }[]).map((r) => [r.exec_id, r.ref] as const));
        const positions = new Map<string, number>();
        const { formatOcc } = await import('../../shared/domain/occ.ts');
        for (const r of db.prepare('SELECT contract, quantity FROM positions').all() as { contract: string; quantity: number }[]) {
          positions.set(formatOcc(JSON.parse(r.contract)), r.quantity);
        }
        return { ordersByRef, working, executions, positions };
      } finally {
        db.close();
      }
    },
  };
}
