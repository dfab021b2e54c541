/**
 * Settlement at expiration, on virtual time (issue 12): a put credit vertical held to expiration must
 * close EXPIRED at the index's settlement value, with P&L to the cent equal to an independent
 * computation (credit − max(0, intrinsic spread) × 100 × qty − commissions), in the live engine
 * (Workstation → OrderManager → sim broker → paper exchange, whose cash and positions must agree) and
 * in the backtest (runBacktest → fill model).
 *
 * - SPXW (PM): settles at the SPX close of the expiration day (reference/spx-market-facts.md).
 * - SPX monthly (AM): stops trading at Thursday's options close and settles on Friday's opening
 *   prints (SOQ). The strategy here asks to exit on expiration day; the engine must not let it trade
 *   a series that no longer trades — it waits for the settlement.
 *
 * The settlement value is checked against a twin simulator (same seed): the close of the day's last
 * minute bar (PM) or the open of its first (AM).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBacktest } from '../../electron/backtest/run.ts';
import type { EngineConfig, StrategyEntry } from '../../electron/engine/trading.ts';
import { session, settlement } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { openStore, type Store } from '../../electron/store/store.ts';
import type { TradeWithLegs } from '../../electron/store/repos/trades.ts';
import { tempDir } from '../store/fixtures.ts';
import { exitsOnExpirationDay, holdSpxw } from './test-strategies.ts';
import { isClose, settlementDebitCents, simWorkstation, venueCash, venueOrders, type SimWorkstation } from './sim-workstation.ts';

const SEED = 2; // issue 15's market: with seed 5 the 0DTE expired out of the money and no AM entry filled
/** SPXW 0DTE, entered at 10:00 on a Monday, settled at that day's close. */
const PM = { day: '2026-03-02', config: { targetDtes: [0], dteTolerance: 0, deltaTargets: [0.3, 0.45], maxDeltaGap: 0.1 } };
/** SPX AM monthly of Friday 2026-03-20 (third Friday), entered Monday at 4 DTE. */
const AM = { from: '2026-03-16', expiration: '2026-03-20', config: { targetDtes: [4], dteTolerance: 0, deltaTargets: [0.3, 0.45], maxDeltaGap: 0.1 } };

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** The settlement value from a twin simulator's minute bars: the day's last close (PM) or first open (AM). */
function twinSettlement(root: 'SPX' | 'SPXW', expiration: string, start: string): number {
  const twin = createSimulator({ seed: SEED, start });
  const s = session(expiration)!;
  twin.advanceTo(s.close + 60_000);
  const bars = twin.bars('SPX', s.open, s.close);
  expect(bars.length).toBeGreaterThan(300);
  return root === 'SPX' ? bars[0]!.open : bars.at(-1)!.close;
}

/** Entry credit and commissions from the store's fill rows (SELL +, BUY −; × 100 shares). */
function fromFillRows(store: Store, trade: TradeWithLegs): { creditCents: number; commissionCents: number; closeFills: number } {
  let credit = 0;
  let commission = 0;
  let closeFills = 0;
  for (const o of store.orders.forTrade(trade.tradeId)) {
    for (const f of store.fills.forOrder(o.orderId)) {
      commission += f.commissionCents;
      if (f.effect === 'CLOSE') closeFills++;
      else credit += (f.side === 'SELL' ? 1 : -1) * f.priceCents * f.quantity * 100;
    }
  }
  return { creditCents: credit, commissionCents: commission, closeFills };
}

/** What every settled trade must show: EXPIRED, the value recorded, legs closed at intrinsic, P&L to the cent. */
function expectSettled(trade: TradeWithLegs, value: number, root: 'SPX' | 'SPXW', entry: { creditCents: number; commissionCents: number }): number {
  const expiration = trade.legs[0]!.expiration;
  expect(trade.legs.every((l) => l.root === root && l.expiration === expiration)).toBe(true);
  expect(trade).toMatchObject({ status: 'CLOSED', exitReason: 'EXPIRED', exitDate: expiration });
  expect(trade.closedAt).toBeGreaterThanOrEqual(settlement(root, expiration).expiryTime);
  expect(trade.notes.settlement).toEqual({ [`${root} ${expiration}`]: value });
  for (const l of trade.legs) {
    const intrinsicCents = Math.max(0, Math.round((l.right === 'C' ? value - l.strike : l.strike - value) * 100));
    expect(l.closedQty).toBe(l.openedQty);
    expect(l.exitValueCents).toBe(intrinsicCents * l.openedQty);
  }
  const pnl = entry.creditCents - settlementDebitCents(trade, value) - entry.commissionCents;
  expect(trade.realizedPnlCents).toBe(pnl);
  return pnl;
}

