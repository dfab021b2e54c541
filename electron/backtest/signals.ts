/**
 * `thetadesk optimus signals`: every day on which all of seed 002's signal gates (§4.2 gates 1–8:
 * regime, IV rank, term structure, trend, oversold, mean reversion, momentum, and MACD when it is on)
 * passed at that day's close, with each gate's value — the market's signals alone, so capacity and
 * spacing (gates 9 and 10, the portfolio's) are left out and the list depends on the market only.
 *
 * The days are the SPX file's; each is judged on the market view a decision after that close sees —
 * built by the engine's own `MarketViews` over the same daily files (no lookahead: that day's bar
 * and the ones before), with the strategy's history need — and the strategy's own diagnosis and gates.
 */
import type { DailySeries } from './sources/chains.ts';
import { ModelMarketData } from './sources/model.ts';
import type { Logger } from '../engine/ports.ts';
import { MarketViews } from '../engine/market-view.ts';
import { session } from '../../shared/market/calendar.ts';
import { OptimusConfigSchema, type OptimusConfig } from '../strategies/optimus/config.ts';
import { diagnose } from '../strategies/optimus/diagnosis.ts';
import { firstFailure, gateValues, signalGates } from '../strategies/optimus/signal.ts';
import { optimus } from '../strategies/optimus/strategy.ts';

export type SignalDay = { date: string; gates: ReturnType<typeof gateValues>; regime: string | null };
export type SignalsDocument = { from: string; to: string; signals: SignalDay[] };

/** The signal days of [from, to] on `daily` (the strategy's config, partial; the seed's defaults fill the rest). */
export async function optimusSignals(o: { daily: DailySeries; from: string; to: string; config?: unknown; log?: Logger }): Promise<SignalsDocument> {
  const config: OptimusConfig = OptimusConfigSchema.parse(o.config ?? {});
  let now = 0;
  const market = new ModelMarketData(o.daily, { now: () => now });
  const log: Logger = o.log ?? { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const views = new MarketViews(market, log);
  const signals: SignalDay[] = [];
  for (const date of market.days(o.from, o.to)) {
    const s = session(date);
    if (!s) continue;
    // The decision time of the strategy's close schedule (16:15 ET, 13:15 on an early close).
    now = s.close + (optimus.entrySchedule.kind === 'close' ? optimus.entrySchedule.offsetMinutes : 15) * 60_000;
    const view = await views.view(now, { underlyings: ['SPX'], history: optimus.history }, await market.levels());
    const d = diagnose(view, config);
    if (!d.warmup.ready || d.date !== date) continue;
    const gates = signalGates(d, config);
    if (firstFailure(gates) !== null) continue;
    signals.push({ date, gates: gateValues(gates), regime: d.regime });
  }
  return { from: o.from, to: o.to, signals };
}
