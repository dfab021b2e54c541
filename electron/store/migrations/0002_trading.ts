import type { Migration } from './types.ts';

/**
 * Configs, decisions, trades, legs, orders and fills, for many strategies at once (strategy_id on
 * every row), legs on different underlyings with their own multipliers (1 SPX + 10 SPY), and many
 * concurrent trades.
 *
 * Money: integer cents. Option prices are per-share premium cents (1.25 → 125); totals that include
 * the multiplier say so (`*_total_cents`). Leg fills accumulate `Σ qty × price_cents` so averages
 * and P&L are exact integers.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'trading',
  sql: `
CREATE TABLE strategy_configs (
  config_id    INTEGER PRIMARY KEY,
  strategy_id  TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version > 0),
  config_json  TEXT NOT NULL CHECK (json_valid(config_json)),
  checksum     TEXT NOT NULL,                -- SHA-256 of the canonical JSON
  note         TEXT,
  created_at   INTEGER NOT NULL,
  UNIQUE (strategy_id, version),
  UNIQUE (strategy_id, checksum)
) STRICT;
-- A config version is what decisions point to: never edited, never deleted (add a new version).
CREATE TRIGGER strategy_configs_no_update BEFORE UPDATE ON strategy_configs
BEGIN SELECT RAISE(ABORT, 'strategy_configs versions are immutable; save a new version'); END;
CREATE TRIGGER strategy_configs_no_delete BEFORE DELETE ON strategy_configs
BEGIN SELECT RAISE(ABORT, 'strategy_configs versions are never deleted'); END;

CREATE TABLE trade_decisions (
  decision_id        INTEGER PRIMARY KEY,
  strategy_id        TEXT NOT NULL,
  config_id          INTEGER NOT NULL REFERENCES strategy_configs (config_id),
  decided_at         INTEGER NOT NULL,
  decision_date      TEXT NOT NULL,          -- ET date of decided_at
  kind               TEXT NOT NULL CHECK (kind IN ('ENTER','SKIP','EXIT','VETO','HOLD')),
  gate               TEXT,                   -- the gate that failed (SKIP/VETO) or the exit reason code (EXIT)
  reason             TEXT NOT NULL,          -- in the spec's words
  details_json       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),  -- numbers behind it
  legs_json          TEXT CHECK (legs_json IS NULL OR json_valid(legs_json)),
  limit_price_cents  INTEGER,                -- net per unit, positive = credit
  quantity           INTEGER,
  score              REAL,
  target_dte         INTEGER,
  entry_slot         TEXT,
  model_version      TEXT,                   -- code/ruleset version that decided
  context_id         INTEGER REFERENCES context_snapshots (context_id),
  trade_id           INTEGER REFERENCES trades (trade_id)  -- EXIT/HOLD: the trade concerned
) STRICT;
CREATE INDEX trade_decisions_by_date ON trade_decisions (decision_date, strategy_id);
CREATE INDEX trade_decisions_by_trade ON trade_decisions (trade_id);

-- The exact chain snapshots a decision used (several when it looked at several expirations).
CREATE TABLE decision_snapshots (
  decision_id  INTEGER NOT NULL REFERENCES trade_decisions (decision_id),
  snapshot_id  INTEGER NOT NULL REFERENCES chain_snapshots (snapshot_id),
  PRIMARY KEY (decision_id, snapshot_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX decision_snapshots_by_snapshot ON decision_snapshots (snapshot_id);

CREATE TABLE trades (
  trade_id               INTEGER PRIMARY KEY,
  strategy_id            TEXT NOT NULL,
  config_id              INTEGER REFERENCES strategy_configs (config_id),
  decision_id            INTEGER REFERENCES trade_decisions (decision_id),  -- the entry decision
  broker                 TEXT NOT NULL,
  account_id             TEXT,
  structure              TEXT NOT NULL,      -- e.g. put_credit_vertical, spx_spy_call_ratio
  status                 TEXT NOT NULL CHECK (status IN ('PENDING','OPEN','CLOSING','CLOSED','CANCELLED','ERROR')),
  quantity               INTEGER NOT NULL CHECK (quantity > 0),   -- combo units
  entry_date             TEXT NOT NULL,      -- ET date the trade was created/entered
  opened_at              INTEGER,
  closed_at              INTEGER,
  exit_date              TEXT,
  entry_credit_cents     INTEGER,            -- net per combo unit, + credit / - debit
  entry_total_cents      INTEGER,            -- net credit received in dollars×100, multipliers and quantity applied
  exit_debit_cents       INTEGER,            -- net per combo unit paid to close, + debit / - credit
  exit_total_cents       INTEGER,
  max_profit_cents       INTEGER,
  max_loss_cents         INTEGER,
  commissions_cents      INTEGER NOT NULL DEFAULT 0,
  realized_pnl_cents     INTEGER,            -- net of commissions, set when CLOSED
  exit_reason            TEXT,               -- TAKE_PROFIT_50, STOP_LOSS, MANUAL, EXPIRED, ASSIGNMENT_RISK, TIME_EXIT, LOSS_LIMIT, TIME_STOP…
  notes_json             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(notes_json)),
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX trades_by_entry_date ON trades (entry_date, strategy_id);
CREATE INDEX trades_by_status ON trades (status);

CREATE TABLE trade_legs (
  leg_id             INTEGER PRIMARY KEY,
  trade_id           INTEGER NOT NULL REFERENCES trades (trade_id),
  leg_index          INTEGER NOT NULL,
  option_symbol      TEXT NOT NULL REFERENCES option_instruments (option_symbol),
  underlying         TEXT NOT NULL CHECK (underlying IN ('SPX','SPY')),
  multiplier         INTEGER NOT NULL CHECK (multiplier > 0),
  side               TEXT NOT NULL CHECK (side IN ('BUY','SELL')),  -- opening side: BUY = BTO, SELL = STO
  quantity           INTEGER NOT NULL CHECK (quantity > 0),         -- contracts intended (e.g. 1 SPX, 10 SPY)
  opened_qty         INTEGER NOT NULL DEFAULT 0 CHECK (opened_qty >= 0),
  entry_value_cents  INTEGER NOT NULL DEFAULT 0,    -- Σ qty × price_cents of opening fills
  closed_qty         INTEGER NOT NULL DEFAULT 0 CHECK (closed_qty >= 0 AND closed_qty <= opened_qty),
  exit_value_cents   INTEGER NOT NULL DEFAULT 0,    -- Σ qty × price_cents of closing fills (0 for expired worthless)
  commissions_cents  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (trade_id, leg_index),
  UNIQUE (trade_id, option_symbol)
) STRICT;

CREATE TABLE orders (
  order_id           INTEGER PRIMARY KEY,
  client_order_id    TEXT NOT NULL UNIQUE,   -- ours, written before anything is sent
  broker             TEXT NOT NULL,
  broker_order_id    TEXT,                   -- IB permId / Tradier order id, once known
  account_id         TEXT,
  strategy_id        TEXT NOT NULL,
  decision_id        INTEGER REFERENCES trade_decisions (decision_id),
  trade_id           INTEGER REFERENCES trades (trade_id),
  purpose            TEXT NOT NULL CHECK (purpose IN ('OPEN','CLOSE')),
  order_type         TEXT NOT NULL CHECK (order_type IN ('LIMIT','MARKET')),
  price_effect       TEXT NOT NULL CHECK (price_effect IN ('CREDIT','DEBIT','EVEN')),
  limit_price_cents  INTEGER CHECK (limit_price_cents IS NULL OR limit_price_cents >= 0),
  quantity           INTEGER NOT NULL CHECK (quantity > 0),
  filled_quantity    INTEGER NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
  tif                TEXT NOT NULL DEFAULT 'DAY',
  status             TEXT NOT NULL CHECK (status IN ('PENDING_SUBMIT','SUBMITTED','ACCEPTED','PARTIALLY_FILLED','FILLED','CANCEL_PENDING','CANCELLED','REJECTED','EXPIRED','ERROR')),
  legs_json          TEXT NOT NULL CHECK (json_valid(legs_json)),
  request_json       TEXT,
  response_json      TEXT,
  reject_reason      TEXT,
  replaces_order_id  INTEGER REFERENCES orders (order_id),
  created_at         INTEGER NOT NULL,
  submitted_at       INTEGER,
  updated_at         INTEGER NOT NULL,
  UNIQUE (broker, broker_order_id)
) STRICT;
CREATE INDEX orders_by_status ON orders (status);
CREATE INDEX orders_by_trade ON orders (trade_id);

CREATE TABLE fills (
  fill_id            INTEGER PRIMARY KEY,
  order_id           INTEGER NOT NULL REFERENCES orders (order_id),
  broker             TEXT NOT NULL,
  exec_id            TEXT NOT NULL,          -- the broker's execution id: the same fill twice is one fill
  trade_id           INTEGER REFERENCES trades (trade_id),
  leg_id             INTEGER REFERENCES trade_legs (leg_id),
  filled_at          INTEGER NOT NULL,
  fill_date          TEXT NOT NULL,          -- ET date
  option_symbol      TEXT NOT NULL,
  side               TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
  effect             TEXT NOT NULL CHECK (effect IN ('OPEN','CLOSE')),
  quantity           INTEGER NOT NULL CHECK (quantity > 0),
  price_cents        INTEGER NOT NULL CHECK (price_cents >= 0),
  commission_cents   INTEGER NOT NULL DEFAULT 0,
  raw_json           TEXT,                   -- the broker's report as received
  UNIQUE (broker, exec_id)
) STRICT;
CREATE INDEX fills_by_order ON fills (order_id);
CREATE INDEX fills_by_date ON fills (fill_date);
`,
};