function strategyEntry(strategy: typeof holdSpxw, config: unknown): StrategyEntry {
  return { strategy, config: strategy.configSchema.parse(config) as EngineConfig, enabled: true };
}

describe('settlement at expiration — live engine on the paper exchange', () => {
  async function run(o: { start: string; strategies: StrategyEntry[]; until: number }): Promise<SimWorkstation> {
    const s = await simWorkstation({ start: o.start, seed: SEED, strategies: o.strategies });
    open.push(s);
    await s.ws.start();
    const startingCash = s.exchange.cash();
    expect(startingCash).toBe(100_000);
    for (let t = etToEpoch(o.start, '09:35'); t <= o.until; t += 5 * 60_000) await s.advanceTo(t);
    return s;
  }

  /** The venue agrees: no position left, cash moved by exactly the realized P&L, no close order ever sent. */
  function expectVenueAgrees(s: SimWorkstation, trade: TradeWithLegs): void {
    expect(s.exchange.positionList()).toEqual([]);
    expect(Math.round(s.exchange.cash() * 100) - 100_000 * 100).toBe(trade.realizedPnlCents);
    expect(venueOrders(s, trade.tradeId).filter(isClose)).toEqual([]);
  }

  it('SPXW (PM): a vertical held to expiration settles at the SPX close, EXPIRED, P&L to the cent; the venue agrees', async () => {
    const s = await run({ start: PM.day, strategies: [strategyEntry(holdSpxw, PM.config)], until: etToEpoch(PM.day, '16:30') });
    const trades = s.ws.store.trades.listByEntryDate(PM.day, PM.day).filter((t) => t.status !== 'CANCELLED');
    expect(trades).toHaveLength(1);
    const trade = trades[0]!;
    const value = twinSettlement('SPXW', PM.day, PM.day);
    const venue = venueCash(s, trade.tradeId);
    const rows = fromFillRows(s.ws.store, trade);
    // The store's entry fills are the venue's fills.
    expect(rows).toMatchObject({ creditCents: venue.premiumCents, commissionCents: venue.commissionCents, closeFills: 0 });
    expectSettled(trade, value, 'SPXW', rows);
    expect(trade.closedAt).toBe(session(PM.day)!.close);
    // This seed settles between the strikes: the short put pays intrinsic, the long one expires worthless.
    expect(trade.legs.map((l) => l.exitValueCents > 0)).toEqual([true, false]);
    expectVenueAgrees(s, trade);
    expect(s.ws.logs.list(1000, 'error')).toEqual([]);
  }, 60_000);

  it('SPX monthly (AM): not traded after Thursday’s close, settled at Friday’s opening value, EXPIRED, P&L to the cent; the venue agrees', async () => {
    const s = await run({ start: AM.from, strategies: [strategyEntry(exitsOnExpirationDay, AM.config)], until: etToEpoch(AM.expiration, '09:45') });
    const trades = s.ws.store.trades.listByEntryDate(AM.from, AM.from).filter((t) => t.status !== 'CANCELLED');
    expect(trades).toHaveLength(1);
    const trade = trades[0]!;
    expect(trade.legs[0]!.expiration).toBe(AM.expiration);
    // Friday morning: the series stopped trading at Thursday's 16:15 options close. Close all must not
    // send an order for it (the venue would refuse it) — it says the position awaits its settlement.
    const closeAll = await s.ws.closeAll();
    expect(closeAll.closingPositions).toBe(0);
    expect(s.ws.logs.list(200).map((l) => l.message).join('\n')).toMatch(new RegExp(`Trade ${trade.tradeId}: SPX ${AM.expiration} stopped trading .* cannot be closed; it waits for its AM settlement`));
    for (let t = etToEpoch(AM.expiration, '09:50'); t <= etToEpoch(AM.expiration, '16:30'); t += 5 * 60_000) await s.advanceTo(t);

    const settled = s.ws.store.trades.get(trade.tradeId)!;
    const value = twinSettlement('SPX', AM.expiration, AM.from);
    const rows = fromFillRows(s.ws.store, settled);
    const venue = venueCash(s, trade.tradeId);
    expect(rows).toMatchObject({ creditCents: venue.premiumCents, commissionCents: venue.commissionCents, closeFills: 0 });
    expectSettled(settled, value, 'SPX', rows);
    // This seed settles below both strikes: both legs settle in the money (the full width is paid).
    expect(settled.legs.map((l) => l.exitValueCents > 0)).toEqual([true, true]);
    expectVenueAgrees(s, settled);
    // Nothing was sent for the trade after its last trading time, and the engine never failed a task.
    const lastTrade = settlement('SPX', AM.expiration).lastTradeTime;
    expect(venueOrders(s, trade.tradeId).every((o) => o.createdAt < lastTrade)).toBe(true);
    expect(s.ws.logs.list(1000, 'error')).toEqual([]);
    // No EXIT was decided for it either: on expiration day its exit rule is not asked.
    expect(s.ws.store.decisions.listByDate(AM.from, AM.expiration).filter((d) => d.kind === 'EXIT')).toEqual([]);
  }, 90_000);
});

