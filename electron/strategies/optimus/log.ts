/**
 * Seed 002 §9 "Reporting & Diagnostics" (`diagnostics.py`, `trade_tracker.py`): the log blocks in the
 * seed's formats, kept in the decisions' details (and shown on the Optimus page):
 * - [ENTRY EVAL] (§9.1) — signal.ts `entryEvalLog`;
 * - [TRADE OPENED] (§9.2) — an entry's parameters at the decision's prices (the fills are the trade's);
 * - [TRADE CLOSED] (§9.3) — an exit at the decision's marks;
 * - [DAILY SUMMARY] (§9.4) — on days no trade is eligible;
 * - [DAILY DASHBOARD] (§9.5) — every evaluated day;
 * - WARMUP (§11.10).
 *
 * The book's figures (`book`): open positions, aggregate P/L at the marks, aggregate delta as the seed
 * writes it — the puts' deltas as sold, so a short-put book reads negative: −(net dollar delta of every
 * leg, Σ ±contracts × multiplier × delta × SPX) / equity —, aggregate theta in dollars a day (a seller
 * earns it: positive), heat (Σ max loss / equity) and the nearest expiration.
 */
import { dayNumber } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { computeMetrics, type ClosedTrade } from '../../../shared/stats.ts';
import type { ClosedTradeView, PortfolioView, PositionView } from '../types.ts';
import type { OptimusConfig } from './config.ts';
import { grouped, points, type Diagnosis } from './diagnosis.ts';

const usd0 = (cents: number): string => `${cents < 0 ? '-' : ''}$${grouped(Math.round(Math.abs(cents) / 100))}`;
const usd2 = (cents: number): string => {
  const c = Math.round(Math.abs(cents));
  return `${cents < 0 ? '-' : ''}$${grouped(Math.floor(c / 100))}.${String(c % 100).padStart(2, '0')}`;
};
const signed0 = (cents: number): string => `${cents >= 0 ? '+' : '-'}${usd0(Math.abs(cents))}`;
const pct1 = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The book's aggregate figures (see the header). */
export type Book = {
  positions: number;
  unrealizedCents: number | null;
  delta: number | null;
  thetaPerDayCents: number | null;
  heatPct: number | null;
  maxLossCents: number;
  nearest: { expiration: string; dte: number } | null;
};

/** Calendar days from the ET date of `now` to an expiration. */
const daysTo = (now: number, expiration: string): number => dayNumber(expiration) - dayNumber(etDate(now));

export function book(positions: readonly PositionView[], equityCents: number, spot: number | null, now: number): Book {
  let unrealized = 0;
  let unrealizedKnown = true;
  let dollars = 0;
  let theta = 0;
  let greeksKnown = true;
  let maxLoss = 0;
  let nearest: Book['nearest'] = null;
  for (const p of positions) {
    maxLoss += Math.max(0, p.maxLossCents ?? 0);
    for (const l of p.legs) {
      if (l.openQuantity === 0) continue;
      const sign = l.side === 'BUY' ? 1 : -1;
      const m = l.mark;
      if (m?.mid !== null && m?.mid !== undefined) unrealized += sign * (Math.round(m.mid * 100) - l.entryPriceCents) * l.openQuantity * l.multiplier;
      else unrealizedKnown = false;
      if (m?.delta !== null && m?.delta !== undefined && spot !== null) dollars += sign * l.openQuantity * l.multiplier * m.delta * spot;
      else greeksKnown = false;
      if (m?.theta !== null && m?.theta !== undefined) theta += sign * l.openQuantity * l.multiplier * m.theta * 100;
      else greeksKnown = false;
      const d = daysTo(now, l.expiration);
      if (nearest === null || d < nearest.dte) nearest = { expiration: l.expiration, dte: d };
    }
  }
  const equity = equityCents > 0 ? equityCents / 100 : null;
  return {
    positions: positions.length,
    unrealizedCents: unrealizedKnown ? Math.round(unrealized) : null,
    delta: greeksKnown && equity !== null ? Math.round((-dollars / equity) * 100) / 100 : positions.length === 0 ? 0 : null,
    thetaPerDayCents: greeksKnown ? Math.round(theta) : positions.length === 0 ? 0 : null,
    heatPct: equityCents > 0 ? maxLoss / equityCents : null,
    maxLossCents: maxLoss,
    nearest,
  };
}

