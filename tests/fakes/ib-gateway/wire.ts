/**
 * TWS socket protocol framing (API v100+), as IB Gateway speaks it:
 * client opens with "API\0" + uint32 BE length + "v<min>..<max>" (optionally followed by a space and
 * connect options); every later message in both directions is uint32 BE length + NUL-terminated
 * UTF-8 fields (the last one terminated too). See ../shared/reference/ibkr-tws-protocol.md §2.
 */
import { formatOcc } from '../../../shared/domain/occ.ts';

export type Field = string | number | boolean | null | undefined;

/** IB's largest message (the client refuses anything longer, §2.2). */
export const MAX_MESSAGE_BYTES = 0xff_ffff;
/** A version string is a few characters ("v100..193"); anything this long is not one. */
const MAX_GREETING_BYTES = 1_024;
const PREFIX = Buffer.from('API\0', 'latin1');

/** Encodes one message: fields joined and terminated by NUL, prefixed with its length. */
export function frame(fields: readonly Field[]): Buffer {
  const body = Buffer.from(fields.map(fieldText).join('\0') + '\0', 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

export function fieldText(f: Field): string {
  if (f === null || f === undefined) return '';
  if (f === true) return '1';
  if (f === false) return '0';
  return String(f);
}

/** The client's version range from its greeting, plus any connect options after it. */
export type Greeting = { min: number; max: number; options: string };

/** A byte stream that is not the TWS API protocol (the connection is closed with this reason). */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/** Parses "v100..193", "v100..193 +PACEAPI" or "v176" (min = max). */
export function parseGreeting(text: string): Greeting {
  const m = /^v(\d{1,5})(?:\.\.(\d{1,5}))?(?: (.*))?$/s.exec(text);
  if (!m) throw new ProtocolViolation(`greeting version ${JSON.stringify(text.slice(0, 40))} is not "v<min>..<max>"`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min > max) throw new ProtocolViolation(`greeting version range ${text} is empty`);
  return { min, max, options: m[3] ?? '' };
}

/**
 * Incremental reader of the client's byte stream: the greeting first, then framed messages.
 * Throws ProtocolViolation as soon as the bytes cannot be the protocol (a wrong first byte is
 * enough), so a stranger is refused at once instead of being waited for.
 */
export class FrameReader {
  private buf = Buffer.alloc(0);
  private greeted = false;

  push(data: Buffer): ({ greeting: Greeting } | { fields: string[] })[] {
    this.buf = Buffer.concat([this.buf, data]);
    const out: ({ greeting: Greeting } | { fields: string[] })[] = [];
    if (!this.greeted) {
      const head = this.buf.subarray(0, Math.min(4, this.buf.length));
      if (!head.equals(PREFIX.subarray(0, head.length))) throw new ProtocolViolation('the client did not start with "API\\0" (not a TWS API v100+ client)');
      if (this.buf.length < 8) return out;
      const len = this.buf.readUInt32BE(4);
      if (len === 0 || len > MAX_GREETING_BYTES) throw new ProtocolViolation(`greeting length ${len} is not a version string`);
      if (this.buf.length < 8 + len) return out;
      out.push({ greeting: parseGreeting(this.buf.subarray(8, 8 + len).toString('latin1')) });
      this.buf = this.buf.subarray(8 + len);
      this.greeted = true;
    }
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_MESSAGE_BYTES) throw new ProtocolViolation(`message length ${len} exceeds IB's maximum ${MAX_MESSAGE_BYTES}`);
      if (this.buf.length < 4 + len) break;
      const text = this.buf.subarray(4, 4 + len).toString('utf8');
      this.buf = this.buf.subarray(4 + len);
      const fields = text.split('\0');
      if (fields[fields.length - 1] === '') fields.pop();
      out.push({ fields });
    }
    return out;
  }
}

/** `2025-03-21` → `20250321`. */
export const ibDate = (iso: string): string => iso.replaceAll('-', '');
/** `20250321` → `2025-03-21`. */
export const isoDate = (ib: string): string => `${ib.slice(0, 4)}-${ib.slice(4, 6)}-${ib.slice(6, 8)}`;

/** IB's localSymbol for a US option: OCC symbol with the root padded to 6 characters. */
export function ibLocalSymbol(root: string, expirationIso: string, right: 'C' | 'P', strike: number): string {
  return formatOcc({ root, expiration: expirationIso, right, strike }, 'padded');
}

/**
 * Where the request id sits in each client → server message at server version 193 (index into the
 * fields, msg id at 0), from @stoqey/ib's encoder and IB's EClient: messages with a version field
 * carry it at 2, those without at 1; `null` = the message has no request id (errors go to id −1).
 * Names are IB's OUT message names (for error texts).
 */
