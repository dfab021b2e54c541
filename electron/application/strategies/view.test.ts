import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api.ts';
import { openTemp, seedArbTrade, tempDir } from '../../../tests/store/fixtures.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import type { Store } from '../../store/store.ts';
import { brokerFromEnv } from '../broker/setup.ts';
import { VirtualClock } from '../../engine/clock.ts';
import { LogHub } from '../logs/hub.ts';
import { openWorkstation, type Workstation } from '../workstation.ts';
import { allowedRange, listStrategies, setStrategyConfig, type StrategiesContext } from './view.ts';

const T0 = Date.UTC(2026, 0, 20, 15);
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function storeContext(store: Store = openTemp()): StrategiesContext {
  open.push(store);
  return { store, engine: null, now: T0, wall: T0, log: new LogHub(() => T0).logger('test') };
}

/** A closed credit-verticals trade: 1 × (sell 5800P, buy 5775P) at the given per-share prices (cents), with commissions per fill. */
function seedVertical(store: Store, o: { open: [number, number]; close: [number, number] | null; commission: number; at: number }): number {
  const trade = store.trades.create({
    strategyId: 'credit-verticals',
    broker: 'sim',
    structure: 'put_credit_vertical',
    quantity: 1,
    at: o.at,
    legs: [
      { root: 'SPXW', expiration: '2026-01-23', strike: 5800, right: 'P', side: 'SELL', quantity: 1 },
      { root: 'SPXW', expiration: '2026-01-23', strike: 5775, right: 'P', side: 'BUY', quantity: 1 },
    ],
  });
  const [short, long] = trade.legs as [(typeof trade.legs)[0], (typeof trade.legs)[0]];
  const legs = [
    { symbol: short.symbol, side: 'SELL' as const, ratio: 1 },
    { symbol: long.symbol, side: 'BUY' as const, ratio: 1 },
  ];
  const entry = store.orders.create({ clientOrderId: `cv-${trade.tradeId}-open`, broker: 'sim', strategyId: 'credit-verticals', tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: o.open[0] - o.open[1], quantity: 1, at: o.at, legs });
  store.orders.update(entry.orderId, { at: o.at + 10, status: 'SUBMITTED', brokerOrderId: `b-${trade.tradeId}-1` });
  store.fills.record({ orderId: entry.orderId, execId: `e${trade.tradeId}-1`, filledAt: o.at + 20, symbol: short.symbol, side: 'SELL', quantity: 1, priceCents: o.open[0], commissionCents: o.commission });
  store.fills.record({ orderId: entry.orderId, execId: `e${trade.tradeId}-2`, filledAt: o.at + 20, symbol: long.symbol, side: 'BUY', quantity: 1, priceCents: o.open[1], commissionCents: o.commission, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  if (o.close) {
    const exitAt = o.at + 3_600_000;
    store.trades.markClosing(trade.tradeId, 'TAKE_PROFIT_50', exitAt);
    const exit = store.orders.create({ clientOrderId: `cv-${trade.tradeId}-close`, broker: 'sim', strategyId: 'credit-verticals', tradeId: trade.tradeId, purpose: 'CLOSE', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: o.close[0] - o.close[1], quantity: 1, at: exitAt, legs: legs.map((l) => ({ ...l, side: l.side === 'SELL' ? ('BUY' as const) : ('SELL' as const) })) });
    store.orders.update(exit.orderId, { at: exitAt + 10, status: 'SUBMITTED', brokerOrderId: `b-${trade.tradeId}-2` });
    store.fills.record({ orderId: exit.orderId, execId: `e${trade.tradeId}-3`, filledAt: exitAt + 20, symbol: short.symbol, side: 'BUY', quantity: 1, priceCents: o.close[0], commissionCents: o.commission });
    store.fills.record({ orderId: exit.orderId, execId: `e${trade.tradeId}-4`, filledAt: exitAt + 20, symbol: long.symbol, side: 'SELL', quantity: 1, priceCents: o.close[1], commissionCents: o.commission, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  }
  return trade.tradeId;
}

describe('strategies.list without a broker', () => {
  it("lists seed 000's system with the seed's defaults, its JSON Schema with ranges and texts, and no version yet (then seed 002's)", () => {
    const ctx = storeContext();
    const [cv, ...rest] = listStrategies(ctx);
    // Optimus, and seeds 003/004's system beside it, off until switched on.
    expect(rest.map((s) => [s.id, s.seed])).toEqual([['optimus', '002'], ['spy-spx-0dte', '004']]);
    expect(rest.find((s) => s.id === 'spy-spx-0dte')!.enabled).toBe(false);
    expect(cv).toMatchObject({ id: 'credit-verticals', seed: '000', enabled: true, configVersion: null });
    expect(cv!.config).toEqual(cv!.defaults);
    expect(cv!.defaults).toMatchObject({ contracts: 1, takeProfitPct: 0.5, stopLossPct: 1, width: 25, targetDtes: [3, 5, 7], deltaTargets: [0.1, 0.2] });
    const props = (cv!.schema as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(props.takeProfitPct).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, title: 'Take profit', unit: 'fraction of max profit' });
    expect(props.takeProfitPct!.description).toMatch(/max profit/);
    expect(props.width).toMatchObject({ minimum: 5, maximum: 200, multipleOf: 5 });
    expect((props.sessionExit!.properties as Record<string, unknown>).minutesBeforeClose).toMatchObject({ type: 'integer', minimum: 1, maximum: 390, default: 15 });
    expect(cv!.stats).toEqual({ closedTrades: 0, wins: 0, winRate: null, realizedPnl: 0, openPositions: 0, unrealizedPnl: 0 });
  });

  it('says what the system declares about itself in the registry, and shows the figures it chose, in its order', () => {
    const [cv] = listStrategies(storeContext());
    expect(cv!.about).toMatchObject({ seed: '000', cadence: 'intraday', roots: ['SPXW'], underlyings: ['SPX'], backtest: { slippageFraction: 0.3 } });
    expect(cv!.about.backtest.sources).toEqual([
      { kind: 'sim', label: 'Simulator, 5-minute chains' },
      { kind: 'chains', file: 'spxw_options_eod_2018-01_2018-02.csv', label: 'SPXW end-of-day chains, Jan–Feb 2018' },
    ]);
    expect(cv!.about.exitReasons.find((r) => r.stop)).toEqual({ code: 'STOP_LOSS', label: 'Stop loss', stop: true });
    expect(cv!.about.decisionFields.map((f) => f.key)).toEqual(['targetDte', 'deltaTarget']);
    expect(cv!.figures.map((f) => [f.key, f.label, f.value])).toEqual([
      ['closedTrades', 'Closed trades', 0], ['wins', 'Won', 0], ['winRate', 'Win rate', null], ['realizedPnl', 'Realized P&L', 0], ['openPositions', 'Open positions', 0], ['unrealizedPnl', 'Unrealized P&L', 0],
    ]);
  });

  it('counts only its own closed trades, to the cent', () => {
    const ctx = storeContext();
    // Win: credit 3.10 − 1.60 = 1.50 ($150), debit 0.90 − 0.25 = 0.65 ($65), 4 fills × $1.30 → $79.80.
    seedVertical(ctx.store, { open: [310, 160], close: [90, 25], commission: 130, at: T0 });
    // Loss: credit $150, debit 3.45 − 0.25 = 3.20 ($320), no commissions → −$170.00.
    seedVertical(ctx.store, { open: [310, 160], close: [345, 25], commission: 0, at: T0 + 86_400_000 });
    // Still open: counted as an open position, not as a closed trade.
    seedVertical(ctx.store, { open: [300, 150], close: null, commission: 0, at: T0 + 2 * 86_400_000 });
    // Another system's trade (+$222.20) is not this system's.
    seedArbTrade(ctx.store);
    const cv = listStrategies(ctx)[0]!;
    expect(cv.stats).toEqual({ closedTrades: 2, wins: 1, winRate: 0.5, realizedPnl: -90.2, openPositions: 1, unrealizedPnl: 0 });
  });
});

describe('strategies.setConfig', () => {
  it('rejects an out-of-range value naming the field, its range and the default, and saves nothing', () => {
    const ctx = storeContext();
    let error: unknown;
    try {
      setStrategyConfig(ctx, 'credit-verticals', { takeProfitPct: 5, width: 27, sessionExit: { minutesBeforeClose: 0 }, bogus: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('VALIDATION');
    const message = (error as ApiError).message;
    expect(message).toContain("takeProfitPct: must be at most 1 (allowed: more than 0 up to 1, the seed's default is 0.5)");
    expect(message).toContain('width: must be a multiple of 5 (allowed: 5 to 200 in steps of 5, the seed\'s default is 25)');
    expect(message).toContain('sessionExit.minutesBeforeClose: must be at least 1 (allowed: whole numbers 1 to 390, the seed\'s default is 15)');
    expect(message).toContain('bogus: is not a setting of this system');
    expect(ctx.store.settings.get('strategy.credit-verticals.config')).toBeNull();
    expect(ctx.store.configs.latest('credit-verticals')).toBeNull();
  });

  it('words the range and default of a field kept in cents or milliseconds in dollars and seconds, as the page shows them', () => {
    const ctx = storeContext();
    let message = '';
    try {
      setStrategyConfig(ctx, 'credit-verticals', { risk: { maxLossPerTradeCents: 0 }, quoteQuality: { staleAfterMs: -1000 } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("risk.maxLossPerTradeCents: must be more than $0.00 (allowed: more than $0.00, the seed's default is none)");
    expect(message).toContain("quoteQuality.staleAfterMs: must be more than 0 seconds (allowed: more than 0 seconds, the seed's default is 300 seconds)");
    expect(message).not.toMatch(/300000|\bnull\b/);
  });

  it('names an empty or odd unknown key quoted, one clause each (a ";" in a key never splits a clause)', () => {
    const ctx = storeContext();
    expect(() => setStrategyConfig(ctx, 'credit-verticals', { '': 1, 'a; b': 2, risk: { ' ': true } })).toThrow(
      '— risk." ": is not a setting of this system; "": is not a setting of this system; "a\\u003b b": is not a setting of this system.',
    );
  });

  it('explains a wrong type and a repeated list value', () => {
    const ctx = storeContext();
    expect(() => setStrategyConfig(ctx, 'credit-verticals', { contracts: 1.5 })).toThrow(/contracts: must be a whole number|contracts: contracts must be a whole number/);
    expect(() => setStrategyConfig(ctx, 'credit-verticals', { targetDtes: [3, 3] })).toThrow(/targetDtes: target DTEs must not repeat/);
    expect(() => setStrategyConfig(ctx, 'credit-verticals', { side: 'straddle' })).toThrow(/side: .*"put", "call"|side: side must be 'put' or 'call'/);
  });

  it('saves a good value in settings and as a new version, and lists it as in force', () => {
    const ctx = storeContext();
    const d = setStrategyConfig(ctx, 'credit-verticals', { takeProfitPct: 0.65 });
    expect(d.config).toMatchObject({ takeProfitPct: 0.65, stopLossPct: 1, contracts: 1 });
    expect(d.configVersion).toBe(1);
    expect(ctx.store.settings.get<{ takeProfitPct: number }>('strategy.credit-verticals.config')?.takeProfitPct).toBe(0.65);
    expect(ctx.store.configs.latest('credit-verticals')).toMatchObject({ version: 1, note: 'saved from the Strategies page' });
    const d2 = setStrategyConfig(ctx, 'credit-verticals', { ...d.config, contracts: 2 });
    expect(d2.configVersion).toBe(2);
    expect(listStrategies(ctx)[0]).toMatchObject({ configVersion: 2, config: { contracts: 2, takeProfitPct: 0.65 } });
  });

  it('refuses an unknown strategy with the known ones', () => {
    const ctx = storeContext();
    expect(() => setStrategyConfig(ctx, 'nope', {})).toThrow(/Unknown strategy "nope". Known strategies: credit-verticals/);
    try {
      setStrategyConfig(ctx, 'nope', {});
    } catch (e) {
      expect((e as ApiError).code).toBe('NOT_FOUND');
    }
  });
});

describe('allowedRange', () => {
  it('words inclusive, exclusive, stepped and integer ranges and ignores the safe-integer cap', () => {
    expect(allowedRange({ type: 'number', exclusiveMinimum: 0, maximum: 1 })).toBe('more than 0 up to 1');
    expect(allowedRange({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.5 })).toBe('more than 0 and less than 0.5');
    expect(allowedRange({ type: 'integer', minimum: 0, maximum: 14 })).toBe('whole numbers 0 to 14');
    expect(allowedRange({ type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER })).toBe('whole numbers more than 0');
    expect(allowedRange({ type: 'array', items: { type: 'integer', minimum: 0, maximum: 14 } })).toBe('whole numbers 0 to 14');
    expect(allowedRange({ type: 'boolean' })).toBeNull();
    expect(allowedRange({ type: 'integer', unit: 'cents', exclusiveMinimum: 0, maximum: 1_000_000 })).toBe('more than $0.00 up to $10,000.00');
    expect(allowedRange({ type: 'integer', unit: 'ms', minimum: 500, maximum: 600_000 })).toBe('0.5 seconds to 600 seconds');
  });
});

describe('with the engine on the simulated market', () => {
  let ws: Workstation;
  afterEach(async () => {
    await ws?.close();
  });

  it('applies a saved config to the next decision, which records its version; the switch is the engine’s', async () => {
    const start = '2026-01-20';
    const clock = new VirtualClock(T0);
    ws = openWorkstation({ clock, dataDir: tempDir('td-strategies-'), broker: brokerFromEnv('sim', { THETADESK_SIM_START: start, THETADESK_SIM_SPEED: '1' }, clock) });
    await ws.advanceSimulation(etToEpoch(start, '09:31'));
    await expect.poll(() => ws.status().engineState, { timeout: 10_000 }).toBe('stopped');
    const before = (await ws.handlers['strategies.list']({}))[0]!;
    expect(before.configVersion).toBe(1);

    const saved = await ws.handlers['strategies.setConfig']({ strategyId: 'credit-verticals', config: { ...before.config, minCredit: 0.45 } });
    expect(saved).toMatchObject({ configVersion: 2, config: { minCredit: 0.45 } });
    await ws.advanceSimulation(etToEpoch(start, '10:01'));
    const decisions = ws.store.decisions.listByDate(start, start, 'credit-verticals');
    expect(decisions.length).toBeGreaterThan(0);
    const v2 = ws.store.configs.latest('credit-verticals')!;
    expect(v2.version).toBe(2);
    expect(new Set(decisions.map((d) => d.configId))).toEqual(new Set([v2.configId]));

    await ws.handlers['engine.stop']({ strategyId: 'credit-verticals' });
    expect((await ws.handlers['strategies.list']({}))[0]!.enabled).toBe(false);
    await ws.handlers['engine.start']({ strategyId: 'credit-verticals' });
    expect((await ws.handlers['strategies.list']({}))[0]!.enabled).toBe(true);
  }, 60_000);
});

describe('the Optimus card says when the account is too small for one spread', () => {
  it('with the default $100,000 capital Optimus can never enter: its card says so and what would; at $500,000 it says nothing', () => {
    const ctx = storeContext();
    const card = () => listStrategies(ctx).find((s) => s.id === 'optimus')!;
    expect(card().warnings).toEqual([expect.stringMatching(/^At \$100,000 equity, 2 % risk per trade .* cannot fit one 50-wide spread \(max loss ≈ \$4,700\): Optimus will not enter\. Raise Account capital \(Settings → Account risk\) to at least \$157,000/)]);
    expect(listStrategies(ctx).find((s) => s.id === 'credit-verticals')!.warnings).toEqual([]);
    ctx.store.settings.set('account.risk', { capitalCents: 50_000_000 }, T0);
    expect(card().warnings).toEqual([]);
  });
});