/** W / L of the last `n` closed trades, most recent last. */
function lastResults(closed: readonly ClosedTradeView[] | undefined, n: number): string {
  if (!closed || closed.length === 0) return 'no closed trades';
  return `last ${Math.min(n, closed.length)} trades: ${closed.slice(-n).map((t) => (t.pnlCents > 0 ? 'W' : 'L')).join(', ')}`;
}

/** The circuit breaker in words: OFF, or ON through the last date it halts. */
export function breakerText(portfolio: PortfolioView, today: string): string {
  const c = portfolio.circuit;
  const on = c !== null && c !== undefined && c.pausedThrough !== null && today <= c.pausedThrough;
  return on ? `ON — entries halted through ${c.pausedThrough} (tripped by trades ${c.trippedBy.join(', ')})` : `OFF (${lastResults(portfolio.closed, 3)})`;
}

/**
 * The circuit breaker for the Optimus page, in words that need no ON/OFF: "not tripped — entries
 * allowed (last 3 trades: W, W, L; it trips after 3 consecutive max losses)", or "tripped — entries
 * halted through 2024-04-10 (trades 1, 3, 2)".
 */
export function breakerStatus(portfolio: PortfolioView, today: string, stops: number): string {
  const c = portfolio.circuit;
  const on = c !== null && c !== undefined && c.pausedThrough !== null && today <= c.pausedThrough;
  return on
    ? `entries halted through ${c.pausedThrough} (tripped by trades ${c.trippedBy.join(', ')})`
    : `entries allowed (${lastResults(portfolio.closed, 3)}; it trips after ${stops} consecutive max losses)`;
}

/** "Trades Today: 1 opened (SPX 5700/5650 PCS)". */
function tradesToday(portfolio: PortfolioView, today: string): string {
  const opened = portfolio.positions.filter((p) => etDate(p.openedAt) === today);
  if (opened.length === 0) return 'none';
  const names = opened.map((p) => {
    const s = p.legs.find((l) => l.side === 'SELL');
    const l = p.legs.find((x) => x.side === 'BUY');
    return s && l ? `SPX ${s.strike}/${l.strike} PCS` : p.structure;
  });
  return `${opened.length} opened (${names.join(', ')})`;
}

/** §9.5 [DAILY DASHBOARD]. */
export function dashboardLog(o: { date: string; d: Diagnosis; b: Book; portfolio: PortfolioView; c: OptimusConfig }): string[] {
  const { date, d, b, portfolio, c } = o;
  const alert = b.nearest !== null && b.nearest.dte <= c.softWarningDte ? ' — ALERT: approaching time stop' : '';
  return [
    `[DAILY DASHBOARD] ${date}`,
    `  Regime: ${d.regime ?? 'unknown'} | VIX: ${d.vix === null ? 'n/a' : d.vix.toFixed(1)} | IV Rank: ${d.ivRank === null ? 'n/a' : `${Math.round(d.ivRank)}%`}`,
    `  Open Positions: ${b.positions} | Aggregate P/L: ${b.unrealizedCents === null ? 'n/a (a leg unmarked)' : signed0(b.unrealizedCents)}`,
    `  Aggregate Delta: ${b.delta === null ? 'n/a' : b.delta.toFixed(2)} | Aggregate Theta: ${b.thetaPerDayCents === null ? 'n/a' : `${signed0(b.thetaPerDayCents)}/day`}`,
    `  Portfolio Heat: ${b.heatPct === null ? 'n/a' : `${pct1(b.heatPct)} of equity`}`,
    `  Nearest Expiry: ${b.nearest === null ? 'none' : `${b.nearest.expiration} (${b.nearest.dte} DTE)${alert}`}`,
    `  Circuit Breaker: ${breakerText(portfolio, date)}`,
    `  Trades Today: ${tradesToday(portfolio, date)}`,
  ];
}