export const REQUESTS: Readonly<Record<number, { name: string; reqId: number | null }>> = {
  1: { name: 'REQ_MKT_DATA', reqId: 2 }, 2: { name: 'CANCEL_MKT_DATA', reqId: 2 }, 3: { name: 'PLACE_ORDER', reqId: 1 },
  4: { name: 'CANCEL_ORDER', reqId: 1 }, 5: { name: 'REQ_OPEN_ORDERS', reqId: null }, 6: { name: 'REQ_ACCOUNT_DATA', reqId: null },
  7: { name: 'REQ_EXECUTIONS', reqId: 2 }, 8: { name: 'REQ_IDS', reqId: null }, 9: { name: 'REQ_CONTRACT_DATA', reqId: 2 },
  10: { name: 'REQ_MKT_DEPTH', reqId: 2 }, 11: { name: 'CANCEL_MKT_DEPTH', reqId: 2 }, 12: { name: 'REQ_NEWS_BULLETINS', reqId: null },
  13: { name: 'CANCEL_NEWS_BULLETINS', reqId: null }, 14: { name: 'SET_SERVER_LOGLEVEL', reqId: null }, 15: { name: 'REQ_AUTO_OPEN_ORDERS', reqId: null },
  16: { name: 'REQ_ALL_OPEN_ORDERS', reqId: null }, 17: { name: 'REQ_MANAGED_ACCTS', reqId: null }, 18: { name: 'REQ_FA', reqId: null },
  19: { name: 'REPLACE_FA', reqId: null }, 20: { name: 'REQ_HISTORICAL_DATA', reqId: 1 }, 21: { name: 'EXERCISE_OPTIONS', reqId: 2 },
  22: { name: 'REQ_SCANNER_SUBSCRIPTION', reqId: 1 }, 23: { name: 'CANCEL_SCANNER_SUBSCRIPTION', reqId: 2 }, 24: { name: 'REQ_SCANNER_PARAMETERS', reqId: null },
  25: { name: 'CANCEL_HISTORICAL_DATA', reqId: 2 }, 49: { name: 'REQ_CURRENT_TIME', reqId: null }, 50: { name: 'REQ_REAL_TIME_BARS', reqId: 2 },
  51: { name: 'CANCEL_REAL_TIME_BARS', reqId: 2 }, 52: { name: 'REQ_FUNDAMENTAL_DATA', reqId: 2 }, 53: { name: 'CANCEL_FUNDAMENTAL_DATA', reqId: 2 },
  54: { name: 'REQ_CALC_IMPLIED_VOLAT', reqId: 2 }, 55: { name: 'REQ_CALC_OPTION_PRICE', reqId: 2 }, 56: { name: 'CANCEL_CALC_IMPLIED_VOLAT', reqId: 2 },
  57: { name: 'CANCEL_CALC_OPTION_PRICE', reqId: 2 }, 58: { name: 'REQ_GLOBAL_CANCEL', reqId: null }, 59: { name: 'REQ_MARKET_DATA_TYPE', reqId: null },
  61: { name: 'REQ_POSITIONS', reqId: null }, 62: { name: 'REQ_ACCOUNT_SUMMARY', reqId: 2 }, 63: { name: 'CANCEL_ACCOUNT_SUMMARY', reqId: 2 },
  64: { name: 'CANCEL_POSITIONS', reqId: null }, 65: { name: 'VERIFY_REQUEST', reqId: null }, 66: { name: 'VERIFY_MESSAGE', reqId: null },
  67: { name: 'QUERY_DISPLAY_GROUPS', reqId: 2 }, 68: { name: 'SUBSCRIBE_TO_GROUP_EVENTS', reqId: 2 }, 69: { name: 'UPDATE_DISPLAY_GROUP', reqId: 2 },
  70: { name: 'UNSUBSCRIBE_FROM_GROUP_EVENTS', reqId: 2 }, 71: { name: 'START_API', reqId: null }, 72: { name: 'VERIFY_AND_AUTH_REQUEST', reqId: null },
  73: { name: 'VERIFY_AND_AUTH_MESSAGE', reqId: null }, 74: { name: 'REQ_POSITIONS_MULTI', reqId: 2 }, 75: { name: 'CANCEL_POSITIONS_MULTI', reqId: 2 },
  76: { name: 'REQ_ACCOUNT_UPDATES_MULTI', reqId: 2 }, 77: { name: 'CANCEL_ACCOUNT_UPDATES_MULTI', reqId: 2 }, 78: { name: 'REQ_SEC_DEF_OPT_PARAMS', reqId: 1 },
  79: { name: 'REQ_SOFT_DOLLAR_TIERS', reqId: 1 }, 80: { name: 'REQ_FAMILY_CODES', reqId: null }, 81: { name: 'REQ_MATCHING_SYMBOLS', reqId: 1 },
  82: { name: 'REQ_MKT_DEPTH_EXCHANGES', reqId: null }, 83: { name: 'REQ_SMART_COMPONENTS', reqId: 1 }, 84: { name: 'REQ_NEWS_ARTICLE', reqId: 1 },
  85: { name: 'REQ_NEWS_PROVIDERS', reqId: null }, 86: { name: 'REQ_HISTORICAL_NEWS', reqId: 1 }, 87: { name: 'REQ_HEAD_TIMESTAMP', reqId: 1 },
  88: { name: 'REQ_HISTOGRAM_DATA', reqId: 1 }, 89: { name: 'CANCEL_HISTOGRAM_DATA', reqId: 1 }, 90: { name: 'CANCEL_HEAD_TIMESTAMP', reqId: 1 },
  91: { name: 'REQ_MARKET_RULE', reqId: null }, 92: { name: 'REQ_PNL', reqId: 1 }, 93: { name: 'CANCEL_PNL', reqId: 1 },
  94: { name: 'REQ_PNL_SINGLE', reqId: 1 }, 95: { name: 'CANCEL_PNL_SINGLE', reqId: 1 }, 96: { name: 'REQ_HISTORICAL_TICKS', reqId: 1 },
  97: { name: 'REQ_TICK_BY_TICK_DATA', reqId: 1 }, 98: { name: 'CANCEL_TICK_BY_TICK_DATA', reqId: 1 }, 99: { name: 'REQ_COMPLETED_ORDERS', reqId: null },
  100: { name: 'REQ_WSH_META_DATA', reqId: 1 }, 101: { name: 'CANCEL_WSH_META_DATA', reqId: 1 }, 102: { name: 'REQ_WSH_EVENT_DATA', reqId: 1 },
  103: { name: 'CANCEL_WSH_EVENT_DATA', reqId: 1 }, 104: { name: 'REQ_USER_INFO', reqId: 1 },
};
