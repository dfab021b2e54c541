/**
 * The REST API of seed 004, with its paths and JSON field names, over the same Workstation. Extra
 * fields (legs, strategy) are added beside the seed's, never instead of them.
 *
 * Every money field (P&L, credits, prices, marks, account values) goes through `usd`: dollars rounded
 * to the cent, so no field carries binary noise such as 9.399999999999999. Every time goes through
 * `etMinute`: ET `YYYY-MM-DD HH:MM`, the format the README promises (`2026-01-19 09:35`).
 *
 * `/api/status` `mode` is the trading mode the settings ask for; `account_type` what the connected
 * account is, as the broker said it (`paper`, `live`, or `unknown` until it has said).
 * `/api/status` `is_trading`: a new entry can happen — the engine is running (Start) and at least one
 * system is switched on; running with every system off is `false`, and `reason` says so.
 * `/api/performance` `max_daily_loss`: the tightest daily loss limit of the systems, or `null` for no limit.
 * `/api/account` `available_funds`: `null` when the broker does not report it.
 * `/api/trades` `status`: OPEN, CLOSED, or CANCELLED for an entry that never filled (no P&L; its reason
 * in `exit_reason`), listed as the CSV export lists it.
 *
 * Counts: `/api/status` `trades_today` = trades entered today (ET), open or closed since — the same
 * figure as `/api/performance` `trades_today`; `/api/performance` `trades_count` = trades closed today,
 * the trades whose P&L makes `daily_realized_pnl`.
 */
import type { Account, Market, Performance, Position, Status, Trade } from '../../shared/api.ts';
import { etDateTime } from '../../shared/time/et.ts';
import { roundCents } from '../../shared/money.ts';

/** Money: dollars to the cent (half away from zero); null stays null. */
export function usd(value: number): number;
export function usd(value: number | null): number | null;
export function usd(value: number | null): number | null {
  return value === null ? null : roundCents(value);
}

/** A time: ET `YYYY-MM-DD HH:MM`. */
export const etMinute = (epochMs: number): string => etDateTime(epochMs, false);

export function statusJson(s: Status) {
  return {
    is_trading: s.isTrading,
    is_connected: s.connection.state === 'connected',
    open_positions: s.openPositions,
    trades_today: s.tradesToday,
    engine_state: s.engineState,
    mode: s.mode,
    account_type: s.accountType,
    broker: s.connection.broker,
    reason: s.reason,
  };
}

function strikeOf(p: Position, underlying: 'SPX' | 'SPY'): number | null {
  return p.legs.find((l) => l.underlying === underlying)?.strike ?? null;
}

export function positionJson(p: Position) {
  return {
    trade_id: p.tradeId,
    entry_time: etMinute(p.entryTime),
    spy_strike: strikeOf(p, 'SPY'),
    spx_strike: strikeOf(p, 'SPX'),
    entry_credit: usd(p.entryCredit),
    current_pnl: usd(p.currentPnl),
    status: p.status,
    strategy: p.strategyId,
    legs: p.legs.map((l) => ({ symbol: l.symbol, right: l.right, strike: l.strike, expiration: l.expiration, quantity: l.quantity, entry_price: usd(l.entryPrice), mark: usd(l.mark) })),
  };
}

export function tradeJson(t: Trade) {
  return {
    id: t.id,
    trade_date: etMinute(t.tradeDate),
    entry_credit: usd(t.entryCredit),
    final_pnl: usd(t.finalPnl),
    exit_reason: t.exitReason,
    status: t.status,
    strategy: t.strategyId,
    // An open trade's P&L at the current marks (as /api/positions `current_pnl`); null once closed.
    unrealized_pnl: usd(t.unrealizedPnl),
    closed_at: t.closedAt === null ? null : etMinute(t.closedAt),
    // Seed 004's columns for a trade on SPX and SPY (the SPY/SPX 0DTE call position), beside the rest.
    ...(t.spySpx === null
      ? {}
      : {
          spy_price: usd(t.spySpx.spyPrice),
          spx_price: usd(t.spySpx.spxPrice),
          spy_strike: t.spySpx.spyStrike,
          spx_strike: t.spySpx.spxStrike,
          spy_entry_bid: usd(t.spySpx.spyEntryBid),
          spy_entry_ask: usd(t.spySpx.spyEntryAsk),
          spx_entry_bid: usd(t.spySpx.spxEntryBid),
          spx_entry_ask: usd(t.spySpx.spxEntryAsk),
          entry_time: etMinute(t.tradeDate),
          entry_filled: t.spySpx.entryFilled,
          spy_exit_price: usd(t.spySpx.spyExitPrice),
          spx_exit_price: usd(t.spySpx.spxExitPrice),
          exit_cost: usd(t.spySpx.exitCost),
          exit_time: t.closedAt === null ? null : etMinute(t.closedAt),
          commissions: usd(t.commissions),
        }),
  };
}

export function accountJson(a: Account) {
  return {
    account_id: a.accountId,
    net_liquidation: usd(a.netLiquidation),
    total_cash: usd(a.totalCash),
    available_funds: usd(a.availableFunds),
    buying_power: usd(a.buyingPower),
  };
}

export function marketJson(m: Market) {
  // Index levels and VIX to the cent like prices; the SPX/SPY ratio is not money: 4 decimals.
  return { spy_price: usd(m.spyPrice), spx_price: usd(m.spxPrice), vix: usd(m.vix), ratio: m.ratio === null ? null : Math.round(m.ratio * 10_000) / 10_000 };
}

export function performanceJson(p: Performance) {
  return {
    daily_realized_pnl: usd(p.dailyRealizedPnl),
    unrealized_pnl: usd(p.unrealizedPnl),
    total_pnl: usd(p.totalPnl),
    max_daily_loss: usd(p.maxDailyLoss),
    risk_breached: p.riskBreached,
    trades_count: p.tradesCount,
    trades_today: p.tradesToday,
    active_positions: p.activePositions,
  };
}
