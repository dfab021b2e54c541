/**
 * The SPY/SPX 0DTE call position's page (seeds 003/004, `spyspx.get`): seed 004's six panels for this
 * system and what a trader needs beside them. Every figure comes from where the rest of the app reads it:
 *
 * - status: the engine's status (connection, engine state) and this system's switch and config in force
 *   (the Strategies page's detail, strategies/view.ts);
 * - account and market prices: `account.get` / `market.get` (broker/quotes.ts), the ratio against the
 *   entry band of the config in force;
 * - daily P&L: this system's trades closed today (realized, as the engine's portfolio counts them for
 *   the daily loss limit) and its open positions at the engine's marks;
 * - open positions: both strikes, the credit received (the trade's entry total, as the Trades page shows
 *   it), the P&L at the marks, SPY's distance to the assignment trigger (strike + threshold, exits.ts),
 *   and each leg's fill state while legging, read from the order manager's orders and the legs' fills
 *   (engine/execution/legging.ts: the SPX leg first, the SPY leg only once it has filled, each order
 *   with its deadline, `execution.timeoutSeconds` after it started);
 * - recent trades with the system's words for each exit reason;
 * - the credit on offer at each day's first entry evaluation (entry.ts stores it as `netCreditCents`
 *   whenever both quotes had their side, even when a later gate skipped);
 * - the seeds' claims beside the figures measured on this system's closed trades (the Strategies card's
 *   `about.claims` and `figures`: one truth).
 */
