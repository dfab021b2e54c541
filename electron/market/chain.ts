/**
 * Chain snapshot helpers: a stable checksum (seed 000: every stored snapshot carries a hash of its
 * payload) and validation/normalization of snapshots arriving from brokers, loaders and the simulator.
 *
 * The checksum is independent of contract order and of floating-point noise: contracts are sorted by
 * (expiration, strike, right C<P, root, symbol), every number is written canonically (12 significant
 * digits — integers such as epoch ms exactly —, -0 as 0, null as `null`), fields in a fixed order, and the text is
 * hashed with SHA-256 (hex). Version-prefixed (`v1`) so a future format change is visible.
 */
import { createHash } from 'node:crypto';
import type { ChainSnapshot, OptionQuote, OptionRoot, Right } from '../../shared/domain/chain.ts';
import { formatOcc, tryParseOcc } from '../../shared/domain/occ.ts';

const ROOTS: readonly OptionRoot[] = ['SPX', 'SPXW', 'SPY'];
/** The numeric fields of a quote, in checksum order. */
const NUMERIC: readonly (keyof OptionQuote)[] = ['bid', 'ask', 'last', 'bidSize', 'askSize', 'volume', 'openInterest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'rho', 'quoteTime'];

/** Canonical text of a number for hashing: integers exactly, others to 12 significant digits; -0 → 0, null/NaN → `null`. */
export function canonicalNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'null';
  if (v === 0) return '0';
  if (Number.isInteger(v)) return String(v); // epoch ms, sizes: exact
  return String(Number(v.toPrecision(12)));
}

