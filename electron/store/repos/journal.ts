/** Seed 004's daily_summary and system_state, and the settings table. */
import { summarizeDay, type ClosedTrade } from '../../../shared/stats.ts';
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { isIsoDate } from '../../../shared/time/days.ts';
import { toClosedTrade, type TradeRepo } from './trades.ts';
import { instant, int, inTransaction, toJson } from './util.ts';

/** The strategy id of the all-strategies row in daily_summary. */
export const ALL_STRATEGIES = '*';

export type DailySummaryRow = {
  tradeDate: string;
  strategyId: string;
  tradesCount: number;
  winningTrades: number;
  losingTrades: number;
  grossPnlCents: number;
  commissionsCents: number;
  netPnlCents: number;
  /** Max drawdown of the day's equity curve (cumulative net P&L from 0 at the day's start), >= 0 (shared/stats.ts). */
  maxDrawdownCents: number;
  updatedAt: number;
};

type DailyRaw = {
  trade_date: string; strategy_id: string; trades_count: number; winning_trades: number; losing_trades: number; gross_pnl_cents: number;
  commissions_cents: number; net_pnl_cents: number; max_drawdown_cents: number; updated_at: number;
};
const toDaily = (r: DailyRaw): DailySummaryRow => ({
  tradeDate: r.trade_date, strategyId: r.strategy_id, tradesCount: r.trades_count, winningTrades: r.winning_trades, losingTrades: r.losing_trades,
  grossPnlCents: r.gross_pnl_cents, commissionsCents: r.commissions_cents, netPnlCents: r.net_pnl_cents, maxDrawdownCents: r.max_drawdown_cents,
  updatedAt: r.updated_at,
});

export class DailySummaryRepo {
  readonly #db: Db;
  readonly #trades: TradeRepo;
  readonly #upsert: Stmt;
  constructor(db: Db, trades: TradeRepo) {
    this.#db = db;
    this.#trades = trades;
    this.#upsert = db.prepare(
      `INSERT INTO daily_summary (trade_date, strategy_id, trades_count, winning_trades, losing_trades, gross_pnl_cents, commissions_cents, net_pnl_cents, max_drawdown_cents, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trade_date, strategy_id) DO UPDATE SET trades_count = excluded.trades_count, winning_trades = excluded.winning_trades,
         losing_trades = excluded.losing_trades, gross_pnl_cents = excluded.gross_pnl_cents, commissions_cents = excluded.commissions_cents,
         net_pnl_cents = excluded.net_pnl_cents, max_drawdown_cents = excluded.max_drawdown_cents, updated_at = excluded.updated_at`,
    );
  }

  upsert(r: Omit<DailySummaryRow, 'updatedAt'> & { updatedAt: number }): void {
    if (!isIsoDate(r.tradeDate)) throw new StoreError('invalid', `bad trade date ${r.tradeDate}`);
    if (int(r.grossPnlCents, 'gross') - int(r.commissionsCents, 'commissions') !== int(r.netPnlCents, 'net')) {
      throw new StoreError('invalid', `daily summary ${r.tradeDate}/${r.strategyId}: net ${r.netPnlCents} ≠ gross ${r.grossPnlCents} − commissions ${r.commissionsCents}`);
    }
    this.#upsert.run(
      r.tradeDate, r.strategyId, int(r.tradesCount, 'tradesCount'), int(r.winningTrades, 'winningTrades'), int(r.losingTrades, 'losingTrades'),
      r.grossPnlCents, r.commissionsCents, r.netPnlCents, int(r.maxDrawdownCents, 'maxDrawdownCents'), instant(r.updatedAt, 'time'),
    );
  }

  /**
   * Recomputes and stores the summaries of an ET date from the trades closed that day: one row per
   * strategy and one for all (`'*'`), each from shared/stats.ts `summarizeDay` (the max drawdown of
   * that day's equity curve, from 0 at the day's start). The trade repository calls it whenever a
   * trade closes or a closed trade's P&L changes (a late commission), in the same transaction.
   */
  recompute(date: string, at: number): DailySummaryRow[] {
    return inTransaction(this.#db, () => {
      const closed = this.#trades.listClosedOn(date);
      const groups = new Map<string, typeof closed>([[ALL_STRATEGIES, closed]]);
      for (const t of closed) groups.set(t.strategyId, [...(groups.get(t.strategyId) ?? []), t]);
      const rows: DailySummaryRow[] = [];
      for (const [strategyId, trades] of groups) {
        const day = summarizeDay(trades.map(toClosedTrade).filter((t): t is ClosedTrade => t !== null));
        const row: DailySummaryRow = { tradeDate: date, strategyId, ...day, updatedAt: at };
        this.upsert(row);
        rows.push(row);
      }
      return rows;
    });
  }

  /** Summarizes the days with closed trades but no summary yet (databases written before summaries were kept). Returns the dates. */
  backfill(at: number): string[] {
    const dates = this.#db
      .prepare<{ exit_date: string }>(
        `SELECT DISTINCT exit_date FROM trades WHERE status = 'CLOSED' AND exit_date IS NOT NULL
           AND exit_date NOT IN (SELECT trade_date FROM daily_summary WHERE strategy_id = '${ALL_STRATEGIES}') ORDER BY exit_date`,
      )
      .all()
      .map((r) => r.exit_date);
    for (const date of dates) this.recompute(date, at);
    return dates;
  }

  get(date: string, strategyId: string = ALL_STRATEGIES): DailySummaryRow | null {
    const r = this.#db.prepare<DailyRaw>('SELECT * FROM daily_summary WHERE trade_date = ? AND strategy_id = ?').get(date, strategyId);
    return r ? toDaily(r) : null;
  }

  /** Rows for ET dates `fromDate`..`toDate` inclusive, by date then strategy ('*' first). */
  list(fromDate: string, toDate: string): DailySummaryRow[] {
    return this.#db.prepare<DailyRaw>('SELECT * FROM daily_summary WHERE trade_date BETWEEN ? AND ? ORDER BY trade_date, strategy_id').all(fromDate, toDate).map(toDaily);
  }
}

