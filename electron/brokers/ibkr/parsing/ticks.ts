/**
 * Tick accumulation: IB streams a quote as separate tickPrice / tickSize / tickOptionComputation
 * messages (live and delayed tick types). This folds them into one record (pure; unit-tested).
 */
export type TickState = {
  bid: number | null;
  ask: number | null;
  last: number | null;
  close: number | null;
  bidSize: number | null;
  askSize: number | null;
  volume: number | null;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  undPrice: number | null;
  delayed: boolean;
};

export const emptyTicks = (): TickState => ({ bid: null, ask: null, last: null, close: null, bidSize: null, askSize: null, volume: null, iv: null, delta: null, gamma: null, vega: null, theta: null, undPrice: null, delayed: false });

const clean = (v: number | undefined): number | null => (v === undefined || v === null || !Number.isFinite(v) || v === -1 ? null : v);

/** tickPrice: 1/2/4/9 live bid/ask/last/close, 66/67/68/75 delayed. IB sends −1 for "no price". */
export function applyTickPrice(s: TickState, tickType: number, price: number | undefined): void {
  const p = clean(price);
  switch (tickType) {
    case 1: case 66: s.bid = p; break;
    case 2: case 67: s.ask = p; break;
    case 4: case 68: s.last = p; break;
    case 9: case 75: s.close = p; break;
    default: return;
  }
  if (tickType >= 66) s.delayed = true;
}

/** tickSize: 0/3 bid/ask size, 8 volume; delayed 69/70/74. */
export function applyTickSize(s: TickState, tickType: number, size: number | undefined): void {
  const v = clean(size);
  switch (tickType) {
    case 0: case 69: s.bidSize = v; break;
    case 3: case 70: s.askSize = v; break;
    case 8: case 74: s.volume = v; break;
  }
}

/** tickOptionComputation: model (13/83) preferred; bid/ask/last computations (10–12, 80–82) only fill gaps. */
export function applyOptionComputation(
  s: TickState,
  tickType: number,
  g: { iv?: number; delta?: number; gamma?: number; vega?: number; theta?: number; undPrice?: number },
): void {
  const model = tickType === 13 || tickType === 83;
  if (!model && ![10, 11, 12, 80, 81, 82].includes(tickType)) return;
  const set = (k: 'iv' | 'delta' | 'gamma' | 'vega' | 'theta' | 'undPrice', v: number | undefined): void => {
    const c = v === undefined || !Number.isFinite(v) ? null : v;
    if (model || s[k] === null) s[k] = c;
  };
  set('iv', g.iv);
  set('delta', g.delta);
  set('gamma', g.gamma);
  set('vega', g.vega);
  set('theta', g.theta);
  set('undPrice', g.undPrice);
  if (tickType >= 80) s.delayed = true;
}
