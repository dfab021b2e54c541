import type { Migration } from './types.ts';

/**
 * Seed 000's reference and reproducibility tables: instruments, chain snapshots (one compressed
 * columnar BLOB each, see chain-codec.ts) and context snapshots.
 *
 * Conventions for every table: instants are epoch ms UTC integers (`*_at`), ET calendar dates are
 * `YYYY-MM-DD` text (`*_date`), money is integer cents (`*_cents`), strikes are integer
 * thousandths (`strike_milli`, OCC precision). Tables are STRICT.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'market_data',
  sql: `
CREATE TABLE option_instruments (
  option_symbol TEXT PRIMARY KEY,           -- OCC, unpadded (Tradier form)
  root          TEXT NOT NULL CHECK (root IN ('SPX','SPXW','SPY')),
  underlying    TEXT NOT NULL CHECK (underlying IN ('SPX','SPY')),
  expiration    TEXT NOT NULL,              -- ET date
  strike_milli  INTEGER NOT NULL CHECK (strike_milli > 0),
  right         TEXT NOT NULL CHECK (right IN ('C','P')),
  style         TEXT NOT NULL CHECK (style IN ('european','american')),
  settlement    TEXT NOT NULL CHECK (settlement IN ('AM','PM')),
  multiplier    INTEGER NOT NULL CHECK (multiplier > 0),
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE chain_snapshots (
  snapshot_id           INTEGER PRIMARY KEY,
  taken_at              INTEGER NOT NULL,     -- ChainSnapshot.time
  underlying            TEXT NOT NULL CHECK (underlying IN ('SPX','SPY')),
  underlying_price_cents INTEGER NOT NULL,    -- rounded, for queries; the payload has the exact value
  source                TEXT NOT NULL,
  target_dte            INTEGER,              -- seed 000: 3/5/7 when taken for a target
  expirations           TEXT NOT NULL,        -- JSON array of the expirations in the payload
  contract_count        INTEGER NOT NULL,
  format_version        INTEGER NOT NULL,
  payload               BLOB NOT NULL,
  checksum              TEXT NOT NULL         -- SHA-256 hex of payload
) STRICT;
CREATE INDEX chain_snapshots_by_time ON chain_snapshots (underlying, taken_at);

-- A stored snapshot is evidence for the decisions that used it: it is never rewritten.
CREATE TRIGGER chain_snapshots_immutable BEFORE UPDATE ON chain_snapshots
BEGIN SELECT RAISE(ABORT, 'chain_snapshots rows are immutable'); END;

CREATE TABLE context_snapshots (
  context_id        INTEGER PRIMARY KEY,
  taken_at          INTEGER NOT NULL,
  spx               REAL,
  spy               REAL,
  vix               REAL,
  vix9d             REAL,
  vix3m             REAL,
  term_structure    REAL,                     -- e.g. VIX9D/VIX; the engine defines it in payload
  gex_net           REAL,
  zero_gamma_level  REAL,
  payload_json      TEXT NOT NULL CHECK (json_valid(payload_json)),  -- the full context, for replay
  checksum          TEXT NOT NULL
) STRICT;
CREATE INDEX context_snapshots_by_time ON context_snapshots (taken_at);
CREATE TRIGGER context_snapshots_immutable BEFORE UPDATE ON context_snapshots
BEGIN SELECT RAISE(ABORT, 'context_snapshots rows are immutable'); END;
`,
};
