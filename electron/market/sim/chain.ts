/**
 * Option chains of the simulator, computed a whole expiration at a time into columns (typed arrays),
 * with a conversion to the app-wide {@link ChainSnapshot}.
 *
 * Per strike: the surface gives the implied vol (surface.ts), BSM gives the European value and greeks
 * (shared/optionmath), SPY adds an early-exercise premium from the American tree, interpolated across
 * the strike grid from a few sampled strikes (the premium is smooth in the strike; a tree per contract
 * would be 100× slower). The market around that value:
 *
 * - spread width = (base + share × time value + min(cap, 2% of intrinsic)) × √(VIX/17) × (1 + 0.08·min(|z|, 5)):
 *   a tick or two for cheap options (so cheap and far-OTM options are wide relative to their value),
 *   wider with premium, volatility and distance from the money, and capped for deep ITM;
 * - bid rounded down and ask up onto the listed tick (SPX/SPXW: $0.05 below $3.00, $0.10 from $3.00;
 *   SPY: $0.01); the bid may be 0 for worthless far-OTM options, the ask is at least one tick;
 * - sizes and volume are deterministic hashes of the contract, the day and the minute (never of what
 *   else was asked), shaped by moneyness and round strikes; open interest has a stated shape (calls
 *   around the money, puts below it; see {@link DayStats}) with noise fixed for the contract's life.
 *
 * Column layout: contract `2i` is the call and `2i + 1` the put at `strikes[i]` (ChainSnapshot order:
 * strike, then C before P). Missing values use sentinels in columns — `last` is −1 when the contract
 * has not traded, `iv` is 0 once expired — and become null in {@link toChainSnapshot}.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Right, Underlying } from '../../../shared/domain/chain.ts';
import { americanPriceCash } from '../../../shared/optionmath/american.ts';
import type { CashDividend } from '../../../shared/optionmath/american.ts';
import { formatOcc } from '../../../shared/domain/occ.ts';
import { bsmKernel } from './fastbsm.ts';
import { hash32, mix32 } from './rng.ts';
import { smileRatio } from './surface.ts';
import type { SmileParams, SmileShape, TermStructure } from './surface.ts';

/** One expiration's chain in columns. Arrays of contracts have length 2n. */
export type ChainColumns = {
  root: OptionRoot;
  underlying: Underlying;
  expiration: string;
  /** Snapshot time, epoch ms. */
  time: number;
  underlyingPrice: number;
  /** Forward to expiry. */
  forward: number;
  /** Years to expiry (calendar, the pricing `t`). */
  t: number;
  /** True once the series has reached its expiry instant: values are intrinsic against the settlement, no market. */
  expired: boolean;
  /** Number of strikes. */
  n: number;
  strikes: Float64Array;
  /** Theoretical value (the surface price), per contract. */
  theo: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  /** −1 when the contract has not traded today. */
  last: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
  volume: Float64Array;
  openInterest: Float64Array;
  /** Implied vol (calendar-time convention, matches `t`); 0 when expired. */
  iv: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  theta: Float64Array;
  vega: Float64Array;
  rho: Float64Array;
  /** The day-fixed statistics used (pass back as `dayStats` to skip recomputing them). */
  dayStats: DayStats | null;
};

