/**
 * Seed 002 §3 "Market Diagnosis Pipeline" (`indicators.py`, `market_analyzer.py`, `regime_detector.py`):
 * every indicator Optimus reads, computed on the daily close from the market view (the engine's no
 * lookahead rule: a decision after the close sees that day's bar, one during the session the day
 * before's), and the three layers, each check pass/fail with its numbers.
 *
 * Definitions (the seed names the measures; where it leaves a choice this says which):
 * - **IV** is the VIX close (SPX's 30-day implied volatility). **IV Rank** is the seed's "52-week
 *   percentile" (§3.1 best practice), not the min–max rank: over the last `ivRankWindow` (252) VIX closes
 *   ending today, today included, 100 × (how many of the other 251 closes are strictly below today's) / 251
 *   (shared/indicators `ivRank`, its `percentile`). So 100 means today is the highest close of the year,
 *   0 the lowest.
 * - **VIX term structure**: VIX / VIX3M, the 3-month VIX standing in for the second month (§3.1 "front
 *   vs second month"). < 1 is contango. VIX3M starts 2009-09-18: before it, and on any day without a
 *   VIX3M close, the ratio is "no data" (gate 3 waived or blocking by `termStructureWithoutData`; the
 *   Crisis test then reads the VIX level alone).
 * - **HV**: realized volatility of the last `hvPeriod` (20) SPX close-to-close log returns, annualized
 *   by √252; IV/HV = (VIX / 100) / HV. Shown in the volatility layer; not one of the ten gates.
 * - **Trend**: the SPX close against the EMA(`trendEmaPeriod`) of the closes the view holds (seeded with
 *   the SMA of the first 200, so the longer the history the closer to an EMA over all history).
 * - **Bollinger Bands** (`bbPeriod`, `bbStdDev`) of the closes (population σ); a *touch* is a bar whose
 *   low is at or below its own lower band; its depth is (middle − low) / σ of that bar.
 * - **RSI** (`rsiPeriod`, Wilder) and, for the optional gate 8, MACD (12, 26, 9) of the closes.
 * - **Breadth, put/call, credit spreads** (§3.2) come only from a data port (the view's BREADTH,
 *   PUTCALL and CREDIT series). Off by default. On, without a value for the day: "no data", which fails
 *   the check (it blocks, never passes silently); off: shown "off", with "no data" when nothing feeds it.
 *
 * Regime (§3.3), first match wins: **Crisis** — VIX > `vixCrisisThreshold` or VIX/VIX3M ≥
 * `vixTermStructureThreshold` (steep backwardation); **Bear Trend** — SPX close below its EMA;
 * **High Vol** — VIX ≥ `vixHighVolThreshold`; **Elevated Vol** — VIX ≥ `vixCalmThreshold`;
 * **Bullish Calm** — below it. Allocation: 100 % in Bullish Calm and Elevated Vol, `highVolAllocation`
 * (50–75 %) in High Vol, 0 (halt) in Crisis and Bear Trend.
 *
 * Warm-up (§11.10): no value until every indicator has its history — `trendEmaPeriod` SPX bars for the
 * EMA, `ivRankWindow` VIX closes for IV rank, BB period + lookback − 1 for the touch window, RSI period
 * + 2 for the RSI and its prior, HV period + 1 (and MACD slow + signal when gate 8 is on).
 *
 * Pure and deterministic; `diagnose` is memoized per market view and config (manage asks once per
 * position, the entry evaluation and `chainsNeeded` once each, on the same view); `layersOf` lays the
 * checks out for display.
 */
import type { DailyBar } from '../../../shared/domain/bars.ts';
import { bollinger, ema, histVol, ivRank, macd, rsi } from '../../../shared/indicators/index.ts';
import type { MarketView } from '../types.ts';
import type { OptimusConfig } from './config.ts';

export type RegimeName = 'Bullish Calm' | 'Elevated Vol' | 'High Vol' | 'Crisis' | 'Bear Trend';
export const REGIMES: readonly RegimeName[] = ['Bullish Calm', 'Elevated Vol', 'High Vol', 'Crisis', 'Bear Trend'];
/** The regimes that halt new entries (§3.3) and close every position (§7.1 regime shift). */
export const HALT_REGIMES: readonly RegimeName[] = ['Crisis', 'Bear Trend'];

/** A check's verdict: pass, fail, or not evaluated (off / no data where that does not fail). */
export type Verdict = 'pass' | 'fail' | 'off' | 'no-data' | 'waived';

/** One check of a layer, with the numbers behind it. */
export type Check = { id: string; label: string; verdict: Verdict; value: number | string | null; threshold: string; text: string };

