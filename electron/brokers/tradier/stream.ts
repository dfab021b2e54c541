/**
 * Tradier's account event stream (documentation.tradier.com, "Stream Account Events", beta): a
 * session from `POST /v1/accounts/events/session` (valid 5 minutes), a WebSocket to
 * `wss://ws.tradier.com/v1/accounts/events` (`wss://sandbox-ws.tradier.com/…` for paper accounts, or
 * the `url` the session answer names), the subscription `{"events":["order"],"sessionid":…}`, then
 * one `{"event":"order",…}` message per order change and a heartbeat about once a minute.
 *
 * The adapter uses it only as a hint — "order N changed, read it now" — and reads the order over
 * REST, so nothing depends on the stream's undocumented details (which fields a multileg event
 * carries, whether legs come as their own events with `parent_id`). When the stream is down the
 * adapter polls within the rate limit, and the stream is re-opened with a backoff.
 */
import WebSocket from 'ws';
import type { Json } from './http.ts';

export type StreamOptions = {
  /** Creates a session: the WebSocket URL (when Tradier names one) and the session id. */
  openSession(): Promise<{ url: string | null; sessionid: string }>;
  /** Where to connect when the session answer names no URL. */
  defaultUrl: string;
  onOrder(event: Json): void;
  onState(up: boolean, message: string): void;
  retryInitialMs: number;
  retryMaxMs: number;
  /** No message (heartbeat or event) for this long: the stream is presumed dead and re-opened. */
  silenceMs: number;
};

export class AccountStream {
  private readonly opts: StreamOptions;
  private ws: WebSocket | null = null;
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private upValue = false;

  constructor(opts: StreamOptions) {
    this.opts = opts;
    this.delay = opts.retryInitialMs;
  }

  get up(): boolean {
    return this.upValue;
  }

  /** Opens the stream; resolves with whether the first attempt subscribed (it keeps retrying after). */
  start(): Promise<boolean> {
    if (this.running) return Promise.resolve(this.upValue);
    this.running = true;
    return this.attempt();
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closeSocket();
    this.setUp(false, 'Account event stream closed.');
  }

  private async attempt(): Promise<boolean> {
    let session: { url: string | null; sessionid: string };
    try {
      session = await this.opts.openSession();
    } catch (e) {
      this.failed(`Could not open Tradier's account event stream: ${(e as Error).message}`);
      return false;
    }
    if (!this.running) return false;
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (ok: boolean): void => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      const ws = new WebSocket(session.url ?? this.opts.defaultUrl, { handshakeTimeout: 10_000 });
      this.ws = ws;
      ws.on('open', () => {
        ws.send(JSON.stringify({ events: ['order'], sessionid: session.sessionid, excludeAccounts: [] }));
        this.delay = this.opts.retryInitialMs;
        this.watch();
        this.setUp(true, 'Account event stream connected.');
        settle(true);
      });
      ws.on('message', (data) => {
        this.watch();
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return; // not JSON: ignored (the REST read is what counts)
        }
        if (msg && typeof msg === 'object' && (msg as Json).event === 'order') this.opts.onOrder(msg as Json);
      });
      ws.on('error', () => {
        // 'close' follows and decides.
      });
      ws.on('close', (code, reason) => {
        if (this.ws === ws) this.ws = null;
        if (this.silenceTimer) clearTimeout(this.silenceTimer);
        this.silenceTimer = null;
        settle(false);
        this.failed(`Tradier's account event stream closed (${code}${reason.length ? ` ${String(reason)}` : ''}).`);
      });
    });
  }

  /** Restarts the silence watchdog (every message proves the stream alive). */
  private watch(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      this.ws?.terminate();
    }, this.opts.silenceMs);
  }

  private failed(message: string): void {
    this.setUp(false, message);
    if (!this.running || this.retryTimer) return;
    const wait = this.delay;
    this.delay = Math.min(this.opts.retryMaxMs, this.delay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) void this.attempt();
    }, wait);
  }

  private closeSocket(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners('close');
      ws.on('error', () => {});
      ws.terminate();
    }
  }

  private setUp(up: boolean, message: string): void {
    if (this.upValue === up) return;
    this.upValue = up;
    this.opts.onState(up, message);
  }
}
