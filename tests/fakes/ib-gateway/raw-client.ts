/**
 * A second, independent TWS API client for probing the fake IB Gateway: raw TCP, bytes written by
 * hand from ../shared/reference/ibkr-tws-protocol.md §2 (not the fake's wire.ts, not @stoqey/ib):
 *
 *   greeting   "API\0" + uint32 BE length + "v<min>..<max>"        (no NUL after the version string)
 *   messages   uint32 BE length + fields, each terminated by NUL    (both directions)
 *
 * The first framed message from the server is the handshake reply [serverVersion, connectionTime];
 * everything after it is [msgId, ...fields]. Waits are event-driven with a deadline (a guard
 * against hanging, never a timed assertion).
 */
import net from 'node:net';

export type RawMessage = string[];

export class RawTwsClient {
  readonly socket: net.Socket;
  /** Every framed message received, in order (the handshake reply first). */
  readonly messages: RawMessage[] = [];
  /** Bytes received that did not (yet) form a whole frame. */
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;
  error: Error | null = null;
  /** Total bytes received. */
  bytes = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.bytes += d.length;
      this.pending = Buffer.concat([this.pending, d]);
      while (this.pending.length >= 4) {
        const len = this.pending.readUInt32BE(0);
        if (this.pending.length < 4 + len) break;
        const body = this.pending.subarray(4, 4 + len).toString('utf8');
        this.pending = this.pending.subarray(4 + len);
        const fields = body.split('\0');
        fields.pop(); // the last field is NUL-terminated too
        this.messages.push(fields);
      }
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.ended = true;
      this.wake();
    });
  }

  /** Opens a TCP connection (rejects with the socket error, e.g. ECONNREFUSED). */
  static connect(port: number, host = '127.0.0.1'): Promise<RawTwsClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawTwsClient(s));
      });
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Raw bytes, exactly as given. */
  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** The v100+ greeting: "API\0", then the version range as a length-prefixed string. */
  greet(range: string): void {
    const text = Buffer.from(range, 'ascii');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(text.length);
    this.write(Buffer.concat([Buffer.from('API\0', 'latin1'), len, text]));
  }

  /** One framed message: fields NUL-terminated, prefixed with the body length. */
  send(fields: readonly (string | number)[]): void {
    const body = Buffer.from(fields.map(String).join('\0') + '\0', 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    this.write(Buffer.concat([len, body]));
  }

  /** START_API (msg 71, version 2, client id, optional capabilities ""). */
  startApi(clientId: number): void {
    this.send([71, 2, clientId, '']);
  }

  /** Waits until `pred` holds over the messages (or the socket ends); returns the first match. */
  async waitFor(pred: (m: RawMessage) => boolean, what: string, ms = 5_000): Promise<RawMessage> {
    const deadline = performance.now() + ms;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (this.ended) throw new Error(`connection ended before ${what}; got ${JSON.stringify(this.messages)}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until the server closes the connection. */
  async waitEnd(what: string, ms = 5_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!this.ended) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`the server did not close the connection (${what}) within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * A round trip that proves everything the server sent before it has arrived: reqCurrentTime
   * (msg 49) is answered in order, so messages before its reply were sent before it.
   */
  async sync(): Promise<number> {
    const mark = this.messages.length;
    this.send([49, 1]);
    await this.waitFor((m) => this.messages.indexOf(m) >= mark && m[0] === '49', 'the current-time reply');
    return mark;
  }

  /** Messages received after index `from`. */
  since(from: number): RawMessage[] {
    return this.messages.slice(from);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Handshake + START_API; resolves once nextValidId (msg 9) has arrived. */
export async function rawSession(port: number, clientId: number, range = 'v100..193'): Promise<RawTwsClient> {
  const c = await RawTwsClient.connect(port);
  c.greet(range);
  await c.waitFor((m) => m.length === 2, 'the handshake reply');
  c.startApi(clientId);
  await c.waitFor((m) => m[0] === '9', 'nextValidId');
  return c;
}