export type Layer = { id: 'volatility' | 'sentiment' | 'regime'; title: string; checks: Check[] };

/** A lower-band touch in the lookback. */
export type Touch = { date: string; low: number; lower: number; middle: number; depthSd: number };

export type Diagnosis = {
  /** The session evaluated (the last SPX bar's date), null without SPX bars. */
  date: string | null;
  warmup: { ready: boolean; remaining: number; needs: { what: string; have: number; need: number }[] };
  spx: { close: number; prevClose: number | null; low: number; changePct: number | null } | null;
  ema: number | null;
  bb: { lower: number; middle: number; upper: number; sd: number } | null;
  /** The deepest touch of the lookback (null: none). */
  touch: Touch | null;
  upCloses: number;
  rsi: number | null;
  rsiPrior: number | null;
  macd: { histogram: number; prior: number } | null;
  vix: number | null;
  vix3m: number | null;
  ivRank: number | null;
  termRatio: number | null;
  hv: number | null;
  ivHv: number | null;
  breadth: Check;
  putCall: Check;
  credit: Check;
  regime: RegimeName | null;
  regimeReason: string;
  /** Share of normal size the regime allows (0 = halt). */
  allocation: number;
};

const MEMO = new WeakMap<MarketView, WeakMap<object, Diagnosis>>();

/** The diagnosis of the view's last close (memoized per view and config). */
export function diagnose(market: MarketView, config: OptimusConfig): Diagnosis {
  let byConfig = MEMO.get(market);
  if (!byConfig) {
    byConfig = new WeakMap();
    MEMO.set(market, byConfig);
  }
  const hit = byConfig.get(config);
  if (hit) return hit;
  const d = compute(market, config);
  byConfig.set(config, d);
  return d;
}

/** The bar of `date` in a series (searching from the end: it is usually the last). */
function barOn(bars: readonly DailyBar[] | undefined, date: string): DailyBar | null {
  if (!bars) return null;
  for (let i = bars.length - 1; i >= 0; i--) {
    const b = bars[i]!;
    if (b.date === date) return b;
    if (b.date < date) return null;
  }
  return null;
}