/** Orders contracts by expiration, strike, right (C before P), root, symbol. */
export function compareContracts(a: OptionQuote, b: OptionQuote): number {
  if (a.expiration !== b.expiration) return a.expiration < b.expiration ? -1 : 1;
  if (a.strike !== b.strike) return a.strike - b.strike;
  if (a.right !== b.right) return a.right === 'C' ? -1 : 1;
  if (a.root !== b.root) return a.root < b.root ? -1 : 1;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/** SHA-256 (hex) of the canonical form of a snapshot; equal for snapshots that differ only in contract order or float noise. */
export function chainChecksum(snapshot: ChainSnapshot): string {
  const hash = createHash('sha256');
  hash.update(`v1|${snapshot.underlying}|${canonicalNumber(snapshot.underlyingPrice)}|${canonicalNumber(snapshot.time)}|${snapshot.source}\n`);
  const sorted = [...snapshot.contracts].sort(compareContracts);
  for (const c of sorted) {
    let line = `${c.symbol}|${c.root}|${c.expiration}|${canonicalNumber(c.strike)}|${c.right}`;
    for (const k of NUMERIC) line += `|${canonicalNumber(c[k] as number | null)}`;
    hash.update(`${line}\n`);
  }
  return hash.digest('hex');
}

export type ChainIssueCode =
  | 'bad-underlying-price' | 'bad-time' | 'empty-chain'
  | 'bad-root' | 'bad-expiration' | 'bad-strike' | 'bad-right'
  | 'symbol-mismatch' | 'non-finite-number' | 'negative-size' | 'duplicate';

export type ChainIssue = {
  code: ChainIssueCode;
  /** Index of the contract in the input, or null for snapshot-level issues. */
  index: number | null;
  symbol: string | null;
  message: string;
  /** What normalization did about it. */
  action: 'dropped' | 'fixed' | 'kept';
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Validates and normalizes a snapshot: NaN/Infinity numbers become null, negative sizes become null,
 * symbols are rewritten to the canonical unpadded OCC form of (root, expiration, right, strike),
 * contracts with an unusable root, expiration, strike or right are dropped, duplicates of the same
 * (root, expiration, strike, right) keep the most recent quote (later quoteTime, else the later one in
 * the input), and contracts are sorted. Every change is reported as an issue; nothing throws.
 */
export function normalizeChain(snapshot: ChainSnapshot): { snapshot: ChainSnapshot; issues: ChainIssue[] } {
  const issues: ChainIssue[] = [];
  if (!(Number.isFinite(snapshot.underlyingPrice) && snapshot.underlyingPrice > 0)) {
    issues.push({ code: 'bad-underlying-price', index: null, symbol: null, message: `underlying price must be positive, got ${snapshot.underlyingPrice}`, action: 'kept' });
  }
  if (!Number.isFinite(snapshot.time)) issues.push({ code: 'bad-time', index: null, symbol: null, message: `snapshot time must be epoch ms, got ${snapshot.time}`, action: 'kept' });
  const byKey = new Map<string, { q: OptionQuote; index: number }>();
  snapshot.contracts.forEach((raw, index) => {
    const sym = typeof raw.symbol === 'string' ? raw.symbol : null;
    const drop = (code: ChainIssueCode, message: string): void => void issues.push({ code, index, symbol: sym, message, action: 'dropped' });
    if (!ROOTS.includes(raw.root)) return drop('bad-root', `root must be one of ${ROOTS.join(', ')}, got ${JSON.stringify(raw.root)}`);
    if (typeof raw.expiration !== 'string' || !DATE.test(raw.expiration) || Number.isNaN(Date.parse(`${raw.expiration}T00:00:00Z`))) {
      return drop('bad-expiration', `expiration must be YYYY-MM-DD, got ${JSON.stringify(raw.expiration)}`);
    }
    if (raw.right !== 'C' && raw.right !== 'P') return drop('bad-right', `right must be C or P, got ${JSON.stringify(raw.right)}`);
    if (!(Number.isFinite(raw.strike) && raw.strike > 0 && raw.strike < 100_000)) return drop('bad-strike', `strike must be in (0, 100000), got ${raw.strike}`);
    let canonical: string;
    try {
      canonical = formatOcc({ root: raw.root, expiration: raw.expiration, right: raw.right as Right, strike: raw.strike });
    } catch (e) {
      return drop('bad-strike', (e as Error).message);
    }
    const q: OptionQuote = { ...raw };
    if (sym !== canonical) {
      const parsed = sym === null ? null : tryParseOcc(sym);
      const equivalent = parsed?.ok === true && formatOcc(parsed.value) === canonical;
      if (!equivalent) issues.push({ code: 'symbol-mismatch', index, symbol: sym, message: `symbol ${JSON.stringify(sym)} does not match ${canonical}`, action: 'fixed' });
      q.symbol = canonical;
    }
    for (const k of NUMERIC) {
      const v = q[k] as unknown;
      if (v === null || v === undefined) {
        (q as Record<string, unknown>)[k] = null;
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issues.push({ code: 'non-finite-number', index, symbol: canonical, message: `${k} is ${String(v)}; set to null`, action: 'fixed' });
        (q as Record<string, unknown>)[k] = null;
      } else if ((k === 'bidSize' || k === 'askSize' || k === 'volume' || k === 'openInterest') && v < 0) {
        issues.push({ code: 'negative-size', index, symbol: canonical, message: `${k} is ${v}; set to null`, action: 'fixed' });
        (q as Record<string, unknown>)[k] = null;
      }
    }
    const key = `${q.root}|${q.expiration}|${q.strike}|${q.right}`;
    const prev = byKey.get(key);
    if (prev) {
      const newer = (q.quoteTime ?? -Infinity) >= (prev.q.quoteTime ?? -Infinity);
      issues.push({ code: 'duplicate', index: newer ? prev.index : index, symbol: canonical, message: `duplicate ${canonical}: kept the ${newer ? 'later' : 'earlier'} quote`, action: 'dropped' });
      if (newer) byKey.set(key, { q, index });
    } else {
      byKey.set(key, { q, index });
    }
  });
  const contracts = [...byKey.values()].map((e) => e.q).sort(compareContracts);
  if (contracts.length === 0) issues.push({ code: 'empty-chain', index: null, symbol: null, message: 'the chain has no usable contracts', action: 'kept' });
  return { snapshot: { ...snapshot, contracts }, issues };
}
