/**
 * The Optimus page (seed 002): what the system sees now and what it holds, from the running engine.
 *
 * - Diagnosis: the market view Optimus would decide on now (through the engine: its daily history,
 *   no lookahead — during the session the last close is yesterday's), its §3 layers and the ten §4.2
 *   gates with their values and thresholds (the strategy's own functions, so the page and the decision
 *   cannot disagree).
 * - Chart: SPX closes with the Bollinger bands and the trend EMA of the config, and the regime of each
 *   close (the diagnosis of the view cut at that day) for the last sessions.
 * - Positions: its trades not closed yet — entries queued for the window, orders being worked, open
 *   spreads with their DTE and value at the marks, exits queued —; heat against its limit, aggregate
 *   delta in the seed's sign, theta a day, the circuit breaker (strategies/optimus/log.ts `book`).
 * - The §9 blocks of its latest daily decision (entry evaluation, daily summary, dashboard, trade).
 */
import { bollinger, ema } from '../../../shared/indicators/index.ts';
import type { ContextSymbol, DailyBar, MarketView } from '../../strategies/types.ts';
import type { OptimusView } from '../../../shared/api.ts';
import { addDays, dayNumber } from '../../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../../shared/time/et.ts';
import { closeQueueOf, entryQueueOf } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { OptimusConfig } from '../../strategies/optimus/config.ts';
import { diagnose, layersOf } from '../../strategies/optimus/diagnosis.ts';
import { book, breakerStatus } from '../../strategies/optimus/log.ts';
import { spreadValueCents } from '../../strategies/optimus/manage.ts';
import { entryGates, firstFailure, gateValueText } from '../../strategies/optimus/signal.ts';
import { capacityWarning } from '../../strategies/optimus/sizing.ts';
import { STRATEGY_ID } from '../../strategies/optimus/strategy.ts';

/** Sessions of the chart (and of the regime band under it). */
export const CHART_SESSIONS = 250;

const EMPTY_DAILY: OptimusView['daily'] = { date: null, kind: null, gate: null, reason: null, log: [], summary: [], dashboard: [], trade: [] };

