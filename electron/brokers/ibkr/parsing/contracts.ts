/**
 * Pure translation between IB contracts/executions and the domain (unit-tested).
 * Contract resolution rules: SPX is an index on CBOE; SPX options trade as SPXW (PM-settled
 * dailies/weeklies) and SPX (AM-settled monthlies), told apart by trading class; SPY is a stock
 * (SMART, primary ARCA) with SPY options.
 */
import type { Contract as IbContract } from '@stoqey/ib';
import { SecType } from '@stoqey/ib';
import type { OptionRoot, Right } from '../../../../shared/domain/chain.ts';
import { etDayToEpoch, isEtZone } from '../../../../shared/time/et.ts';
import type { Contract, QuoteSymbol } from '../../port.ts';
import { instrument, isOptionRoot, underlyingOf } from '../../../../shared/domain/instruments.ts';

export const ibDate = (iso: string): string => iso.replaceAll('-', '');
export const isoDate = (ib: string): string => `${ib.slice(0, 4)}-${ib.slice(4, 6)}-${ib.slice(6, 8)}`;

/** The IB contract to quote one of the port's symbols. */
export function quoteContract(symbol: QuoteSymbol): IbContract {
  if (symbol === 'SPY') return { symbol: 'SPY', secType: SecType.STK, exchange: 'SMART', primaryExch: 'ARCA', currency: 'USD' };
  return { symbol, secType: SecType.IND, exchange: 'CBOE', currency: 'USD' };
}

/** A query for one option (or every option of an expiration when strike/right are omitted). */
export function optionQuery(root: OptionRoot, expiration: string, strike?: number, right?: Right): IbContract {
  return {
    symbol: underlyingOf(root),
    secType: SecType.OPT,
    lastTradeDateOrContractMonth: ibDate(expiration),
    ...(strike !== undefined ? { strike } : {}),
    ...(right !== undefined ? { right: right as unknown as IbContract['right'] } : {}),
    exchange: 'SMART',
    currency: 'USD',
    tradingClass: root,
    multiplier: instrument(root).multiplier,
  };
}

/** Domain contract of an IB contract (positions, executions); null for what the app does not trade. */
export function domainContract(c: IbContract): Contract | null {
  if (c.secType === SecType.STK && c.symbol === 'SPY') return { kind: 'stock', symbol: 'SPY' };
  if (c.secType !== SecType.OPT) return null;
  const root = (c.tradingClass || c.symbol) as string;
  if (!isOptionRoot(root)) return null;
  const exp = String(c.lastTradeDateOrContractMonth ?? '').slice(0, 8);
  const right = String(c.right ?? '').startsWith('C') ? 'C' : String(c.right ?? '').startsWith('P') ? 'P' : null;
  if (exp.length !== 8 || right === null || c.strike === undefined) return null;
  return { kind: 'option', underlying: underlyingOf(root), root, expiration: isoDate(exp), strike: c.strike, right };
}

const TZ_OFFSET_CACHE = new Map<string, Intl.DateTimeFormat>();
/** Offset of `timeZone` from UTC at `utcMs`, in ms. */
function tzOffset(timeZone: string, utcMs: number): number {
  let f = TZ_OFFSET_CACHE.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    TZ_OFFSET_CACHE.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - utcMs;
}

/** IB time text (`20250103 10:01:02 US/Eastern`, `… UTC`, `20250103-15:01:02`, or epoch seconds) → epoch ms; null if unreadable. */
export function parseIbTime(text: string): number | null {
  const t = text.trim();
  if (/^\d{9,10}$/.test(t)) return Number(t) * 1000;
  const m = /^(\d{4})(\d{2})(\d{2})[ -]+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(t);
  if (!m) return null;
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const zone = m[7] ?? 'UTC';
  if (zone === 'UTC' || zone === 'GMT') return local;
  // US Eastern (what IB writes for an ET login): the one ET module; any other zone: Intl.
  if (isEtZone(zone)) {
    const day = Math.floor(local / 86_400_000);
    return etDayToEpoch(day, local - day * 86_400_000);
  }
  try {
    // Two passes settle the offset across DST changes.
    const first = local - tzOffset(zone, local);
    return local - tzOffset(zone, first);
  } catch {
    return null;
  }
}