export type EngineState = 'stopped' | 'running' | 'reconciling' | 'halted';

export type SystemStateRow = {
  scope: string;
  engineState: EngineState;
  isTrading: boolean;
  openPositions: number;
  dailyPnlCents: number;
  tradesToday: number;
  errorsToday: number;
  stateDate: string | null;
  state: Record<string, unknown>;
  updatedAt: number;
};

type StateRaw = {
  scope: string; engine_state: EngineState; is_trading: number; open_positions: number; daily_pnl_cents: number; trades_today: number;
  errors_today: number; state_date: string | null; state_json: string; updated_at: number;
};

export class SystemStateRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(scope = 'engine'): SystemStateRow | null {
    const r = this.#db.prepare<StateRaw>('SELECT * FROM system_state WHERE scope = ?').get(scope);
    if (!r) return null;
    return {
      scope: r.scope, engineState: r.engine_state, isTrading: r.is_trading === 1, openPositions: r.open_positions, dailyPnlCents: r.daily_pnl_cents,
      tradesToday: r.trades_today, errorsToday: r.errors_today, stateDate: r.state_date, state: JSON.parse(r.state_json) as Record<string, unknown>,
      updatedAt: r.updated_at,
    };
  }

  /** Writes the state of a scope ('engine' or a strategy id), merging over what is stored. */
  put(scope: string, patch: Partial<Omit<SystemStateRow, 'scope' | 'updatedAt'>>, at: number): SystemStateRow {
    return inTransaction(this.#db, () => {
      const cur = this.get(scope);
      const next: SystemStateRow = {
        scope,
        engineState: patch.engineState ?? cur?.engineState ?? 'stopped',
        isTrading: patch.isTrading ?? cur?.isTrading ?? false,
        openPositions: patch.openPositions ?? cur?.openPositions ?? 0,
        dailyPnlCents: patch.dailyPnlCents ?? cur?.dailyPnlCents ?? 0,
        tradesToday: patch.tradesToday ?? cur?.tradesToday ?? 0,
        errorsToday: patch.errorsToday ?? cur?.errorsToday ?? 0,
        stateDate: patch.stateDate ?? cur?.stateDate ?? null,
        state: patch.state ?? cur?.state ?? {},
        updatedAt: instant(at, 'time'),
      };
      this.#db
        .prepare(
          `INSERT INTO system_state (scope, engine_state, is_trading, open_positions, daily_pnl_cents, trades_today, errors_today, state_date, state_json, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (scope) DO UPDATE SET engine_state = excluded.engine_state, is_trading = excluded.is_trading, open_positions = excluded.open_positions,
             daily_pnl_cents = excluded.daily_pnl_cents, trades_today = excluded.trades_today, errors_today = excluded.errors_today,
             state_date = excluded.state_date, state_json = excluded.state_json, updated_at = excluded.updated_at`,
        )
        .run(
          scope, next.engineState, next.isTrading ? 1 : 0, int(next.openPositions, 'openPositions'), int(next.dailyPnlCents, 'dailyPnlCents'),
          int(next.tradesToday, 'tradesToday'), int(next.errorsToday, 'errorsToday'), next.stateDate, toJson(next.state, 'system state'), next.updatedAt,
        );
      return next;
    });
  }
}

/** Setting keys that look like secrets are refused: secrets live in Electron's safeStorage. */
const SECRET_KEY = /(secret|token|passw|api[-_.]?key|credential|private[-_.]?key|bearer)/i;

export class SettingsRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get<T = unknown>(key: string): T | null {
    const r = this.#db.prepare<{ value_json: string }>('SELECT value_json FROM settings WHERE key = ?').get(key);
    return r ? (JSON.parse(r.value_json) as T) : null;
  }

  set(key: string, value: unknown, at: number): void {
    if (!key) throw new StoreError('invalid', 'a setting needs a key');
    if (SECRET_KEY.test(key)) {
      throw new StoreError('invalid', `setting "${key}" looks like a secret; secrets are kept in the OS keychain (Electron safeStorage), never in the database`);
    }
    this.#db
      .prepare('INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at')
      .run(key, toJson(value, `setting ${key}`), instant(at, 'time'));
  }

  delete(key: string): boolean {
    return this.#db.prepare('DELETE FROM settings WHERE key = ?').run(key).changes > 0;
  }

  all(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.#db.prepare<{ key: string; value_json: string }>('SELECT key, value_json FROM settings ORDER BY key').all()) out[r.key] = JSON.parse(r.value_json);
    return out;
  }
}
