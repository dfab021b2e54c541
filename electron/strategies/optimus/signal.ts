/**
 * Seed 002 §4 "Entry System — Mean Reversion with Bollinger Band Confirmation" (`signal_engine.py`): the
 * ten entry gates, all must pass, evaluated on the daily close, in the seed's order:
 *
 * | # | gate (id)                          | passes when                                                            |
 * |---|------------------------------------|------------------------------------------------------------------------|
 * | 1 | Market Regime (`regime`)           | the regime is neither Crisis nor Bear Trend (diagnosis.ts)             |
 * | 2 | IV Rank (`iv-rank`)                | IV rank > `minIvRank` (50)                                             |
 * | 3 | VIX Term Structure (`term-structure`) | VIX / VIX3M < `vixTermStructureThreshold` (1.05); no VIX3M: waived or blocks |
 * | 4 | Trend (`trend`)                    | SPX close > EMA(200), and every §3.2 filter that is on passes          |
 * | 5 | Oversold (`oversold`)              | a low at or below the lower BB(20, 2.0) within the last 5 bars (today's included) |
 * | 6 | Mean Reversion (`mean-reversion`)  | close > today's lower band AND ≥ `minConsecutiveUpCloses` (1) higher closes ending today |
 * | 7 | Momentum (`momentum`)              | RSI(14) > 30 and above the prior bar's RSI                            |
 * | 8 | MACD (`macd`, optional, off)       | the MACD histogram turns positive today (MACD crosses above its signal) |
 * | 9 | Capacity (`capacity`)              | open positions + entries being worked < `risk.maxOpenTrades` (8)       |
 * |10 | Minimum Spacing (`spacing`)        | ≥ `minDaysBetweenEntries` (3) business days since the last entry on SPX |
 *
 * §4.3: touching the band is necessary, not sufficient. When gate 5 passes and a confirmation (6, 7,
 * 8) fails, the reason reads "BB touch detected but confirmation failed" with every confirmation that
 * failed. Every gate is evaluated (the diagnosis page shows them all); the §9.1 log stops at the first
 * failure as the seed's does. Gates 1–8 depend on the market only: they are the *signal*
 * (`thetadesk optimus signals`); 9 and 10 on the portfolio.
 *
 * "Business days since the last entry" counts the trading days after the entry's ET date up to and
 * including today (entered Monday: Thursday is 3).
 */
import { nextTradingDay } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { PortfolioView } from '../types.ts';
import type { OptimusConfig } from './config.ts';
import { HALT_REGIMES, points, pointsPair, type Diagnosis } from './diagnosis.ts';

export type GateId = 'regime' | 'iv-rank' | 'term-structure' | 'trend' | 'oversold' | 'mean-reversion' | 'momentum' | 'macd' | 'capacity' | 'spacing';

/** The gates of the signal (market only) and of the entry. */
export const SIGNAL_GATES: readonly GateId[] = ['regime', 'iv-rank', 'term-structure', 'trend', 'oversold', 'mean-reversion', 'momentum', 'macd'];
export const ENTRY_GATES: readonly GateId[] = [...SIGNAL_GATES, 'capacity', 'spacing'];
const CONFIRMATIONS: readonly GateId[] = ['mean-reversion', 'momentum', 'macd'];

export type Gate = {
  id: GateId;
  /** 1–10. */
  n: number;
  label: string;
  /** pass; fail; 'off' (gate 8 switched off) and 'waived' (gate 3 without VIX3M) do not block. */
  verdict: 'pass' | 'fail' | 'off' | 'waived';
  /** The number the gate judged (null without data). */
  value: number | string | null;
  threshold: string;
  /** The §9.1 log line(s), without the leading indentation. */
  lines: string[];
  /** Why it failed, for the NO TRADE line ("IV Rank below threshold (44.2% < 50%)"). */
  why: string;
};

const blocks = (g: Gate): boolean => g.verdict === 'fail';