function unavailable(at: number, reason: string, enabled = false): OptimusView {
  return {
    available: false, reason, at, asOf: null, enabled, warmup: { ready: false, remaining: 0 }, regime: null, regimeReason: '', allocation: 0, vix: null, ivRank: null, termRatio: null,
    layers: [], gates: [], firstFailure: null, chart: [], positions: [], heat: { pct: null, limit: 0 }, aggregateDelta: { value: null, limit: 0 }, thetaPerDay: null, equity: 0, capacity: null,
    circuitBreaker: { on: false, pausedThrough: null, streak: 0, text: '' }, daily: EMPTY_DAILY,
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const r2 = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);

/** The view as a decision after the close of `date` saw it (every series cut there), for the regime band. */
function cutAt(view: MarketView, date: string): MarketView {
  const through = (bars: readonly DailyBar[]): DailyBar[] => {
    let n = bars.length;
    while (n > 0 && bars[n - 1]!.date > date) n--;
    return bars.slice(0, n);
  };
  const series: Partial<Record<ContextSymbol, DailyBar[]>> = {};
  for (const [k, bars] of Object.entries(view.series) as [ContextSymbol, readonly DailyBar[]][]) series[k] = through(bars);
  const spx = view.underlyings.SPX!;
  return { at: etToEpoch(date, '16:15'), underlyings: { SPX: { ...spx, daily: through(spx.daily) } }, series };
}

export async function optimusView(store: Store, engine: TradingEngine | null, now: number): Promise<OptimusView> {
  if (!engine) return unavailable(now, 'The engine is not running: connect a broker (the simulator by default) to see what Optimus sees.');
  const info = engine.strategyInfo().find((s) => s.id === STRATEGY_ID);
  if (!info) return unavailable(now, 'The engine does not run Optimus.');
  const c = info.config as unknown as OptimusConfig;
  const market = await engine.marketViewOf(STRATEGY_ID, now);
  const d = diagnose(market, c);
  const portfolio = engine.portfolio(STRATEGY_ID, now);
  const account = engine.account(now);
  const spot = market.underlyings.SPX?.last ?? d.spx?.close ?? null;
  const b = book(portfolio.positions, account.equityCents, spot, now);
  const today = d.date ?? etDate(now);
  const gates = d.warmup.ready ? entryGates(d, portfolio, today, c) : [];
  // The gates after the first failure are judged for the page, but not reached by the decision (§9.1).
  const failing = firstFailure(gates);
  const first = failing === null ? -1 : gates.indexOf(failing);

  // SPX with its bands and EMA, and each close's regime, over the last sessions.
  const bars = market.underlyings.SPX?.daily ?? [];
  const closes = Float64Array.from(bars, (x) => x.close);
  const bands = bars.length >= c.bbPeriod ? bollinger(closes, c.bbPeriod, c.bbStdDev) : null;
  const trend = bars.length >= c.trendEmaPeriod ? ema(closes, c.trendEmaPeriod) : null;
  const at = (s: { values: Float64Array; firstValid: number } | null, i: number) => (s && i >= s.firstValid ? r2(s.values[i]!) : null);
  const chart: OptimusView['chart'] = [];
  for (let i = Math.max(0, bars.length - CHART_SESSIONS); i < bars.length; i++) {
    const bar = bars[i]!;
    chart.push({
      date: bar.date, time: etToEpoch(bar.date, '16:00'), close: bar.close, lower: at(bands?.lower ?? null, i), middle: at(bands?.middle ?? null, i), upper: at(bands?.upper ?? null, i), ema: at(trend, i),
      regime: i === bars.length - 1 ? d.regime : diagnose(cutAt(market, bar.date), c).regime,
    });
  }

  // Its trades not closed yet.
  const marks = new Map(portfolio.positions.map((p) => [p.tradeId, p]));
  const positions: OptimusView['positions'] = [];
  for (const t of store.trades.listOpen(STRATEGY_ID)) {
    const short = t.legs.find((l) => l.side === 'SELL');
    const long = t.legs.find((l) => l.side === 'BUY');
    if (!short || !long) continue;
    const view = marks.get(t.tradeId);
    const value = view ? spreadValueCents(view) : null;
    const credit = t.entryCreditCents ?? (typeof t.notes.midCents === 'number' ? t.notes.midCents : null);
    const state: OptimusView['positions'][number]['state'] =
      t.status === 'PENDING' ? (entryQueueOf(t.notes) ? 'queued-entry' : 'working') : t.status === 'CLOSING' ? (closeQueueOf(t.notes) ? 'queued-close' : 'closing') : 'open';
    positions.push({
      tradeId: t.tradeId, state, shortStrike: short.strike, longStrike: long.strike, expiration: short.expiration,
      dte: dayNumber(short.expiration) - dayNumber(etDate(now)), contracts: t.quantity,
      credit: credit === null ? null : credit / 100, value: value === null ? null : value / 100,
      pnl: credit !== null && value !== null && t.status !== 'PENDING' ? ((credit - value) * 100 * t.quantity) / 100 : null,
      maxLoss: t.maxLossCents === null ? null : t.maxLossCents / 100,
      timeStopDate: addDays(short.expiration, -c.timeStopDte), exitReason: t.exitReason,
    });
  }

  // The latest daily decision's §9 blocks.
  const latest = store.decisions.listByDate(addDays(etDate(now), -10), etDate(now), STRATEGY_ID).filter((x) => x.kind !== 'EXIT').at(-1) ?? null;
  const daily: OptimusView['daily'] = latest === null ? EMPTY_DAILY : {
    date: etDate(latest.decidedAt), kind: latest.kind, gate: latest.gate, reason: latest.reason,
    log: strings(latest.details.log), summary: strings(latest.details.summary), dashboard: strings(latest.details.dashboard), trade: strings(latest.details.trade),
  };

  const circuit = portfolio.circuit ?? null;
  const on = circuit !== null && circuit.pausedThrough !== null && etDate(now) <= circuit.pausedThrough;
  return {
    available: true, reason: null, at: now, asOf: d.date, enabled: info.enabled,
    warmup: { ready: d.warmup.ready, remaining: d.warmup.remaining },
    regime: d.regime, regimeReason: d.regimeReason, allocation: d.allocation, vix: d.vix, ivRank: d.ivRank, termRatio: d.termRatio,
    layers: layersOf(d, c).map((l) => ({ ...l, checks: l.checks.map((x) => ({ ...x, valueText: gateValueText(x) })) })),
    gates: gates.map((g) => ({ n: g.n, id: g.id, label: g.label, verdict: g.verdict, value: g.value, valueText: gateValueText(g), reached: first === -1 || g.n <= gates[first]!.n, threshold: g.threshold, lines: g.lines })),
    firstFailure: d.warmup.ready ? failing?.id ?? null : 'warmup',
    chart, positions,
    heat: { pct: b.heatPct === null ? null : Math.round(b.heatPct * 10_000) / 10_000, limit: c.risk.maxHeatPct ?? 0 },
    aggregateDelta: { value: b.delta, limit: -(c.risk.maxDeltaPctOfEquity ?? 0) },
    thetaPerDay: b.thetaPerDayCents === null ? null : b.thetaPerDayCents / 100,
    equity: account.equityCents / 100,
    capacity: capacityWarning(account.equityCents, c),
    circuitBreaker: { on, pausedThrough: circuit?.pausedThrough ?? null, streak: circuit?.streak ?? 0, text: breakerStatus(portfolio, etDate(now), c.risk.circuitBreakerStops ?? 3) },
    daily,
  };
}
