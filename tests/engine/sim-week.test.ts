/**
 * Issue 6, "done when": in the headless app with the simulator at speed, a simulated week shows
 * snapshots every 5 minutes, decisions with reasons at 10/11/12, trades opened and closed by TP/SL,
 * nothing entered on a holiday; Close all flattens everything.
 *
 * The real headless server runs as a child process on the simulated market (Thanksgiving week 2026:
 * Thursday closed, Friday closes at 13:00) at a high speed; the test drives it through the API and
 * reads the database file it wrote.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etDateTime } from '../../shared/time/et.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { dbFileIn } from '../../electron/store/paths.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';

const START = '2026-11-23';
const END = etToEpoch('2026-12-04', '16:30'); // two weeks: enough for entries, take profits and stops
let h: Headless;

async function rpc<T>(method: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${h.url}/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 150_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}\n${h.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Status = { engineState: string; isTrading: boolean; updatedAt: number; lastSnapshotAt: number | null; openPositions: number; nextRuns: { strategyId: string; task: string; at: number }[] };

describe('a simulated fortnight in the headless app', () => {
  beforeAll(async () => {
    h = await startHeadless({ env: { THETADESK_SIM_START: START, THETADESK_SIM_SPEED: '40000', THETADESK_SIM_SEED: '7' } });
    await waitFor('reconciliation', async () => ((await rpc<Status>('status.get')).engineState === 'stopped' ? true : null), 30_000);
    await rpc('engine.start');
    await waitFor('two simulated weeks', async () => ((await rpc<Status>('status.get')).updatedAt >= END ? true : null));
  }, 200_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('took a chain snapshot every 5 minutes of regular hours, none on Thanksgiving, to 13:00 on the early close', () => {
    const db = new Database(dbFileIn(h.dataDir), { readonly: true });
    try {
      const rows = db.prepare('SELECT taken_at AS t FROM chain_snapshots ORDER BY taken_at').all() as { t: number }[];
      const byDay = new Map<string, Set<string>>();
      for (const r of rows) {
        const [d, time] = etDateTime(r.t, false).split(' ') as [string, string];
        (byDay.get(d) ?? byDay.set(d, new Set()).get(d)!).add(time);
      }
      expect(byDay.has('2026-11-26')).toBe(false); // Thanksgiving
      const monday = [...byDay.get('2026-11-23')!].sort();
      expect(monday[0]).toBe('09:35');
      expect(monday.at(-1)).toBe('16:00');
      expect(monday.length).toBe(78); // 09:35..16:00 every 5 minutes
      const friday = [...byDay.get('2026-11-27')!].sort();
      expect(friday.at(-1)).toBe('13:00');
      expect(friday.length).toBe(42);
      expect(friday).toContain('10:00');
      // Every snapshot time is on the 5-minute grid.
      for (const times of byDay.values()) for (const t of times) expect(Number(t.slice(3)) % 5).toBe(0);
      // Each decision references snapshots taken at its own minute (10:00 reuses the 10:00 tick).
      const links = db.prepare('SELECT d.decided_at AS d, s.taken_at AS s FROM trade_decisions d JOIN decision_snapshots l ON l.decision_id = d.decision_id JOIN chain_snapshots s ON s.snapshot_id = l.snapshot_id').all() as { d: number; s: number }[];
      expect(links.length).toBeGreaterThan(0);
      for (const l of links) if (l.d !== l.s) expect(l.s).toBeLessThanOrEqual(l.d);
      const contexts = db.prepare('SELECT COUNT(*) AS n FROM context_snapshots').get() as { n: number };
      expect(contexts.n).toBeGreaterThanOrEqual(rows.length / 3);
    } finally {
      db.close();
    }
  });

  it('decided only at 10:00, 11:00 and 12:00 ET (seed 000), with reasons, never on the holiday; Optimus beside it once a day after the close', async () => {
    const all = await rpc<{ strategyId: string; kind: string; decidedAt: number; entrySlot: string | null; reason: string; gate: string | null }[]>('decisions.list', { from: '2026-11-23', to: '2026-12-04', limit: 10_000 });
    // The default app runs every built system in the same engine and account: Optimus (seed 002) decides at 16:15 ET (13:15 on an early close).
    const optimus = all.filter((d) => d.strategyId === 'optimus' && d.kind !== 'EXIT');
    expect(optimus.length).toBeGreaterThan(0);
    for (const d of optimus) expect(['16:15', '13:15']).toContain(etDateTime(d.decidedAt, false).slice(11));
    const decisions = all.filter((d) => d.strategyId === 'credit-verticals');
    const entries = decisions.filter((d) => d.kind !== 'EXIT');
    expect(entries.length).toBeGreaterThan(0);
    for (const d of entries) {
      expect(['10:00', '11:00', '12:00']).toContain(etDateTime(d.decidedAt, false).slice(11));
      expect(d.reason.length).toBeGreaterThan(10);
      expect(etDateTime(d.decidedAt).startsWith('2026-11-26')).toBe(false);
    }
    const slots = new Set(entries.map((d) => etDateTime(d.decidedAt, false)));
    expect(slots.has('2026-11-23 10:00') && slots.has('2026-11-23 11:00') && slots.has('2026-11-23 12:00')).toBe(true);
    expect(decisions.some((d) => d.kind === 'ENTER')).toBe(true);
    expect(decisions.some((d) => d.kind === 'SKIP' && d.gate === 'trade-open')).toBe(true);
  });

  it('opened trades and closed them by take profit or stop loss, with fills and exact P&L', () => {
    const db = new Database(dbFileIn(h.dataDir), { readonly: true });
    try {
      const trades = db.prepare("SELECT * FROM trades WHERE status = 'CLOSED'").all() as { trade_id: number; exit_reason: string; entry_date: string; realized_pnl_cents: number; entry_total_cents: number; exit_total_cents: number; commissions_cents: number }[];
      expect(trades.length).toBeGreaterThan(0);
      expect(trades.some((t) => t.exit_reason === 'TAKE_PROFIT_50' || t.exit_reason === 'STOP_LOSS')).toBe(true);
      for (const t of trades) {
        expect(t.entry_date).not.toBe('2026-11-26');
        expect(t.realized_pnl_cents).toBe(t.entry_total_cents - t.exit_total_cents - t.commissions_cents);
        const fills = db.prepare('SELECT COUNT(*) AS n FROM fills WHERE trade_id = ?').get(t.trade_id) as { n: number };
        expect(fills.n).toBeGreaterThanOrEqual(t.exit_reason === 'EXPIRED' ? 2 : 4);
      }
      const exits = db.prepare("SELECT gate, reason FROM trade_decisions WHERE kind = 'EXIT'").all() as { gate: string; reason: string }[];
      expect(exits.length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('Close all cancels, flattens every position it was closing (exit MANUAL) and enters nothing afterwards', { timeout: 120_000 }, async () => {
    // The market keeps running: wait for the next open position, then flatten.
    await waitFor('an open position', async () => ((await rpc<Status>('status.get')).openPositions > 0 ? true : null));
    const before = (await rpc<Status>('status.get')).updatedAt;
    const result = await rpc<{ closingPositions: number; queuedPositions: number; status: Status }>('engine.closeAll', { confirm: true });
    // Closed now while the market is open, or queued for the next open while it is closed (nights, the weekend).
    const flattened = result.closingPositions + result.queuedPositions;
    expect(flattened).toBeGreaterThanOrEqual(1);
    expect(result.status.isTrading).toBe(false);
    const pressedAt = result.status.updatedAt;
    await waitFor('flat book', async () => ((await rpc<unknown[]>('positions.list')).length === 0 ? true : null), 60_000);
    const db = new Database(dbFileIn(h.dataDir), { readonly: true });
    try {
      const open = db.prepare("SELECT COUNT(*) AS n FROM trades WHERE status IN ('PENDING','OPEN','CLOSING')").get() as { n: number };
      expect(open.n).toBe(0);
      const live = db.prepare("SELECT COUNT(*) AS n FROM orders WHERE status IN ('PENDING_SUBMIT','SUBMITTED','ACCEPTED','PARTIALLY_FILLED','CANCEL_PENDING')").get() as { n: number };
      expect(live.n).toBe(0);
      // The positions Close all was closing were closed by it (exit MANUAL, with a close order sent),
      // not by their own exits, and nothing was entered afterwards.
      const manual = db.prepare("SELECT trade_id AS id FROM trades WHERE status = 'CLOSED' AND exit_reason = 'MANUAL'").all() as { id: number }[];
      expect(manual).toHaveLength(flattened);
      for (const { id } of manual) {
        const closes = db.prepare("SELECT COUNT(*) AS n FROM orders WHERE trade_id = ? AND purpose = 'CLOSE' AND created_at >= ?").get(id, before) as { n: number };
        expect(closes.n).toBeGreaterThanOrEqual(1);
      }
      const after = db.prepare('SELECT COUNT(*) AS n FROM trades WHERE created_at > ?').get(pressedAt) as { n: number };
      expect(after.n).toBe(0);
    } finally {
      db.close();
    }
    const status = await rpc<Status>('status.get');
    expect(status.isTrading).toBe(false);
  });
});
