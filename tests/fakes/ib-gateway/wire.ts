/**
 * TWS socket protocol framing (API v100+), as IB Gateway speaks it:
 * client opens with "API\0" + uint32 BE length + "v100..193"; every later message in both
 * directions is uint32 BE length + NUL-terminated UTF-8 fields (the last one terminated too).
 * See ../shared/reference/ibkr-tws-protocol.md §2.
 */

export type Field = string | number | boolean | null | undefined;

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

/** Incremental reader of the client's byte stream: handshake first, then framed messages. */
export class FrameReader {
  private buf = Buffer.alloc(0);
  private handshakeDone = false;

  /**
   * Feeds bytes; returns the complete units read: `{ handshake: 'v100..193' }` once, then
   * `{ fields: [...] }` per message. Throws on a stream that is not the TWS protocol.
   */
  push(data: Buffer): ({ handshake: string } | { fields: string[] })[] {
    this.buf = Buffer.concat([this.buf, data]);
    const out: ({ handshake: string } | { fields: string[] })[] = [];
    if (!this.handshakeDone) {
      if (this.buf.length < 8) return out;
      if (this.buf.subarray(0, 4).toString('latin1') !== 'API\0') throw new Error('client did not start with "API\\0"');
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) return out;
      out.push({ handshake: this.buf.subarray(8, 8 + len).toString('utf8') });
      this.buf = this.buf.subarray(8 + len);
      this.handshakeDone = true;
    }
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
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
export function ibLocalSymbol(root: string, expirationIso: string, right: string, strike: number): string {
  const yymmdd = ibDate(expirationIso).slice(2);
  return `${root.padEnd(6, ' ')}${yymmdd}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}
