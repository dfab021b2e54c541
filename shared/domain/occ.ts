/**
 * OCC / OSI option symbols: root, expiration YYMMDD, right C|P, strike × 1000 in 8 digits. The one
 * module that builds and reads them — brokers, loaders, the store, the simulator, the renderer and the
 * test fakes all go through it.
 *
 * - padded (IB, OCC's 21-character form): root left-justified in 6 characters, `SPXW  250117P05800000`
 * - unpadded (Tradier, and `OptionQuote.symbol`): `SPXW250117P05800000`
 *
 * Years are 20YY (2000–2099). Strikes must be positive, below 100,000 and multiples of 0.001. Bad input
 * throws a RangeError saying what is wrong; {@link tryParseOcc} returns the message instead.
 *
 * {@link occSymbol} (and its pieces {@link occPrefix}, {@link occStrikePart}) build the unpadded form
 * without checking, for parts that are already valid (a stored chain, a loader's parsed row): the hot
 * paths that build a symbol per quote. Everything else uses the checked {@link formatOcc}.
 */
import { isOptionRoot, type OptionRoot, type Right } from './chain.ts';

export type OccParts = {
  /** Option root / trading class, 1–6 uppercase letters or digits (SPX, SPXW, SPY). */
  root: string;
  /** Expiration date, YYYY-MM-DD. */
  expiration: string;
  right: Right;
  strike: number;
};

export type OccStyle = 'padded' | 'unpadded';

const ROOT = /^[A-Z0-9]{1,6}$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

/** `ROOT` + `YYMMDD` (unchecked): the start every symbol of one root and expiration shares (cache it per chain). */
export function occPrefix(root: string, expiration: string): string {
  return `${root}${expiration.slice(2, 4)}${expiration.slice(5, 7)}${expiration.slice(8, 10)}`;
}

/** `C|P` + the strike × 1000 in 8 digits (unchecked): the end of a symbol. */
export function occStrikePart(right: Right, strike: number): string {
  return `${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

/** The unpadded symbol of valid parts, unchecked (see the module doc): `occSymbol('SPXW', '2025-01-17', 'P', 5800)` = `SPXW250117P05800000`. */
export function occSymbol(root: string, expiration: string, right: Right, strike: number): string {
  return occPrefix(root, expiration) + occStrikePart(right, strike);
}

/** Formats an OCC symbol; `style` defaults to 'unpadded' (Tradier / OptionQuote.symbol). */
export function formatOcc(p: OccParts, style: OccStyle = 'unpadded'): string {
  if (typeof p.root !== 'string' || !ROOT.test(p.root)) throw new RangeError(`OCC root must be 1–6 uppercase letters or digits, got ${JSON.stringify(p.root)}`);
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(p.expiration);
  if (!m || !validDate(Number(`20${m[1]}`), Number(m[2]), Number(m[3]))) throw new RangeError(`OCC expiration must be a date YYYY-MM-DD in 2000–2099, got ${JSON.stringify(p.expiration)}`);
  if (p.right !== 'C' && p.right !== 'P') throw new RangeError(`OCC right must be 'C' or 'P', got ${JSON.stringify(p.right)}`);
  const milli = Math.round(p.strike * 1000);
  if (!Number.isFinite(p.strike) || p.strike <= 0 || milli >= 1e8 || Math.abs(p.strike * 1000 - milli) > 1e-6) {
    throw new RangeError(`OCC strike must be positive, below 100000 and a multiple of 0.001, got ${p.strike}`);
  }
  return occSymbol(style === 'padded' ? p.root.padEnd(6, ' ') : p.root, p.expiration, p.right, p.strike);
}

/** The padded (IB) form. */
export function occPadded(p: OccParts): string {
  return formatOcc(p, 'padded');
}

/** The unpadded (Tradier) form. */
export function occUnpadded(p: OccParts): string {
  return formatOcc(p, 'unpadded');
}

/** Parses either form (padded or unpadded; surrounding whitespace ignored). */
export function tryParseOcc(symbol: string): { ok: true; value: OccParts } | { ok: false; error: string } {
  if (typeof symbol !== 'string') return { ok: false, error: `OCC symbol must be a string, got ${typeof symbol}` };
  const s = symbol.trim();
  const m = /^([A-Z0-9]{1,6})( *)(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(s);
  if (!m) return { ok: false, error: `not an OCC option symbol (ROOT + YYMMDD + C/P + 8-digit strike): ${JSON.stringify(symbol)}` };
  const [, root, pad, yy, mm, dd, right, strike] = m as unknown as [string, string, string, string, string, string, Right, string];
  if (pad.length > 0 && root.length + pad.length !== 6) return { ok: false, error: `padded OCC root must fill exactly 6 characters: ${JSON.stringify(symbol)}` };
  if (!validDate(2000 + Number(yy), Number(mm), Number(dd))) return { ok: false, error: `OCC symbol has an impossible expiration 20${yy}-${mm}-${dd}: ${JSON.stringify(symbol)}` };
  const milli = Number(strike);
  if (milli === 0) return { ok: false, error: `OCC symbol has a zero strike: ${JSON.stringify(symbol)}` };
  return { ok: true, value: { root, expiration: `20${yy}-${mm}-${dd}`, right, strike: milli / 1000 } };
}

/** Parses either form; throws a RangeError with the reason on bad input. */
export function parseOcc(symbol: string): OccParts {
  const r = tryParseOcc(symbol);
  if (!r.ok) throw new RangeError(r.error);
  return r.value;
}

/** The parts of an OCC symbol of a root Thetadesk trades (SPX, SPXW, SPY), either form; null for anything else. */
export function parseOptionSymbol(symbol: string): (OccParts & { root: OptionRoot }) | null {
  const r = tryParseOcc(symbol);
  return r.ok && isOptionRoot(r.value.root) ? { ...r.value, root: r.value.root } : null;
}

/** Re-writes a symbol in the other (or same) style: `toOccStyle('SPXW  250117P05800000', 'unpadded')`. */
export function toOccStyle(symbol: string, style: OccStyle): string {
  return formatOcc(parseOcc(symbol), style);
}
