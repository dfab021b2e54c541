import type { Migration } from './types.ts';

/**
 * What the engine needs to restart safely and what seed 004 shows: the append-only event log,
 * daily summaries, system state and settings.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'operations',
  sql: `
CREATE TABLE event_log (
  event_id      INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused
  at            INTEGER NOT NULL,
  category      TEXT NOT NULL CHECK (category IN ('order','broker','engine','risk','system')),
  type          TEXT NOT NULL,                       -- e.g. order.sent, broker.fill, engine.state
  strategy_id   TEXT,
  order_id      INTEGER,                             -- no FK: broker events may concern unknown orders
  trade_id      INTEGER,
  payload_json  TEXT NOT NULL CHECK (json_valid(payload_json))
) STRICT;
CREATE INDEX event_log_by_time ON event_log (at);
CREATE INDEX event_log_by_order ON event_log (order_id) WHERE order_id IS NOT NULL;
CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;

CREATE TABLE daily_summary (
  trade_date           TEXT NOT NULL,          -- ET date
  strategy_id          TEXT NOT NULL,          -- '*' = all strategies
  trades_count         INTEGER NOT NULL DEFAULT 0,
  winning_trades       INTEGER NOT NULL DEFAULT 0,
  losing_trades        INTEGER NOT NULL DEFAULT 0,
  gross_pnl_cents      INTEGER NOT NULL DEFAULT 0,
  commissions_cents    INTEGER NOT NULL DEFAULT 0,
  net_pnl_cents        INTEGER NOT NULL DEFAULT 0,
  max_drawdown_cents   INTEGER NOT NULL DEFAULT 0,   -- >= 0, peak-to-trough of cumulative net P&L
  updated_at           INTEGER NOT NULL,
  PRIMARY KEY (trade_date, strategy_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE system_state (
  scope             TEXT PRIMARY KEY,         -- 'engine' or a strategy id
  engine_state      TEXT NOT NULL CHECK (engine_state IN ('stopped','running','reconciling','halted')),
  is_trading        INTEGER NOT NULL CHECK (is_trading IN (0,1)),
  open_positions    INTEGER NOT NULL DEFAULT 0,
  daily_pnl_cents   INTEGER NOT NULL DEFAULT 0,
  trades_today      INTEGER NOT NULL DEFAULT 0,
  errors_today      INTEGER NOT NULL DEFAULT 0,
  state_date        TEXT,                      -- ET date the *_today counters belong to
  state_json        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(state_json)),  -- circuit breaker, halts…
  updated_at        INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- User settings. Secrets (API tokens, passwords) are never stored here: they live in Electron's safeStorage.
CREATE TABLE settings (
  key         TEXT PRIMARY KEY,
  value_json  TEXT NOT NULL CHECK (json_valid(value_json)),
  updated_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`,
};