/** The bars of a series up to and including `date`. */
function through(bars: readonly DailyBar[] | undefined, date: string): readonly DailyBar[] {
  if (!bars || bars.length === 0) return [];
  let n = bars.length;
  while (n > 0 && bars[n - 1]!.date > date) n--;
  return n === bars.length ? bars : bars.slice(0, n);
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Thousands separated by commas ("5,842"; Intl formatting costs a microsecond a call, this a tenth). */
export function grouped(whole: number): string {
  const s = String(Math.abs(whole));
  let out = '';
  for (let i = 0; i < s.length; i++) out += (i > 0 && (s.length - i) % 3 === 0 ? ',' : '') + s[i];
  return whole < 0 ? `-${out}` : out;
}

/** "5,842" — an index level as the seed writes it. */
export function points(x: number): string {
  return grouped(Math.round(x));
}

/** Two levels compared in a log line: whole points as the seed writes them, cents when whole points would read equal. */
export function pointsPair(a: number, b: number): [string, string] {
  if (points(a) !== points(b)) return [points(a), points(b)];
  const f = (x: number) => {
    const cents = Math.round(Math.abs(x) * 100);
    return `${x < 0 ? '-' : ''}${grouped(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
  };
  return [f(a), f(b)];
}

function compute(market: MarketView, c: OptimusConfig): Diagnosis {
  const spxBars = market.underlyings.SPX?.daily ?? [];
  const date = spxBars.at(-1)?.date ?? null;
  const vixBars = date === null ? [] : through(market.series.VIX, date);
  const needs = [
    { what: `SPX bars for the ${c.trendEmaPeriod}-day EMA`, have: spxBars.length, need: c.trendEmaPeriod },
    { what: `VIX closes for the ${c.ivRankWindow}-session IV rank`, have: vixBars.length, need: c.ivRankWindow },
    { what: `SPX bars for BB(${c.bbPeriod}) over ${c.bbTouchLookback} bars`, have: spxBars.length, need: c.bbPeriod + c.bbTouchLookback - 1 },
    { what: `SPX bars for RSI(${c.rsiPeriod}) and its prior`, have: spxBars.length, need: c.rsiPeriod + 2 },
    { what: `SPX bars for HV(${c.hvPeriod})`, have: spxBars.length, need: c.hvPeriod + 1 },
    ...(c.macd.enabled ? [{ what: 'SPX bars for MACD and its prior', have: spxBars.length, need: c.macd.slow + c.macd.signal }] : []),
  ];
  const remaining = Math.max(0, ...needs.map((n) => n.need - n.have));
  const warmup = { ready: remaining === 0 && date !== null, remaining, needs };

  const n = spxBars.length;
  const closes = new Float64Array(n);
  for (let i = 0; i < n; i++) closes[i] = spxBars[i]!.close;
  const last = spxBars[n - 1] ?? null;
  const prev = spxBars[n - 2] ?? null;
  const spx = last ? { close: last.close, prevClose: prev?.close ?? null, low: last.low, changePct: prev ? r4((last.close / prev.close - 1) * 100) : null } : null;

  const emaS = n >= c.trendEmaPeriod ? ema(closes, c.trendEmaPeriod) : null;
  // Every figure is rounded once, here, and the regime and the gates judge the same rounded numbers.
  const emaV = emaS && emaS.firstValid < n ? r2(emaS.values[n - 1]!) : null;

  let bb: Diagnosis['bb'] = null;
  let touch: Touch | null = null;
  if (n >= c.bbPeriod) {
    // The bands of the touch window only need its bars and the period before them.
    const from = Math.max(0, n - (c.bbPeriod + c.bbTouchLookback - 1));
    const b = bollinger(closes.subarray(from), c.bbPeriod, c.bbStdDev);
    const off = from;
    const i = n - 1 - off;
    if (b.lower.firstValid <= i) {
      const sd = c.bbStdDev > 0 ? (b.upper.values[i]! - b.middle.values[i]!) / c.bbStdDev : 0;
      bb = { lower: r2(b.lower.values[i]!), middle: r2(b.middle.values[i]!), upper: r2(b.upper.values[i]!), sd: r4(sd) };
    }
    for (let k = Math.max(b.lower.firstValid, n - off - c.bbTouchLookback); k < n - off; k++) {
      const bar = spxBars[k + off]!;
      const lower = r2(b.lower.values[k]!);
      if (bar.low <= lower) {
        const middle = b.middle.values[k]!;
        const sd = c.bbStdDev > 0 ? (b.upper.values[k]! - middle) / c.bbStdDev : 0;
        const depthSd = sd > 0 ? (middle - bar.low) / sd : 0;
        if (touch === null || r4(depthSd) > touch.depthSd) touch = { date: bar.date, low: bar.low, lower, middle: r2(middle), depthSd: r4(depthSd) };
      }
    }
  }

  let upCloses = 0;
  for (let i = n - 1; i > 0 && closes[i]! > closes[i - 1]!; i--) upCloses++;

  let rsiV: number | null = null;
  let rsiPrior: number | null = null;
  if (n >= c.rsiPeriod + 2) {
    const r = rsi(closes, c.rsiPeriod);
    if (r.firstValid <= n - 2) {
      rsiV = r2(r.values[n - 1]!);
      rsiPrior = r2(r.values[n - 2]!);
    }
  }

  let macdV: Diagnosis['macd'] = null;
  if (c.macd.enabled && n >= c.macd.slow + c.macd.signal) {
    const m = macd(closes, c.macd.fast, c.macd.slow, c.macd.signal);
    if (m.histogram.firstValid <= n - 2) macdV = { histogram: m.histogram.values[n - 1]!, prior: m.histogram.values[n - 2]! };
  }

  let hv: number | null = null;
  if (n >= c.hvPeriod + 1) {
    const h = histVol(closes.subarray(n - c.hvPeriod - 1), c.hvPeriod);
    if (h.firstValid <= c.hvPeriod) hv = h.values[c.hvPeriod]!;
  }

  const vix = date === null ? null : barOn(vixBars, date)?.close ?? null;
  const vix3m = date === null ? null : barOn(market.series.VIX3M, date)?.close ?? null;
  let ivRankV: number | null = null;
  if (vix !== null && vixBars.length >= c.ivRankWindow) {
    const window = new Float64Array(c.ivRankWindow);
    const from = vixBars.length - c.ivRankWindow;
    for (let i = 0; i < c.ivRankWindow; i++) window[i] = vixBars[from + i]!.close;
    const p = ivRank(window, c.ivRankWindow).percentile;
    if (p.firstValid < c.ivRankWindow) ivRankV = r2(p.values[c.ivRankWindow - 1]!);
  }
  const termRatio = vix !== null && vix3m !== null && vix3m > 0 ? r4(vix / vix3m) : null;
  const ivHv = vix !== null && hv !== null && hv > 0 ? r4(vix / 100 / hv) : null;

  const breadth = breadthCheck(market, date, c);
  const putCall = putCallCheck(market, date, c);
  const credit = creditCheck(market, date, c);

  // §3.3 regime, first match wins.
  let regime: RegimeName | null = null;
  let regimeReason: string;
  if (vix === null || emaV === null || spx === null) {
    regimeReason = vix === null ? 'no VIX close for the day' : 'the trend EMA is not ready (warm-up)';
  } else if (vix > c.vixCrisisThreshold) {
    regime = 'Crisis';
    regimeReason = `VIX ${vix.toFixed(2)} > ${c.vixCrisisThreshold}`;
  } else if (termRatio !== null && termRatio >= c.vixTermStructureThreshold) {
    regime = 'Crisis';
    regimeReason = `VIX/VIX3M ${termRatio.toFixed(2)} ≥ ${c.vixTermStructureThreshold}: steep backwardation`;
  } else if (spx.close < emaV) {
    regime = 'Bear Trend';
    const [a, b] = pointsPair(spx.close, emaV);
    regimeReason = `SPX below ${c.trendEmaPeriod} EMA (${a} < ${b})`;
  } else if (vix >= c.vixHighVolThreshold) {
    regime = 'High Vol';
    regimeReason = `VIX ${vix.toFixed(2)} in ${c.vixHighVolThreshold}–${c.vixCrisisThreshold}, trend intact`;
  } else if (vix >= c.vixCalmThreshold) {
    regime = 'Elevated Vol';
    regimeReason = `VIX ${vix.toFixed(2)} in ${c.vixCalmThreshold}–${c.vixHighVolThreshold}, trend intact`;
  } else {
    regime = 'Bullish Calm';
    regimeReason = `VIX ${vix.toFixed(2)} < ${c.vixCalmThreshold}, SPX above ${c.trendEmaPeriod} EMA`;
  }
  const allocation = allocationOf(regime, c);

  const d: Diagnosis = {
    date,
    warmup,
    spx,
    ema: emaV,
    bb,
    touch,
    upCloses,
    rsi: rsiV,
    rsiPrior,
    macd: macdV === null ? null : { histogram: r4(macdV.histogram), prior: r4(macdV.prior) },
    vix,
    vix3m,
    ivRank: ivRankV,
    termRatio,
    hv: hv === null ? null : r4(hv),
    ivHv,
    breadth,
    putCall,
    credit,
    regime,
    regimeReason,
    allocation,
  };
  return d;
}

/** The share of normal size a regime allows (§3.3). */
export function allocationOf(regime: RegimeName | null, c: Pick<OptimusConfig, 'highVolAllocation'>): number {
  switch (regime) {
    case 'Bullish Calm':
    case 'Elevated Vol':
      return 1;
    case 'High Vol':
      return c.highVolAllocation;
    default:
      return 0;
  }
}

/** Off / no data / pass / fail for a data-port filter; `evaluate` runs only with a value. */
function portCheck(id: string, label: string, enabled: boolean, value: number | null, threshold: string, evaluate: (v: number) => { pass: boolean; text: string }): Check {
  if (value === null) {
    return { id, label, verdict: enabled ? 'fail' : 'no-data', value: null, threshold, text: enabled ? `${label}: no data (filter on, nothing feeds it) (FAIL)` : `${label}: no data (filter off)` };
  }
  const r = evaluate(value);
  if (!enabled) return { id, label, verdict: 'off', value, threshold, text: `${r.text} (filter off)` };
  return { id, label, verdict: r.pass ? 'pass' : 'fail', value, threshold, text: `${r.text} (${r.pass ? 'PASS' : 'FAIL'}, ${threshold})` };
}

function breadthCheck(market: MarketView, date: string | null, c: OptimusConfig): Check {
  const v = date === null ? null : barOn(market.series.BREADTH, date)?.close ?? null;
  return portCheck('breadth', 'Breadth', c.breadth.enabled, v, `> ${c.breadth.minPct}%`, (x) => ({ pass: x > c.breadth.minPct, text: `Breadth: ${x.toFixed(1)}% above 50-day MA` }));
}

function putCallCheck(market: MarketView, date: string | null, c: OptimusConfig): Check {
  const bars = date === null ? [] : through(market.series.PUTCALL, date);
  const k = c.putCall.smoothingDays;
  const v = bars.length >= k && bars.at(-1)!.date === date ? bars.slice(-k).reduce((s, b) => s + b.close, 0) / k : null;
  return portCheck('put-call', 'Put/Call', c.putCall.enabled, v === null ? null : r4(v), `${c.putCall.low}–${c.putCall.high}`, (x) => ({
    pass: x > c.putCall.low && x < c.putCall.high,
    text: `Put/Call: ${x.toFixed(2)} (${k}-day average)`,
  }));
}

function creditCheck(market: MarketView, date: string | null, c: OptimusConfig): Check {
  const bars = date === null ? [] : through(market.series.CREDIT, date);
  const k = c.creditSpreads.lookbackDays;
  const v = bars.length > k && bars.at(-1)!.date === date ? bars.at(-1)!.close - bars[bars.length - 1 - k]!.close : null;
  return portCheck('credit', 'Credit spreads', c.creditSpreads.enabled, v === null ? null : r4(v), `widening ≤ ${c.creditSpreads.maxWidening} pp over ${k} days`, (x) => ({
    pass: x <= c.creditSpreads.maxWidening,
    text: `Credit spreads: ${x >= 0 ? '+' : ''}${x.toFixed(2)} pp over ${k} days`,
  }));
}

function check(id: string, label: string, verdict: Verdict, value: number | string | null, threshold: string, text: string): Check {
  return { id, label, verdict, value, threshold, text };
}

/** The three layers of §3, each check with its verdict, value and threshold (the diagnosis page). */
export function layersOf(d: Diagnosis, c: OptimusConfig): Layer[] {
  const vol: Check[] = [
    d.ivRank === null
      ? check('iv-rank', 'IV Rank', 'no-data', null, `> ${c.minIvRank}%`, 'IV Rank: no data')
      : check('iv-rank', 'IV Rank', d.ivRank > c.minIvRank ? 'pass' : 'fail', d.ivRank, `> ${c.minIvRank}%`, `IV Rank: ${d.ivRank.toFixed(1)}% (52-week percentile of the VIX)`),
    d.vix === null
      ? check('vix', 'VIX Level', 'no-data', null, `≤ ${c.vixCrisisThreshold}`, 'VIX: no data')
      : check('vix', 'VIX Level', d.vix > c.vixCrisisThreshold ? 'fail' : 'pass', d.vix, `≤ ${c.vixCrisisThreshold} (not crisis)`, `VIX: ${d.vix.toFixed(2)}`),
    d.termRatio === null
      ? check('term-structure', 'VIX Term Structure', c.termStructureWithoutData === 'waive' ? 'waived' : 'no-data', null, `< ${c.vixTermStructureThreshold}`, 'VIX/VIX3M: no data (no VIX3M close)')
      : check('term-structure', 'VIX Term Structure', d.termRatio < c.vixTermStructureThreshold ? 'pass' : 'fail', d.termRatio, `< ${c.vixTermStructureThreshold}`, `VIX/VIX3M: ${d.termRatio.toFixed(2)} (${d.termRatio < 1 ? 'contango' : 'backwardation'})`),
    d.ivHv === null
      ? check('iv-hv', 'IV/HV', 'no-data', null, '> 1', 'IV/HV: no data')
      : check('iv-hv', 'IV/HV', d.ivHv > 1 ? 'pass' : 'fail', d.ivHv, '> 1 (shown; not one of the ten gates)', `IV/HV: ${d.ivHv.toFixed(2)} (VIX ${d.vix!.toFixed(2)} vs HV${c.hvPeriod} ${(d.hv! * 100).toFixed(1)}%)`),
  ];
  const sentiment: Check[] = [
    d.ema === null || d.spx === null
      ? check('trend', 'Trend', 'no-data', null, `SPX > ${c.trendEmaPeriod} EMA`, 'Trend: no data (warm-up)')
      : check('trend', 'Trend', d.spx.close > d.ema ? 'pass' : 'fail', r2(d.spx.close - d.ema), `SPX > ${c.trendEmaPeriod} EMA`, `Trend: SPX ${pointsPair(d.spx.close, d.ema)[0]} ${d.spx.close > d.ema ? '>' : '≤'} ${c.trendEmaPeriod} EMA ${pointsPair(d.spx.close, d.ema)[1]}`),
    d.breadth,
    d.putCall,
    d.credit,
  ];
  const regime: Check[] = [
    check('regime', 'Regime', d.regime === null ? 'no-data' : HALT_REGIMES.includes(d.regime) ? 'fail' : 'pass', d.regime, 'not Crisis or Bear Trend', `Regime: ${d.regime ?? 'unknown'} — ${d.regimeReason}; allocation ${Math.round(d.allocation * 100)}%`),
  ];
  return [
    { id: 'volatility', title: 'Volatility assessment (§3.1)', checks: vol },
    { id: 'sentiment', title: 'Market sentiment & direction (§3.2)', checks: sentiment },
    { id: 'regime', title: 'Regime classification (§3.3)', checks: regime },
  ];
}