/** The signal gates 1–8 of the diagnosis's close (market only). */
export function signalGates(d: Diagnosis, c: OptimusConfig): Gate[] {
  const gates: Gate[] = [];
  const add = (id: GateId, label: string, pass: boolean | 'off' | 'waived', value: number | string | null, threshold: string, lines: string[], why: string) => {
    const verdict = pass === true ? 'pass' : pass === false ? 'fail' : pass;
    gates.push({ id, n: ENTRY_GATES.indexOf(id) + 1, label, verdict, value, threshold, lines, why });
  };
  const tag = (pass: boolean, more = ''): string => `(${pass ? 'PASS' : 'FAIL'}${more})`;

  // 1. Market Regime
  {
    const pass = d.regime !== null && !HALT_REGIMES.includes(d.regime);
    add('regime', 'Market Regime', pass, d.regime, 'not Crisis or Bear Trend',
      [`Regime: ${d.regime ?? 'unknown'} ${tag(pass)}`],
      d.regime === null ? `no regime (${d.regimeReason})` : `${d.regime} regime (${d.regimeReason})`);
  }
  // 2. IV Rank
  {
    const v = d.ivRank;
    const pass = v !== null && v > c.minIvRank;
    add('iv-rank', 'IV Rank', pass, v, `> ${c.minIvRank}%`,
      [`IV Rank: ${v === null ? 'no data' : `${v.toFixed(1)}%`} ${tag(pass, `, threshold: ${c.minIvRank}%`)}`],
      v === null ? 'IV Rank has no data' : `IV Rank below threshold (${v.toFixed(1)}% ${v === c.minIvRank ? '=' : '<'} ${c.minIvRank}%)`);
  }
  // 3. VIX Term Structure
  {
    const r = d.termRatio;
    if (r === null) {
      const waive = c.termStructureWithoutData === 'waive';
      add('term-structure', 'VIX Term Structure', waive ? 'waived' : false, null, `< ${c.vixTermStructureThreshold}`,
        [`VIX Term Structure: no data, no VIX3M close ${waive ? '(WAIVED: termStructureWithoutData)' : '(FAIL, termStructureWithoutData: block)'}`],
        'VIX term structure has no data (no VIX3M close)');
    } else {
      const pass = r < c.vixTermStructureThreshold;
      add('term-structure', 'VIX Term Structure', pass, r, `< ${c.vixTermStructureThreshold}`,
        [`VIX Term Structure: ${r.toFixed(2)} ${r < 1 ? 'contango' : 'backwardation'} ratio ${tag(pass, `, threshold: <${c.vixTermStructureThreshold}`)}`],
        `VIX term structure in steep backwardation (${r.toFixed(2)} ≥ ${c.vixTermStructureThreshold})`);
    }
  }
  // 4. Trend (+ the §3.2 filters that are on)
  {
    const lines: string[] = [];
    let pass = false;
    let why = 'trend EMA not ready';
    if (d.spx !== null && d.ema !== null) {
      pass = d.spx.close > d.ema;
      const [a, b] = pointsPair(d.spx.close, d.ema);
      lines.push(`Trend: SPX ${a} ${pass ? '>' : '≤'} ${c.trendEmaPeriod} EMA ${b} ${tag(pass)}`);
      why = `SPX below its ${c.trendEmaPeriod} EMA (${a} ≤ ${b})`;
    } else lines.push('Trend: no data (FAIL)');
    for (const f of [d.breadth, d.putCall, d.credit]) {
      if (f.verdict === 'pass' || f.verdict === 'fail') lines.push(f.text);
      if (f.verdict === 'fail' && pass) {
        pass = false;
        why = `${f.label} filter failed (${f.value === null ? 'no data' : f.value}; ${f.threshold})`;
      }
    }
    add('trend', 'Trend', pass, d.spx !== null && d.ema !== null ? Math.round((d.spx.close - d.ema) * 100) / 100 : null, `SPX > ${c.trendEmaPeriod} EMA`, lines, why);
  }
  // 5. Oversold: a lower-band touch within the lookback
  {
    const t = d.touch;
    const pass = t !== null;
    add('oversold', 'Oversold', pass, t === null ? null : t.depthSd, `low ≤ lower BB within ${c.bbTouchLookback} bars`,
      [t === null
        ? `BB Touch: no low at or below the lower BB${d.bb ? ` (today ${points(d.bb.lower)})` : ''} in the last ${c.bbTouchLookback} bars (FAIL)`
        : `BB Touch: Lower BB ${pointsPair(t.lower, t.low)[0]}, low ${pointsPair(t.lower, t.low)[1]} on ${t.date} (PASS, within ${c.bbTouchLookback}-bar lookback)`],
      `no lower-BB touch in the last ${c.bbTouchLookback} bars`);
  }
  // 6. Mean Reversion: back above the lower band, and higher closes
  {
    const above = d.spx !== null && d.bb !== null && d.spx.close > d.bb.lower;
    const up = d.upCloses >= c.minConsecutiveUpCloses;
    const pass = above && up;
    const change = d.spx?.changePct ?? null;
    const [cl, lb] = d.spx !== null && d.bb !== null ? pointsPair(d.spx.close, d.bb.lower) : ['', ''];
    add('mean-reversion', 'Mean Reversion', pass, d.upCloses, `close > lower BB, ≥ ${c.minConsecutiveUpCloses} up-close${c.minConsecutiveUpCloses === 1 ? '' : 's'}`,
      [
        d.spx !== null && d.bb !== null ? `Mean Reversion: Close ${cl} ${above ? '>' : '≤'} Lower BB ${lb} ${tag(above)}` : 'Mean Reversion: no data (FAIL)',
        `Price Action: ${change === null ? 'n/a' : `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`} today, ${d.upCloses} consecutive up-close${d.upCloses === 1 ? '' : 's'} ${tag(up, `, min: ${c.minConsecutiveUpCloses}`)}`,
      ],
      [!above && d.spx !== null && d.bb !== null ? `close ${cl} ≤ lower BB ${lb}` : null, !up ? `${d.upCloses} up-close${d.upCloses === 1 ? '' : 's'} < ${c.minConsecutiveUpCloses}` : null].filter((x) => x !== null).join(', ') || 'no data');
  }
  // 7. Momentum: RSI above the threshold and rising
  {
    const v = d.rsi;
    const p = d.rsiPrior;
    const pass = v !== null && p !== null && v > c.rsiOversoldThreshold && v > p;
    add('momentum', 'Momentum', pass, v, `> ${c.rsiOversoldThreshold} and rising`,
      [`RSI: ${v === null ? 'no data' : v.toFixed(1)}, prior ${p === null ? 'n/a' : p.toFixed(1)} ${tag(pass, `, >${c.rsiOversoldThreshold} and rising`)}`],
      v === null || p === null ? 'RSI has no data' : `RSI ${v.toFixed(2)} (prior ${p.toFixed(2)}) is not above ${c.rsiOversoldThreshold} and rising`);
  }
  // 8. MACD (optional)
  {
    if (!c.macd.enabled) {
      add('macd', 'MACD Confirmation', 'off', null, 'histogram turns positive', ['MACD: off (optional gate)'], '');
    } else {
      const m = d.macd;
      const pass = m !== null && m.histogram > 0 && m.prior <= 0;
      add('macd', 'MACD Confirmation', pass, m?.histogram ?? null, 'histogram turns positive',
        [`MACD: histogram ${m === null ? 'no data' : `${m.histogram.toFixed(2)}, prior ${m.prior.toFixed(2)}`} ${tag(pass, ', turning positive')}`],
        m === null ? 'MACD has no data' : `MACD histogram ${m.histogram.toFixed(2)} (prior ${m.prior.toFixed(2)}) did not turn positive`);
    }
  }
  return gates;
}