import type { Account, Market, SpySpxView, Status, StrategyDetail } from '../../../shared/api.ts';
import { addDays } from '../../../shared/market/calendar.ts';
import { fromCents } from '../../../shared/money.ts';
import { etDate } from '../../../shared/time/et.ts';
import { TERMINAL_STATUSES, type StoredRequest } from '../../engine/execution/state.ts';
import { entryDeadline } from '../../engine/execution/walk.ts';
import type { OrderRow } from '../../store/repos/orders.ts';
import type { LegRow, TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { SpySpxConfig } from '../../strategies/spy-spx-0dte/config.ts';
import { STRATEGY_ID } from '../../strategies/spy-spx-0dte/strategy.ts';

/** Closed trades listed under "Recent trades", and the sessions back the 09:35 credits go. */
export const RECENT_TRADES = 20;
export const CREDIT_DAYS = 30;

export type SpySpxInputs = {
  store: Store;
  /** Engine time. */
  now: number;
  status: Status;
  account: Account;
  market: Market;
  /** This system as the Strategies page shows it: switch, config in force, claims and measured figures. */
  detail: StrategyDetail;
  /** Unrealized P&L of an open trade at the engine's marks, cents (null: no marks, no engine). */
  unrealized: (t: TradeWithLegs) => number | null;
};

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The deadline of a working entry order, from the walk the order manager stored with it (state.ts `StoredRequest`); null when it has none. */
function deadlineOf(o: OrderRow): number | null {
  const walk = (o.request as Partial<StoredRequest> | null)?.walk;
  return walk && typeof walk.startedAt === 'number' && typeof walk.execution?.timeoutSeconds === 'number' ? entryDeadline(walk) : null;
}

function legState(leg: LegRow, opens: readonly OrderRow[]): SpySpxView['positions'][number]['legs'][number] {
  const mine = opens.filter((o) => o.legs.some((l) => l.symbol === leg.symbol));
  const working = mine.find((o) => !TERMINAL_STATUSES.has(o.status)) ?? null;
  const state = leg.openedQty >= leg.quantity ? 'filled' : working ? 'working' : mine.length === 0 ? 'waiting' : leg.openedQty > 0 ? 'partial' : 'unfilled';
  return {
    underlying: leg.underlying,
    side: leg.side,
    symbol: leg.symbol,
    strike: leg.strike,
    quantity: leg.quantity,
    filled: leg.openedQty,
    state,
    orders: mine.length,
    deadline: working && state !== 'filled' ? deadlineOf(working) : null,
    limit: working && state !== 'filled' && working.limitPriceCents !== null ? fromCents(working.limitPriceCents) : null,
  };
}

export function spySpxView(x: SpySpxInputs): SpySpxView {
  const { store, now, status, account, market, detail } = x;
  const c = detail.config as unknown as SpySpxConfig;
  const today = etDate(now);
  const threshold = c.trading.assignmentRiskThreshold;

  // Open positions (and entries being legged in).
  const open = store.trades.listOpen(STRATEGY_ID);
  const positions: SpySpxView['positions'] = [];
  let unrealizedCents: number | null = 0;
  for (const t of open) {
    const spx = t.legs.find((l) => l.underlying === 'SPX');
    const spy = t.legs.find((l) => l.underlying === 'SPY');
    if (!spx || !spy || (t.status !== 'PENDING' && t.status !== 'OPEN' && t.status !== 'CLOSING')) continue;
    const held = t.status !== 'PENDING' && t.legs.some((l) => l.openedQty > l.closedQty);
    const pnl = held ? x.unrealized(t) : null;
    if (held) unrealizedCents = pnl === null || unrealizedCents === null ? null : unrealizedCents + pnl;
    const opens = store.orders.forTrade(t.tradeId).filter((o) => o.purpose === 'OPEN');
    const trigger = spy.strike + threshold;
    positions.push({
      tradeId: t.tradeId,
      status: t.status,
      createdAt: t.createdAt,
      openedAt: t.openedAt,
      spyStrike: spy.strike,
      spxStrike: spx.strike,
      entryCredit: t.entryTotalCents === null ? null : fromCents(t.entryTotalCents),
      pnl: pnl === null ? null : fromCents(pnl),
      assignmentTrigger: trigger,
      spyToTrigger: market.spyPrice === null ? null : r2(trigger - market.spyPrice),
      legging: t.legs.some((l) => l.openedQty < l.quantity) && t.status !== 'CLOSING',
      legs: [spx, spy].map((l) => legState(l, opens)),
      exitReason: t.exitReason,
    });
  }

  // Its day: trades closed today (realized, net of commissions), open positions at the marks.
  const closedToday = store.trades.closedResults().filter((r) => r.strategyId === STRATEGY_ID && r.exitDate === today);
  const realizedCents = closedToday.reduce((a, r) => a + r.realizedPnlCents, 0);

  // Recent trades, newest first, with the system's words for the exit.
  const labels = new Map(detail.about.exitReasons.map((r) => [r.code, r.label]));
  const recentTrades = store.trades
    .search({ strategyId: STRATEGY_ID, status: 'CLOSED', limit: RECENT_TRADES })
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0) || b.tradeId - a.tradeId)
    .map((t) => ({
      tradeId: t.tradeId,
      date: t.exitDate ?? t.entryDate,
      spyStrike: t.legs.find((l) => l.underlying === 'SPY')?.strike ?? null,
      spxStrike: t.legs.find((l) => l.underlying === 'SPX')?.strike ?? null,
      entryCredit: t.entryTotalCents === null ? null : fromCents(t.entryTotalCents),
      status: t.status,
      exitReason: t.exitReason,
      exitLabel: t.exitReason === null ? null : (labels.get(t.exitReason) ?? (t.exitReason === 'EXPIRED' ? 'Settled at expiration' : null)),
      pnl: t.realizedPnlCents === null ? null : fromCents(t.realizedPnlCents),
    }));

  // The credit on offer at each day's first entry evaluation (09:35 with the seed's entry time).
  const firstOfDay = new Map<string, SpySpxView['creditAtOpen'][number]>();
  for (const d of store.decisions.listByDate(addDays(today, -CREDIT_DAYS), today, STRATEGY_ID)) {
    if (d.kind === 'EXIT' || !d.entrySlot) continue;
    const date = etDate(d.decidedAt);
    if (firstOfDay.has(date)) continue;
    const n = d.details as { netCreditCents?: number | null; ratio?: number };
    firstOfDay.set(date, {
      date,
      decidedAt: d.decidedAt,
      credit: typeof n.netCreditCents === 'number' ? fromCents(n.netCreditCents) : null,
      minCredit: fromCents(c.trading.minEntryCreditCents),
      ratio: typeof n.ratio === 'number' ? n.ratio : null,
      kind: d.kind,
      gate: d.gate,
      reason: d.reason,
    });
  }

  // The band judged on the ratio as the entry computes it (6 decimals), shown to 4.
  const exact = market.spxPrice !== null && market.spyPrice !== null && market.spyPrice > 0 ? Math.round((market.spxPrice / market.spyPrice) * 1e6) / 1e6 : null;
  const ratio = exact === null ? null : Math.round(exact * 10_000) / 10_000;
  const figure = new Map(detail.figures.map((f) => [f.key, f]));
  const closedFigure = figure.get('closedTrades')?.value;
  return {
    at: now,
    strategyId: STRATEGY_ID,
    name: detail.name,
    status: {
      connection: status.connection,
      engineState: status.engineState,
      enabled: detail.enabled,
      trading: status.engineState === 'running' && detail.enabled,
      activePositions: positions.filter((p) => p.status !== 'PENDING').length,
      tradesToday: store.trades.countEnteredOn(today, STRATEGY_ID),
      maxSpreadsPerDay: c.risk.maxNewTradesPerDay,
    },
    account: { netLiquidation: account.netLiquidation, availableFunds: account.availableFunds, buyingPower: account.buyingPower, updatedAt: account.updatedAt },
    daily: {
      date: today,
      realized: fromCents(realizedCents),
      unrealized: unrealizedCents === null ? null : fromCents(unrealizedCents),
      total: unrealizedCents === null ? null : fromCents(realizedCents + unrealizedCents),
      maxDailyLoss: fromCents(c.riskManagement.maxDailyLossCents),
      closedToday: closedToday.length,
    },
    market: {
      spx: market.spxPrice,
      spy: market.spyPrice,
      ratio,
      ratioMin: c.trading.ratioMin,
      ratioMax: c.trading.ratioMax,
      inBand: exact === null ? null : exact >= c.trading.ratioMin && exact <= c.trading.ratioMax,
      updatedAt: market.updatedAt,
    },
    positions,
    recentTrades,
    creditAtOpen: [...firstOfDay.values()].reverse(),
    claims: detail.about.claims.map((cl) => ({ label: cl.label, claimed: cl.claimed, measured: figure.get(cl.figure)?.value ?? null, unit: figure.get(cl.figure)?.unit ?? 'usd' })),
    claimsSource: detail.about.claimsSource,
    closedTrades: typeof closedFigure === 'number' ? closedFigure : 0,
    refreshSeconds: c.dashboard.refreshIntervalSeconds,
  };
}