/** What the day waits for, by what blocked it (the first failing gate, or the step after the gates). */
function waitingFor(gate: string | undefined, d: Diagnosis, c: OptimusConfig): string {
  if (d.regime === 'Bear Trend') return 'Market in sustained downtrend. All entry signals suppressed.';
  if (d.regime === 'Crisis') return 'Crisis regime: managing existing positions only. All entry signals suppressed.';
  if (!d.warmup.ready) return 'Warm-up: indicators are being seeded.';
  switch (gate) {
    case 'iv-rank': return `Waiting for IV rank above ${c.minIvRank} % (options too cheap to sell now).`;
    case 'term-structure': return `Waiting for the VIX term structure to ease below ${c.vixTermStructureThreshold} (VIX/VIX3M).`;
    case 'trend': return `Waiting for SPX back above its ${c.trendEmaPeriod}-day EMA (and the §3.2 filters that are on).`;
    case 'mean-reversion':
    case 'momentum':
    case 'macd': return 'Oversold touch seen: waiting for a confirmed bounce.';
    case 'capacity': return 'At capacity: waiting for an open position to close.';
    case 'spacing': return `Waiting out the ${c.minDaysBetweenEntries} business days between entries.`;
    case 'size': return 'Signal, but the account cannot fit one spread at the configured risk: raise the account capital or lower the spread width.';
    case undefined:
    case 'oversold': return 'Waiting for an oversold touch and a confirmed bounce.';
    default: return 'Signal, but no spread could be entered today (see the reason above).';
  }
}

/** §9.4 [DAILY SUMMARY] — no trade eligible today; `gate`: what blocked it (the first failing gate, or the skip's step). */
export function dailySummaryLog(o: { date: string; blocked: string; gate?: string; d: Diagnosis; b: Book; portfolio: PortfolioView; lastEntryDays: number | null; c: OptimusConfig }): string[] {
  const { date, blocked, d, b, lastEntryDays, c } = o;
  const withinLimits = b.heatPct === null || b.heatPct <= (c.risk.maxHeatPct ?? 1);
  const note = waitingFor(o.gate, d, c);
  return [
    `[DAILY SUMMARY] ${date} | NO TRADES ELIGIBLE`,
    `  SPX: BLOCKED — ${blocked}`,
    `  Open Positions: ${b.positions}${b.positions === 0 ? '' : withinLimits ? ' (all within risk limits)' : ' (heat above its limit)'}`,
    `  Aggregate Delta: ${b.delta === null ? 'n/a' : b.delta.toFixed(2)}`,
    `  Aggregate Theta: ${b.thetaPerDayCents === null ? 'n/a' : `${signed0(b.thetaPerDayCents)}/day`}`,
    `  Portfolio Heat: ${b.heatPct === null ? 'n/a' : `${pct1(b.heatPct)} of equity at risk`}`,
    `  Days Since Last Entry: ${lastEntryDays === null ? 'no entry yet' : lastEntryDays}`,
    `  Note: ${note}`,
  ];
}

/** §9.2 [TRADE OPENED] at the decision's prices. */
export function tradeOpenedLog(o: {
  date: string;
  shortStrike: number; shortMid: number; shortDelta: number | null;
  longStrike: number; longMid: number;
  creditCents: number; contracts: number; width: number; multiplier: number;
  dte: number; expiration: string; timeStopDate: string;
  c: OptimusConfig; equityCents: number; openMaxLossCents: number; openPositions: number;
}): string[] {
  const { c } = o;
  const perContractLoss = (o.width * 100 - o.creditCents) * o.multiplier;
  const perContractProfit = o.creditCents * o.multiplier;
  const totalLoss = perContractLoss * o.contracts;
  const tp = Math.round(o.creditCents * (1 - c.profitTargetPct));
  const sl = Math.round(o.creditCents * c.stopLossMultiplier);
  const rr = perContractProfit > 0 ? perContractLoss / perContractProfit : null;
  return [
    `[TRADE OPENED] ${o.date} | SPX Put Credit Spread`,
    `  Short Put: SPX ${o.shortStrike}P @ $${o.shortMid.toFixed(2)} (delta: ${o.shortDelta === null ? 'n/a' : o.shortDelta.toFixed(3)})`,
    `  Long Put: SPX ${o.longStrike}P @ $${o.longMid.toFixed(2)}`,
    `  Net Credit: ${usd2(o.creditCents)} (${usd0(perContractProfit)} per contract)`,
    `  Contracts: ${o.contracts}`,
    `  Spread Width: ${o.width} points (${usd0(o.width * 100 * o.multiplier)} per contract)`,
    `  Max Loss: ${usd0(perContractLoss)} per contract (${usd0(totalLoss)} total)`,
    `  Max Profit: ${usd0(perContractProfit)} per contract (${usd0(perContractProfit * o.contracts)} total)`,
    `  Risk/Reward: ${rr === null ? 'n/a' : rr.toFixed(1)}:1 max loss to max profit (mitigated by high win rate)`,
    `  DTE: ${o.dte}`,
    `  Expiration: ${o.expiration}`,
    `  Profit Target: Close at ${usd2(tp)} (${Math.round(c.profitTargetPct * 100)}% of ${usd2(o.creditCents)} credit)`,
    `  Stop Loss: Close at ${usd2(sl)} (${Math.round(c.stopLossMultiplier * 100)}% of ${usd2(o.creditCents)} credit)`,
    `  Time Stop: ${o.timeStopDate} (${c.timeStopDte} DTE)`,
    `  Portfolio Risk: ${usd0(totalLoss)} / ${usd0(o.equityCents)} = ${pct1(o.equityCents > 0 ? totalLoss / o.equityCents : 0)} of equity`,
    `  Total Exposure: ${pct1(o.equityCents > 0 ? (o.openMaxLossCents + totalLoss) / o.equityCents : 0)} of equity (${o.openPositions + 1} positions open)`,
  ];
}