/** The last count per start date, so a daily evaluation adds the sessions since its previous call only. */
const counted = new Map<string, { today: string; n: number }>();

/** Business days after the ET date of `since` up to and including `today` (0 on the same day). */
export function businessDaysSince(since: number, today: string): number {
  const from = etDate(since);
  if (today <= from) return 0;
  const hit = counted.get(from);
  let d = from;
  let n = 0;
  if (hit && hit.today <= today) ({ today: d, n } = hit);
  // One session at a time from where the last count stopped (memoized: the same answer, computed once).
  for (;;) {
    const next = nextTradingDay(d);
    if (next > today) break;
    d = next;
    n++;
  }
  if (counted.size > 10_000) counted.clear();
  counted.set(from, { today, n });
  return n;
}

/** All ten gates: the signal's and the portfolio's (capacity, spacing). */
export function entryGates(d: Diagnosis, portfolio: PortfolioView, today: string, c: OptimusConfig): Gate[] {
  const gates = signalGates(d, c);
  const open = portfolio.positions.length + portfolio.pendingEntries;
  const limit = c.risk.maxOpenTrades;
  const cap = open < limit;
  gates.push({
    id: 'capacity', n: 9, label: 'Capacity', verdict: cap ? 'pass' : 'fail', value: open, threshold: `< ${limit}`,
    lines: [`Capacity: ${open}/${limit} open positions (${cap ? 'PASS' : 'FAIL'})`],
    why: `Capacity reached (${open}/${limit} open positions)`,
  });
  const last = portfolio.lastEntryAt?.SPX ?? null;
  const days = last === null ? null : businessDaysSince(last, today);
  const spaced = days === null || days >= c.minDaysBetweenEntries;
  gates.push({
    id: 'spacing', n: 10, label: 'Minimum Spacing', verdict: spaced ? 'pass' : 'fail', value: days, threshold: `≥ ${c.minDaysBetweenEntries} business days`,
    lines: [days === null ? `Spacing: no earlier entry (PASS, min: ${c.minDaysBetweenEntries})` : `Spacing: ${days} business day${days === 1 ? '' : 's'} since last entry (${spaced ? 'PASS' : 'FAIL'}, min: ${c.minDaysBetweenEntries})`],
    why: `only ${days} business day${days === 1 ? '' : 's'} since the last entry (min: ${c.minDaysBetweenEntries})`,
  });
  return gates;
}

