/**
 * One test per migration: migrate to n-1, seed rows, migrate to n, assert the old rows survived and
 * the new schema works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../sqlite.ts';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, migrateTo, schemaVersion } from './index.ts';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-mig-'));
  db = new Database(path.join(dir, 'm.sqlite'));
  db.pragma('foreign_keys = ON');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tables = (): string[] => (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('0001 market_data: from an empty file creates instruments and immutable snapshot tables', () => {
    migrateTo(db, 0);
    expect(tables()).toEqual([]);
    migrateTo(db, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(tables()).toEqual(['chain_snapshots', 'context_snapshots', 'option_instruments']);
    db.prepare(`INSERT INTO chain_snapshots (taken_at, underlying, underlying_price_cents, source, expirations, contract_count, format_version, payload, checksum)
      VALUES (1, 'SPX', 590037, 'sim', '[]', 0, 1, x'00', 'c')`).run();
    expect(() => db.prepare('UPDATE chain_snapshots SET source = ?').run('other')).toThrow(/immutable/);
    expect(() => db.prepare(`INSERT INTO option_instruments VALUES ('X', 'SPXW', 'SPX', '2025-01-17', 5800000, 'X', 'european', 'PM', 100, 1)`).run()).toThrow(/CHECK/);
  });

  it('0002 trading: keeps version-1 snapshots and adds decisions that reference them', () => {
    migrateTo(db, 1);
    db.prepare(`INSERT INTO chain_snapshots (snapshot_id, taken_at, underlying, underlying_price_cents, source, expirations, contract_count, format_version, payload, checksum)
      VALUES (7, 1000, 'SPX', 590037, 'sim', '["2025-01-17"]', 800, 1, x'0102', 'abc')`).run();
    db.prepare(`INSERT INTO context_snapshots (context_id, taken_at, vix, payload_json, checksum) VALUES (3, 1000, 16.5, '{}', 'x')`).run();
    migrateTo(db, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT checksum FROM chain_snapshots WHERE snapshot_id = 7').get()).toEqual({ checksum: 'abc' });
    db.prepare(`INSERT INTO strategy_configs (config_id, strategy_id, version, config_json, checksum, created_at) VALUES (1, 's', 1, '{}', 'h', 1)`).run();
    db.prepare(`INSERT INTO trade_decisions (decision_id, strategy_id, config_id, decided_at, decision_date, kind, reason, context_id) VALUES (1, 's', 1, 1000, '1970-01-01', 'ENTER', 'r', 3)`).run();
    db.prepare('INSERT INTO decision_snapshots VALUES (1, 7)').run();
    expect(() => db.prepare('INSERT INTO decision_snapshots VALUES (1, 8)').run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`UPDATE strategy_configs SET config_json = '{"x":1}'`).run()).toThrow(/immutable/);
    // client order ids are unique
    const order = `INSERT INTO orders (client_order_id, broker, strategy_id, purpose, order_type, price_effect, quantity, status, legs_json, created_at, updated_at)
      VALUES ('c-1', 'sim', 's', 'OPEN', 'LIMIT', 'CREDIT', 1, 'PENDING_SUBMIT', '[]', 1, 1)`;
    db.prepare(order).run();
    expect(() => db.prepare(order).run()).toThrow(/UNIQUE/);
  });

  it('0003 operations: keeps version-2 trades and adds an append-only event log, summaries, state, settings', () => {
    migrateTo(db, 2);
    db.prepare(`INSERT INTO trades (trade_id, strategy_id, broker, structure, status, quantity, entry_date, created_at, updated_at, realized_pnl_cents)
      VALUES (5, 'arb', 'ibkr', 'spx_spy_call_ratio', 'CLOSED', 1, '2026-01-19', 1, 1, 64230)`).run();
    migrateTo(db, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT realized_pnl_cents FROM trades WHERE trade_id = 5').get()).toEqual({ realized_pnl_cents: 64230 });
    db.prepare(`INSERT INTO event_log (at, category, type, trade_id, payload_json) VALUES (1, 'engine', 'engine.state', 5, '{}')`).run();
    expect(() => db.prepare('UPDATE event_log SET type = ?').run('x')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM event_log').run()).toThrow(/append-only/);
    expect(() => db.prepare(`INSERT INTO event_log (at, category, type, payload_json) VALUES (1, 'nope', 't', '{}')`).run()).toThrow(/CHECK/);
    db.prepare(`INSERT INTO daily_summary (trade_date, strategy_id, net_pnl_cents, updated_at) VALUES ('2026-01-19', '*', 64230, 1)`).run();
    db.prepare(`INSERT INTO system_state (scope, engine_state, is_trading, updated_at) VALUES ('engine', 'running', 1, 1)`).run();
    db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('ui.theme', '"dark"', 1)`).run();
    expect(() => db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('x', 'not json', 1)`).run()).toThrow(/CHECK/);
  });

  it('0004 notifications: keeps version-3 settings and events and adds the notifications table', () => {
    migrateTo(db, 3);
    db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('ui.theme', '"dark"', 1)`).run();
    db.prepare(`INSERT INTO event_log (at, category, type, payload_json) VALUES (1, 'engine', 'engine.state', '{}')`).run();
    expect(tables()).not.toContain('notifications');
    migrateTo(db, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare("SELECT value_json FROM settings WHERE key = 'ui.theme'").get()).toEqual({ value_json: '"dark"' });
    expect(db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 1 });
    db.prepare(`INSERT INTO notifications (at, wall_at, level, title, body) VALUES (1, 2, 'error', 'Order rejected', 'closed')`).run();
    expect(db.prepare('SELECT notification_id, at, wall_at, level, title, body FROM notifications').get()).toEqual({ notification_id: 1, at: 1, wall_at: 2, level: 'error', title: 'Order rejected', body: 'closed' });
    expect(() => db.prepare(`INSERT INTO notifications (at, wall_at, level, title, body) VALUES (1, 2, 'fatal', 't', 'b')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO notifications (at, wall_at, level, title, body) VALUES ('soon', 2, 'info', 't', 'b')`).run()).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('refuses to go down: a file past the target is a schema-newer StoreError and is left alone', () => {
    migrateTo(db, 3);
    expect(() => migrateTo(db, 2)).toThrow(/newer than 2/);
    expect(schemaVersion(db)).toBe(3);
  });
});