/** The seed's names of the exit reasons. */
const REASON_WORDS: Record<string, string> = { STOP_LOSS: 'STOP LOSS (200% of credit)', TIME_STOP: 'TIME STOP', REGIME_SHIFT: 'REGIME SHIFT' };

export function reasonWords(gate: string, c: Pick<OptimusConfig, 'stopLossMultiplier' | 'timeStopDte'>): string {
  const tp = /^TAKE_PROFIT_(\d+)$/.exec(gate);
  if (tp) return `PROFIT TARGET (${tp[1]}%)`;
  if (gate === 'STOP_LOSS') return `STOP LOSS (${Math.round(c.stopLossMultiplier * 100)}% of credit)`;
  if (gate === 'TIME_STOP') return `TIME STOP (${c.timeStopDte} DTE)`;
  return REASON_WORDS[gate] ?? gate;
}

/** §9.3 [TRADE CLOSED] at the decision's marks, with the running stats this close would give. */
export function tradeClosedLog(o: {
  date: string; reason: string; creditCents: number; debitCents: number; contracts: number; multiplier: number;
  maxLossCents: number | null; openedAt: number; now: number; dteAtClose: number; closed: readonly ClosedTradeView[] | undefined;
}): string[] {
  const perContract = o.creditCents - o.debitCents;
  const total = perContract * o.multiplier * o.contracts;
  const days = Math.max(0, dayNumber(etDate(o.now)) - dayNumber(etDate(o.openedAt)));
  // Running stats after this close, by the one definition every view uses (shared/stats.ts).
  const trades: ClosedTrade[] = [...(o.closed ?? []), { tradeId: 0, closedAt: o.now, exitDate: etDate(o.now), exitReason: null, pnlCents: total }].map((t) => ({
    tradeId: t.tradeId, entryTime: t.closedAt, exitTime: t.closedAt, exitDate: t.exitDate, pnlCents: t.pnlCents, exitReason: t.exitReason,
  }));
  const st = computeMetrics(trades).stats;
  const pf = st.profitFactor === null ? 'n/a (no losing trade)' : st.profitFactor.toFixed(2);
  return [
    `[TRADE CLOSED] ${o.date} | SPX Put Credit Spread`,
    `  Reason: ${o.reason}`,
    `  Entry Credit: ${usd2(o.creditCents)}`,
    `  Exit Debit: ${usd2(o.debitCents)}`,
    `  P/L: ${perContract >= 0 ? '+' : '-'}${usd2(Math.abs(perContract))} per contract (${signed0(total)} total, ${o.contracts} contract${o.contracts === 1 ? '' : 's'})`,
    `  Return on Risk: ${o.maxLossCents && o.maxLossCents > 0 ? `${total >= 0 ? '+' : ''}${((total / o.maxLossCents) * 100).toFixed(1)}% (${signed0(total)} / ${usd0(o.maxLossCents)})` : 'n/a'}`,
    `  Days Held: ${days}`,
    `  DTE at Close: ${o.dteAtClose}`,
    `  Win/Loss: ${total > 0 ? 'WIN' : 'LOSS'}`,
    `  Running Stats: ${st.wins}W / ${st.losses}L (${((st.winRate ?? 0) * 100).toFixed(1)}% win rate), Profit Factor: ${pf}`,
  ];
}

/** §11.10. */
export function warmupLog(remaining: number): string {
  return `WARMUP: indicators not ready, ${remaining} bars remaining`;
}

export { points };