/** The first gate that blocks, or null when every gate passes (off and waived gates do not block). */
export function firstFailure(gates: readonly Gate[]): Gate | null {
  return gates.find(blocks) ?? null;
}

/**
 * The NO TRADE reason of a failed chain: §4.3's "BB touch detected but confirmation failed" with every
 * failed confirmation when the touch passed and a confirmation is the first failure; else the first
 * failure's own reason.
 */
export function noTradeReason(gates: readonly Gate[]): string {
  const first = firstFailure(gates);
  if (first === null) return '';
  const touched = gates.find((g) => g.id === 'oversold')?.verdict === 'pass';
  if (touched && CONFIRMATIONS.includes(first.id)) {
    const failed = gates.filter((g) => CONFIRMATIONS.includes(g.id) && blocks(g)).map((g) => `${g.label}: ${g.why}`);
    return `BB touch detected but confirmation failed — ${failed.join('; ')}`;
  }
  return `${first.why.charAt(0).toUpperCase()}${first.why.slice(1)}`;
}

/** The §9.1 [ENTRY EVAL] block: gates up to the first failure, then the verdict. */
export function entryEvalLog(date: string, gates: readonly Gate[], underlying = 'SPX'): string[] {
  const lines = [`[ENTRY EVAL] ${date} | ${underlying}`];
  const first = firstFailure(gates);
  for (const g of gates) {
    for (const l of g.lines) lines.push(`  ${l}`);
    if (g === first) break;
  }
  if (first === null) lines.push('  >>> SIGNAL: ENTRY TRIGGERED');
  else {
    lines.push(`  >>> NO TRADE: ${noTradeReason(gates)}`);
    if (first !== gates.at(-1)) lines.push('  [Remaining gates not evaluated — first failure stops chain]');
  }
  return lines;
}

/** Gate values as the signals file and the decisions keep them: `{ id: { value, threshold, pass } }`. */
export function gateValues(gates: readonly Gate[]): Record<string, { n: number; value: number | string | null; threshold: string; verdict: Gate['verdict'] }> {
  const out: Record<string, { n: number; value: number | string | null; threshold: string; verdict: Gate['verdict'] }> = {};
  for (const g of gates) out[g.id] = { n: g.n, value: g.value, threshold: g.threshold, verdict: g.verdict };
  return out;
}

/**
 * A gate's (or a §3 check's, by the same ids) value with its unit and meaning, as the Optimus page shows
 * it beside the threshold: IV rank "11.2 % (52-week percentile of the VIX)", Trend "+537.02 pts above
 * the EMA", Oversold "low 2.31 σ below the middle band".
 */
export function gateValueText(g: { id: string; value: number | string | null }): string {
  const v = g.value;
  if (v === null) return g.id === 'spacing' ? 'no earlier entry' : g.id === 'oversold' ? 'no touch' : g.id === 'macd' ? '—' : 'no data';
  if (typeof v === 'string') return v;
  switch (g.id) {
    case 'iv-rank': return `${v.toFixed(1)} % (52-week percentile of the VIX)`;
    case 'vix': return `VIX ${v.toFixed(2)}`;
    case 'iv-hv': return `VIX ${v.toFixed(2)}× realized vol`;
    case 'term-structure': return `VIX/VIX3M ${v.toFixed(2)}`;
    case 'trend': return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)} pts ${v >= 0 ? 'above' : 'below'} the EMA`;
    case 'oversold': return `low ${v.toFixed(2)} σ below the middle band`;
    case 'mean-reversion': return `${v} up-close${v === 1 ? '' : 's'}`;
    case 'momentum': return `RSI ${v.toFixed(1)}`;
    case 'macd': return `histogram ${v.toFixed(2)}`;
    case 'capacity': return `${v} open`;
    case 'spacing': return `${v} business day${v === 1 ? '' : 's'} since the last entry`;
    default: return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 3 : 2);
  }
}
