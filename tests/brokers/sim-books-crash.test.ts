/**
 * kill -9 while the paper exchange trades on its books file loses no fill and no order any listener
 * was told about (the listener records fills in its own database, as the engine does), and leaves the
 * books consistent (positions and cash equal what the fills add up to), round after round on the same
 * file, with ids never reused.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { contractKey } from '../../electron/brokers/port.ts';
import { SIM_BOOKS_FILE, SimBooksFile } from '../../electron/brokers/sim/books-file.ts';
import { rng } from '../store/chain-gen.ts';

const CHILD = path.join(import.meta.dirname, 'sim-books-child.ts');
const ROUNDS = 16;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-simbooks-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Told = { fills: Map<string, number>; working: string[] };

/** Runs the trader, SIGKILLs it `killAfterMs` after it is ready; resolves with what it reported. */
function runAndKill(round: number, killAfterMs: number): Promise<Told> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const told: Told = { fills: new Map(), working: [] };
    let buf = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [kind, a, b] = buf.slice(0, nl).split(' ') as [string, string, string];
        buf = buf.slice(nl + 1);
        if (kind === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (kind === 'fill') told.fills.set(a, Number(b));
        else if (kind === 'working') told.working.push(a);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the trader exited on its own (${signal ?? code}): ${err}`));
      else resolve(told);
    });
  });
}

describe('the simulated broker’s books through kill -9', () => {
  it(`keep every fill and order reported, consistently, through ${ROUNDS} kill -9s mid-trade`, { timeout: 240_000 }, async () => {
    const rand = rng(20260412);
    const fills = new Map<string, number>();
    const working: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const told = await runAndKill(round, 200 + Math.floor(rand() * 500));
      for (const [id, t] of told.fills) fills.set(id, t);
      working.push(...told.working);

      const db = new Database(path.join(dir, SIM_BOOKS_FILE));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
      // What the listener recorded (possibly more than it managed to print before the kill).
      const listener = new Database(path.join(dir, 'told.sqlite'), { readonly: true });
      try {
        for (const r of listener.prepare('SELECT exec_id AS id, time FROM fills').all() as { id: string; time: number }[]) fills.set(r.id, r.time);
      } finally {
        listener.close();
      }
      const books = SimBooksFile.open(path.join(dir, SIM_BOOKS_FILE), { seed: 5, start: '2026-11-23' });
      try {
        const state = books.load()!;
        // Nothing anyone was told about is missing.
        const have = new Set(state.fills.map((f) => f.execId));
        expect([...fills.keys()].filter((id) => !have.has(id))).toEqual([]);
        const orders = new Map(state.orders.map((o) => [o.id, o]));
        const refs = new Map(state.orders.map((o) => [o.ref, o]));
        expect(working.filter((ref) => refs.get(ref)?.status !== 'working')).toEqual([]);
        // The market never resumes before the last fill it produced.
        expect(books.marketTime()).toBeGreaterThanOrEqual(Math.max(...fills.values()));
        // Each fill moved the order, the positions and the cash in the same transaction.
        const positions = new Map<string, number>();
        let cash = 10_000_000 * 100;
        const filled = new Map<string, number>();
        for (const f of state.fills) {
          const o = orders.get(f.orderId)!;
          filled.set(o.id, (filled.get(o.id) ?? 0) + f.quantity);
          o.legs.forEach((leg, i) => {
            const units = leg.ratio * f.quantity * (leg.side === 'BUY' ? 1 : -1);
            positions.set(contractKey(leg.contract), (positions.get(contractKey(leg.contract)) ?? 0) + units);
            cash -= Math.round(units * f.legPrices[i]! * 100 * 100);
          });
          cash -= f.commissionCents;
        }
        for (const o of state.orders) expect(o.filled).toBe(filled.get(o.id) ?? 0);
        expect(new Map(state.positions.map((p) => [contractKey(p.contract), p.quantity]))).toEqual(new Map([...positions].filter(([, q]) => q !== 0)));
        expect(state.cashCents).toBe(cash);
        // Ids are never reused across rounds.
        expect(new Set(state.orders.map((o) => o.id)).size).toBe(state.orders.length);
        expect(state.orderSeq).toBe(state.orders.length);
        expect(state.execSeq).toBe(state.fills.length);
      } finally {
        books.close();
      }
    }
    // The trader really was interrupted mid-stream with work committed each time.
    expect(fills.size).toBeGreaterThan(ROUNDS * 5);
    expect(working.length).toBeGreaterThan(ROUNDS);
  });
});
