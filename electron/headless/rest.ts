/**
 * The REST API of seed 004, with its paths and JSON field names, over the same Workstation. Extra
 * fields (legs, strategy) are added beside the seed's, never instead of them.
 */
import type { Account, Market, Performance, Position, Status, Trade } from '../../shared/api.ts';
import { etDateTime } from '../../shared/format.ts';

export function statusJson(s: Status) {
  return {
    is_trading: s.isTrading,
    is_connected: s.connection.state === 'connected',
    open_positions: s.openPositions,
    trades_today: s.tradesToday,
    engine_state: s.engineState,
    mode: s.mode,
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
    entry_time: etDateTime(p.entryTime, false),
    spy_strike: strikeOf(p, 'SPY'),
    spx_strike: strikeOf(p, 'SPX'),
    entry_credit: p.entryCredit,
    current_pnl: p.currentPnl,
    status: p.status,
    strategy: p.strategyId,
    legs: p.legs.map((l) => ({ symbol: l.symbol, right: l.right, strike: l.strike, expiration: l.expiration, quantity: l.quantity, entry_price: l.entryPrice, mark: l.mark })),
  };
}

export function tradeJson(t: Trade) {
  return {
    id: t.id,
    trade_date: etDateTime(t.tradeDate),
    entry_credit: t.entryCredit,
    final_pnl: t.finalPnl,
    exit_reason: t.exitReason,
    status: t.status,
    strategy: t.strategyId,
  };
}

export function accountJson(a: Account) {
  return {
    account_id: a.accountId,
    net_liquidation: a.netLiquidation,
    total_cash: a.totalCash,
    available_funds: a.availableFunds,
    buying_power: a.buyingPower,
  };
}

export function marketJson(m: Market) {
  return { spy_price: m.spyPrice, spx_price: m.spxPrice, vix: m.vix, ratio: m.ratio };
}

export function performanceJson(p: Performance) {
  return {
    daily_realized_pnl: p.dailyRealizedPnl,
    unrealized_pnl: p.unrealizedPnl,
    total_pnl: p.totalPnl,
    max_daily_loss: p.maxDailyLoss,
    risk_breached: p.riskBreached,
    trades_count: p.tradesCount,
    active_positions: p.activePositions,
  };
}