const COLS = ['theo', 'bid', 'ask', 'last', 'bidSize', 'askSize', 'volume', 'openInterest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const;

/** An empty column set; pass it back to {@link computeChain} to reuse its arrays. */
export function emptyChainColumns(): ChainColumns {
  const c = {
    root: 'SPXW', underlying: 'SPX', expiration: '', time: 0, underlyingPrice: 0, forward: 0, t: 0, expired: false, n: 0, dayStats: null,
    strikes: new Float64Array(0),
  } as ChainColumns;
  for (const k of COLS) c[k] = new Float64Array(0);
  return c;
}

function ensure(c: ChainColumns, n: number): void {
  if (c.strikes.length !== n) c.strikes = new Float64Array(n);
  if (c.theo.length !== 2 * n) for (const k of COLS) c[k] = new Float64Array(2 * n);
}

/** Market-making parameters per root. */
export type QuoteStyle = {
  /** Tick below / from `tickBreak`, dollars. */
  tickLow: number;
  tickHigh: number;
  tickBreak: number;
  /** Spread = (base + share × value) × vol and moneyness factors. */
  spreadBase: number;
  spreadShare: number;
  /** Cap on the extra width for intrinsic value (deep ITM), dollars. */
  itmCap: number;
  /** Typical displayed size near the money. */
  size: number;
  /** Typical open interest near the money. */
  openInterest: number;
  /** Typical daily volume near the money. */
  volume: number;
};

export const QUOTE_STYLE: Record<OptionRoot, QuoteStyle> = {
  SPX: { tickLow: 0.05, tickHigh: 0.1, tickBreak: 3, spreadBase: 0.1, spreadShare: 0.025, itmCap: 8, size: 40, openInterest: 6000, volume: 1500 },
  SPXW: { tickLow: 0.05, tickHigh: 0.1, tickBreak: 3, spreadBase: 0.05, spreadShare: 0.025, itmCap: 8, size: 60, openInterest: 1200, volume: 6000 },
  SPY: { tickLow: 0.01, tickHigh: 0.01, tickBreak: 3, spreadBase: 0.01, spreadShare: 0.012, itmCap: 0.3, size: 400, openInterest: 8000, volume: 12000 },
};

/** Largest valid price ≤ x on the tick ladder, in cents (integer). */
export function floorTickCents(x: number, s: QuoteStyle): number {
  const c = x * 100;
  if (c >= s.tickBreak * 100) return Math.floor(c / (s.tickHigh * 100) + 1e-9) * Math.round(s.tickHigh * 100);
  return Math.floor(c / (s.tickLow * 100) + 1e-9) * Math.round(s.tickLow * 100);
}

/** Smallest valid price ≥ x on the tick ladder, in cents (integer). */
export function ceilTickCents(x: number, s: QuoteStyle): number {
  const c = x * 100;
  if (c > s.tickBreak * 100) return Math.ceil(c / (s.tickHigh * 100) - 1e-9) * Math.round(s.tickHigh * 100);
  const v = Math.ceil(c / (s.tickLow * 100) - 1e-9) * Math.round(s.tickLow * 100);
  return v > 0 ? v : Math.round(s.tickLow * 100);
}

/** Whether a price (dollars) lies on the root's tick ladder. */
export function onTick(price: number, s: QuoteStyle): boolean {
  const c = Math.round(price * 100);
  if (Math.abs(price * 100 - c) > 1e-6) return false;
  const step = Math.round((price >= s.tickBreak ? s.tickHigh : s.tickLow) * 100);
  return c % step === 0;
}

/** Everything {@link computeChain} needs besides the strikes. */
export type ChainInput = {
  root: OptionRoot;
  expiration: string;
  time: number;
  spot: number;
  /** Calendar years to the expiry instant (the pricing t). */
  t: number;
  /** Variance time (trading years of the model's clock) to the expiry instant. */
  tVar: number;
  rate: number;
  /**
   * Continuous dividend yield of the pricing: SPX's yield; for SPY the yield that gives the forward net
   * of its cash dividends before expiry, −ln(1 − PV(D)/S)/t (0 when none goes ex before expiry).
   */
  div: number;
  /** SPY's cash dividends going ex before expiry (t in years from now), for the early-exercise value. */
  dividends?: readonly CashDividend[];
  term: TermStructure;
  smile: SmileParams;
  /** This expiration's smile now (surface.ts `smileShape`). */
  shape: SmileShape;
  /** σ_VS/σ_ATM of that shape (varianceSwapRatio). */
  vsRatio: number;
  /** VIX level now, for spread widening. */
  vix: number;
  /** Value the expired contracts settle against (the settlement print), when t = 0. */
  settleValue: number;
  /** Share of today's session elapsed, [0, 1] (drives cumulative volume). */
  sessionElapsed: number;
  /** Hash keys: run seed, the ET day number of the snapshot, the minute of the snapshot. */
  seed: number;
  dayNum: number;
  minuteKey: number;
  /** Day number of the expiration. */
  expDayNum: number;
  /** The underlying's opening price today (anchors the day-fixed volume). */
  dayOpen: number;
  /**
   * Where the open interest was built: the underlying's opens of the last sessions before today, one
   * day's new positions around each (so open interest follows the market slowly). See {@link DayStats}.
   */
  oiOpens: readonly number[];
  /** A previous result of this expiration's day statistics to reuse (see {@link DayStats}). */
  dayStats?: DayStats | null;
};

const ROOT_ID: Record<OptionRoot, number> = { SPX: 1, SPXW: 2, SPY: 3 };
const g = new Float64Array(6);
let zScratch = new Float64Array(512);

/** Fraction of a session's option volume done by `e` (0..1): front- and back-loaded. */
function volumeCurve(e: number): number {
  return e <= 0 ? 0 : e >= 1 ? 1 : 0.55 * e + 0.225 * (1 - Math.cos(Math.PI * e));
}

/**
 * Prices one expiration into `out` (arrays reused when the strike count is unchanged). The strikes are
 * copied, so the caller may reuse its array.
 */
export function computeChain(out: ChainColumns, strikes: Float64Array, inp: ChainInput): ChainColumns {
  const n = strikes.length;
  ensure(out, n);
  out.strikes.set(strikes);
  out.n = n;
  out.root = inp.root;
  out.underlying = inp.root === 'SPY' ? 'SPY' : 'SPX';
  out.expiration = inp.expiration;
  out.time = inp.time;
  out.underlyingPrice = inp.spot;
  out.t = inp.t;
  const style = QUOTE_STYLE[inp.root];
  const S = inp.spot;
  const t = inp.t;
  const r = inp.rate;
  const q = inp.div;
  const F = S * Math.exp((r - q) * t);
  out.forward = F;
  const dq = Math.exp(-q * t);
  const dr = Math.exp(-r * t);
  const expired = !(t > 0) || !(inp.tVar > 0);
  out.expired = expired;
  const { theo, bid, ask, last, bidSize, askSize, volume, openInterest, iv, delta, gamma, theta, vega, rho } = out;
  if (zScratch.length < n) zScratch = new Float64Array(n);
  const zs = zScratch;

  if (expired) {
    for (let i = 0; i < n; i++) {
      const K = strikes[i]!;
      const c = Math.max(inp.settleValue - K, 0);
      const p = Math.max(K - inp.settleValue, 0);
      theo[2 * i] = c;
      theo[2 * i + 1] = p;
      delta[2 * i] = c > 0 ? 1 : 0;
      delta[2 * i + 1] = p > 0 ? -1 : 0;
      for (const k of [2 * i, 2 * i + 1]) {
        iv[k] = 0; gamma[k] = 0; theta[k] = 0; vega[k] = 0; rho[k] = 0;
      }
    }
  } else {
    // ATM vol in variance time, then standardized moneyness per strike.
    const W = inp.term.total(inp.tVar);
    const sAtm = Math.sqrt(W) / inp.vsRatio; // total ATM standard deviation
    const toCal = 1 / Math.sqrt(t); // total sd → calendar-time annualized vol
    const smile = inp.smile;
    const shape = inp.shape;
    for (let i = 0; i < n; i++) {
      const K = strikes[i]!;
      const lk = Math.log(K / F);
      const z = lk / sAtm;
      zs[i] = z;
      const totalSd = sAtm * smileRatio(smile, z, shape);
      const vol = totalSd * toCal;
      iv[2 * i] = vol;
      iv[2 * i + 1] = vol;
      const callOtm = K >= F;
      if (totalSd * 12 < Math.abs(lk)) {
        // Beyond 12 sd the OTM side is worth < 1e-30: skip the transcendental work.
        const intrinsicFwd = callOtm ? K * dr - S * dq : S * dq - K * dr; // ITM side's forward value
        if (callOtm) {
          theo[2 * i] = 0; delta[2 * i] = 0; rho[2 * i] = 0; theta[2 * i] = 0;
          theo[2 * i + 1] = intrinsicFwd; delta[2 * i + 1] = -dq; rho[2 * i + 1] = (-K * t * dr) / 100;
          theta[2 * i + 1] = (r * K * dr - q * S * dq) / 365;
        } else {
          theo[2 * i + 1] = 0; delta[2 * i + 1] = 0; rho[2 * i + 1] = 0; theta[2 * i + 1] = 0;
          theo[2 * i] = intrinsicFwd; delta[2 * i] = dq; rho[2 * i] = (K * t * dr) / 100;
          theta[2 * i] = (q * S * dq - r * K * dr) / 365;
        }
        gamma[2 * i] = gamma[2 * i + 1] = 0;
        vega[2 * i] = vega[2 * i + 1] = 0;
        continue;
      }
      // Price the OTM right directly (full precision in the wings), the other by put-call parity.
      bsmKernel(g, S, K, lk, t, vol, r, q, dq, dr, callOtm);
      const fwdDiff = S * dq - K * dr; // C − P
      const c = callOtm ? 0 : 1; // index offset of the OTM right
      const o = callOtm ? 1 : 0;
      theo[2 * i + c] = g[0]!;
      delta[2 * i + c] = g[1]!;
      gamma[2 * i] = gamma[2 * i + 1] = g[2]!;
      theta[2 * i + c] = g[3]!;
      vega[2 * i] = vega[2 * i + 1] = g[4]!;
      rho[2 * i + c] = g[5]!;
      if (callOtm) {
        const p = g[0]! - fwdDiff;
        theo[2 * i + o] = p > 0 ? p : 0;
        delta[2 * i + o] = g[1]! - dq;
        theta[2 * i + o] = g[3]! + (r * K * dr - q * S * dq) / 365;
        rho[2 * i + o] = g[5]! - (K * t * dr) / 100;
      } else {
        const cc = g[0]! + fwdDiff;
        theo[2 * i + o] = cc > 0 ? cc : 0;
        delta[2 * i + o] = g[1]! + dq;
        theta[2 * i + o] = g[3]! - (r * K * dr - q * S * dq) / 365;
        rho[2 * i + o] = g[5]! + (K * t * dr) / 100;
      }
    }
    if (inp.root === 'SPY') addEarlyExercise(out, n, S, t, r, inp.dividends ?? []);
  }

  // The market around the value.
  const volF = Math.min(3, Math.max(0.7, Math.sqrt(inp.vix / 17)));
  const rootId = ROOT_ID[inp.root];
  const volFrac = volumeCurve(inp.sessionElapsed);
  const stats = dayStatsFor(inp, strikes);
  out.dayStats = stats;
  const tick = Math.round(style.tickLow * 100);
  const sizeKey = hash32(inp.seed ^ (rootId << 28), inp.expDayNum, inp.minuteKey);
  for (let i = 0; i < n; i++) {
    const K = strikes[i]!;
    const z = expired ? 0 : zs[i]!;
    const az = z < 0 ? -z : z;
    const z2 = z * z;
    const near = 0.2 + 1 / (1 + 0.125 * z2 * (1 + 0.0625 * z2)); // bell-shaped, cheaper than exp
    const widen = volF * (1 + 0.08 * (az < 5 ? az : 5));
    // One hash per strike and minute: 16 bits for each right's size, the rest for the ask/bid size ratio.
    const h = mix32((sizeKey ^ Math.imul(Math.round(K * 1000), 0x9e3779b1)) >>> 0);
    for (let side = 0; side < 2; side++) {
      const j = 2 * i + side;
      openInterest[j] = stats.oi[j]!;
      if (expired) {
        bid[j] = 0; ask[j] = 0; bidSize[j] = 0; askSize[j] = 0;
        last[j] = -1; volume[j] = stats.volBase[j]!;
        continue;
      }
      const value = theo[j]!;
      // Width from the time value (what market makers risk), plus a capped share of intrinsic for ITM.
      const intrinsic = side === 0 ? S - K : K - S;
      const timeValue = intrinsic > 0 ? (value > intrinsic ? value - intrinsic : 0) : value;
      const itmPart = intrinsic > 0 ? Math.min(style.itmCap, 0.02 * intrinsic) : 0;
      const width = (style.spreadBase + style.spreadShare * timeValue + itmPart) * widen;
      const lo = floorTickCents(value - 0.5 * width, style);
      const bCents = lo > 0 ? lo : 0;
      const aCents = Math.max(ceilTickCents(value + 0.5 * width, style), bCents + tick);
      bid[j] = bCents / 100;
      ask[j] = aCents / 100;
      const bits = side === 0 ? h & 0xffff : h >>> 16;
      const sz = Math.max(1, Math.round(style.size * near * (0.5 + bits / 65536)));
      bidSize[j] = bCents > 0 ? sz : 0;
      askSize[j] = Math.max(1, Math.round(sz * (0.6 + (bits & 0xff) / 320)));
      const vol = Math.floor(stats.volBase[j]! * volFrac);
      volume[j] = vol;
      last[j] = vol > 0 ? Math.min(aCents, Math.max(bCents, floorTickCents(value, style))) / 100 : -1;
    }
  }
  return out;
}

/** Open interest and full-day volume of each contract: fixed for a day, so computed once per day. */
export type DayStats = { key: string; oi: Float64Array; volBase: Float64Array };

/**
 * Day-fixed contract statistics (the same whatever the time of the request). Reused from
 * `inp.dayStats` when it is for the same day and grid.
 *
 * Volume is concentrated near today's open and in short-dated series.
 *
 * Open interest follows the shape of real SPX-complex chains (the SPXW month-end series of
 * ../shared/data, January–February 2018): customers hold calls around the money (overwriting) and puts
 * out of the money below it (hedges), about twice as many puts as calls in all, and hardly any puts
 * above the money. Each of the last sessions (`oiOpens`) added positions of this shape around its open
 * o; in log-moneyness x = ln(K/o)/w, with the series' width w = 0.16·√((DTE + 10)/365):
 *
 *     call(x) = exp(−½ (x / 0.7)²)
 *     put(x)  = 1.5 · exp(−½ ((x + 1.2) / s)²),   s = 1.2 below x = −1.2, 0.6 above
 *
 * plus a thin wide tail (far strikes keep some open interest: calls both ways, puts below), averaged
 * over the sessions, × round-strike bumps, × noise fixed for the contract's life (open interest is not
 * re-drawn overnight), × growth with DTE. Overnight one session's positions leave the window and one
 * joins, so a contract's figure moves by a few percent, more where the market has moved away. With it,
 * dealer gamma (calls +, puts −; electron/market/context.ts) is positive when the market sits at or
 * above where the positions were opened, with the zero-gamma level about 1–3 % below — the pattern of
 * the real January 2018 chains — and turns negative when the market falls into the puts.
 */
function dayStatsFor(inp: ChainInput, strikes: Float64Array): DayStats {
  const n = strikes.length;
  const key = `${inp.dayNum}|${n}|${strikes[0] ?? 0}|${strikes[n - 1] ?? 0}`;
  const cached = inp.dayStats;
  if (cached && cached.key === key) return cached;
  const st: DayStats = cached && cached.oi.length === 2 * n ? cached : { key, oi: new Float64Array(2 * n), volBase: new Float64Array(2 * n) };
  st.key = key;
  const style = QUOTE_STYLE[inp.root];
  const seedKey = inp.seed ^ (ROOT_ID[inp.root] << 28);
  const dteDays = Math.max(0, inp.expDayNum - inp.dayNum);
  const dteLiquidity = 1 / (1 + dteDays / 10);
  const growth = 0.4 + 0.6 * (1 - dteLiquidity);
  const sd = 0.16 * Math.sqrt(Math.max(dteDays + 0.3, 0.3) / 365);
  const width = 0.16 * Math.sqrt((dteDays + 10) / 365);
  const opens = inp.oiOpens.length > 0 ? inp.oiOpens : [inp.dayOpen];
  for (let i = 0; i < n; i++) {
    const K = strikes[i]!;
    const z = Math.log(K / inp.dayOpen) / sd;
    const az2 = z * z;
    let callShape = 0;
    let putShape = 0;
    for (const o of opens) {
      const x = Math.log(K / o) / width;
      const tail = 0.03 * Math.exp(-0.02 * x * x);
      const xp = (x + 1.2) / (x < -1.2 ? 1.2 : 0.6);
      callShape += (Math.exp(-0.5 * (x / 0.7) ** 2) + tail) / opens.length;
      putShape += (1.5 * Math.exp(-0.5 * xp * xp) + (x < 0 ? tail : 0)) / opens.length;
    }
    const roundness = K % 100 === 0 ? 3 : K % 50 === 0 ? 2 : K % 25 === 0 ? 1.5 : 1;
    const kKey = Math.round(K * 1000);
    for (let side = 0; side < 2; side++) {
      const j = 2 * i + side;
      const h = hash32(seedKey, kKey, (inp.expDayNum << 1) | side, inp.dayNum);
      const life = hash32(seedKey, kKey, (inp.expDayNum << 1) | side, 0x0e1);
      st.oi[j] = Math.round(style.openInterest * (side === 0 ? callShape : putShape) * roundness * (0.3 + (1.4 * (life >>> 8)) / 16777216) * growth);
      st.volBase[j] = style.volume * Math.exp(-0.125 * az2) * roundness * dteLiquidity * (0.3 + (1.4 * (h & 0xff)) / 256);
    }
  }
  return st;
}

/**
 * SPY's early-exercise premium: American − European from the LR tree (41 steps, control variate; cash
 * dividends by the escrowed-dividend model of shared/optionmath/american.ts) at ~5 sampled strikes per
 * right where it is in or near the money, linearly interpolated between them (zero further out of the
 * money), and the value floored at intrinsic. Puts always carry some (interest on the strike); calls only
 * when a dividend goes ex before expiry — then deep in-the-money calls are worth exercising on its eve.
 */
function addEarlyExercise(out: ChainColumns, n: number, S: number, t: number, r: number, dividends: readonly CashDividend[]): void {
  if (n === 0) return;
  let maxCallPremium = 0;
  for (const d of dividends) maxCallPremium += d.amount;
  for (let side = 0; side < 2; side++) {
    const right = side === 0 ? 'C' : 'P';
    if (right === 'C' && dividends.length === 0) continue; // no dividend: never worth exercising early
    // Sample where the right is in or near the money (|delta| > 0.2); further out the premium is nil.
    let first = -1;
    let lastI = -1;
    for (let i = 0; i < n; i++) {
      if (Math.abs(out.delta[2 * i + side]!) > 0.2) {
        if (first < 0) first = i;
        lastI = i;
      }
    }
    if (first < 0) continue;
    const span = lastI - first;
    const stride = Math.max(1, Math.ceil(span / 4));
    const idx: number[] = [];
    for (let i = first; i <= lastI; i += stride) idx.push(i);
    if (idx[idx.length - 1] !== lastI) idx.push(lastI);
    const prem = idx.map((i) => {
      const K = out.strikes[i]!;
      const j = 2 * i + side;
      const euro = out.theo[j]!;
      const vol = out.iv[j]!;
      if (!(vol > 0)) return 0;
      const am = americanPriceCash({ spot: S, strike: K, t, vol, rate: r, div: 0, right }, dividends, 41);
      // A tree this small goes wrong far in the money at a tiny vol; the premium is bounded anyway: a put
      // gains at most the interest on its strike, a call at most the dividends it captures.
      return Math.min(Math.max(0, am - euro), right === 'P' ? K * (1 - Math.exp(-r * t)) : maxCallPremium);
    });
    // Linear interpolation of the premium between sampled strikes; value floored at intrinsic.
    for (let s = 0; s < idx.length; s++) {
      const a = idx[s]!;
      const last = s + 1 >= idx.length;
      const b = last ? a : idx[s + 1]!;
      const pa = prem[s]!;
      const pb = last ? pa : prem[s + 1]!;
      for (let i = a; i < b || i === a; i++) {
        const f = b > a ? (i - a) / (b - a) : 0;
        const j = 2 * i + side;
        const K = out.strikes[i]!;
        const intrinsic = side === 0 ? S - K : K - S;
        const v = out.theo[j]! + pa + (pb - pa) * f;
        out.theo[j] = intrinsic > v ? intrinsic : v;
      }
    }
  }
}

const round = (x: number, k: number): number => Math.round(x * k) / k;

/** The app-wide snapshot form of a column chain. Greeks are rounded to 6 significant-ish decimals. */
/** Options of {@link toChainSnapshot}. */
export type SnapshotOptions = {
  /** The snapshot's `source`. Default 'sim'. */
  source?: string;
  /** Only strikes in [minStrike, maxStrike] (inclusive); default all. */
  minStrike?: number;
  maxStrike?: number;
  /** OCC symbol of a contract (callers that build many snapshots pass a cache); default formatOcc. */
  symbol?: (strike: number, right: Right) => string;
};

export function toChainSnapshot(c: ChainColumns, opts: SnapshotOptions = {}): ChainSnapshot {
  const lo = opts.minStrike ?? -Infinity;
  const hi = opts.maxStrike ?? Infinity;
  const symbol = opts.symbol ?? ((strike: number, right: Right) => formatOcc({ root: c.root, expiration: c.expiration, right, strike }));
  const contracts: OptionQuote[] = [];
  for (let i = 0; i < c.n; i++) {
    const K = c.strikes[i]!;
    if (K < lo || K > hi) continue;
    for (let side = 0; side < 2; side++) {
      const j = 2 * i + side;
      const right: Right = side === 0 ? 'C' : 'P';
      const ivv = c.iv[j]!;
      contracts.push({
        symbol: symbol(K, right),
        root: c.root,
        expiration: c.expiration,
        strike: K,
        right,
        bid: c.expired ? null : c.bid[j]!,
        ask: c.expired ? null : c.ask[j]!,
        last: c.last[j]! >= 0 ? c.last[j]! : null,
        bidSize: c.expired ? null : c.bidSize[j]!,
        askSize: c.expired ? null : c.askSize[j]!,
        volume: c.volume[j]!,
        openInterest: c.openInterest[j]!,
        iv: ivv > 0 ? round(ivv, 1e6) : null,
        delta: round(c.delta[j]!, 1e6),
        gamma: round(c.gamma[j]!, 1e8),
        theta: round(c.theta[j]!, 1e6),
        vega: round(c.vega[j]!, 1e6),
        rho: round(c.rho[j]!, 1e6),
        quoteTime: c.time,
      });
    }
  }
  return { underlying: c.underlying, underlyingPrice: c.underlyingPrice, time: c.time, source: opts.source ?? 'sim', contracts };
}