describe('settlement at expiration — backtest (runBacktest, fill model)', () => {
  async function backtest(strategy: typeof holdSpxw, config: unknown, from: string, to: string): Promise<Store> {
    const dataDir = tempDir('td-settle-bt-');
    await runBacktest({ strategy, config: { ...(config as object), risk: { maxOpenTrades: 1, maxNewTradesPerDay: 1 } }, source: { kind: 'sim', seed: SEED }, from, to, dataDir });
    const store = openStore({ dataDir, check: 'none' });
    open.push(store);
    return store;
  }

  it('SPXW (PM): every 0DTE vertical of a week settles at its day’s SPX close, EXPIRED, P&L to the cent', async () => {
    const store = await backtest(holdSpxw, PM.config, PM.day, '2026-03-06');
    const trades = store.trades.listByEntryDate(PM.day, '2026-03-06').filter((t) => t.status !== 'CANCELLED');
    expect(trades).toHaveLength(5);
    let itm = 0;
    for (const trade of trades) {
      const expiration = trade.legs[0]!.expiration;
      expect(expiration).toBe(trade.entryDate);
      const value = twinSettlement('SPXW', expiration, PM.day);
      if (settlementDebitCents(trade, value) > 0) itm++;
      expectSettled(trade, value, 'SPXW', fromFillRows(store, trade));
      expect(trade.closedAt).toBe(session(expiration)!.close);
    }
    expect(itm).toBeGreaterThan(0); // at least one settled in the money: the intrinsic path ran
  }, 60_000);

  it('SPX monthly (AM): settled at Friday’s opening value, never traded on Friday, EXPIRED, P&L to the cent', async () => {
    const store = await backtest(exitsOnExpirationDay, AM.config, AM.from, AM.expiration);
    const trades = store.trades.listByEntryDate(AM.from, AM.expiration).filter((t) => t.status !== 'CANCELLED');
    expect(trades).toHaveLength(1);
    const trade = trades[0]!;
    expect(trade.legs[0]!.expiration).toBe(AM.expiration);
    const value = twinSettlement('SPX', AM.expiration, AM.from);
    const rows = fromFillRows(store, trade);
    expect(rows.closeFills).toBe(0);
    expectSettled(trade, value, 'SPX', rows);
    expect(etDate(trade.closedAt!)).toBe(AM.expiration);
    expect(store.decisions.listByDate(AM.from, AM.expiration).filter((d) => d.kind === 'EXIT')).toEqual([]);
  }, 60_000);
});
