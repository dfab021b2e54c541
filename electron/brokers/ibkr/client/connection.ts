/**
 * The IB socket session through `@stoqey/ib`'s IBApi: connect with a handshake timeout and
 * classified errors, reconnect with exponential back-off, re-run registered "on (re)connect" hooks
 * (re-subscription, reconciliation), and route request-scoped events/errors by request id.
 */
import { EventName, IBApi } from '@stoqey/ib';
import { BrokerError, type ConnectionStatus } from '../../port.ts';
import type { IbkrConfig } from '../config.ts';
import { connectError, handshakeTimeout, INFO_CODES, requestError } from '../parsing/errors.ts';

export type RequestHandler = {
  what: string;
  /** Called with an IB error aimed at this request id; return true if handled (keeps waiting). */
  onError(err: BrokerError): boolean | void;
};

export class IbConnection {
  readonly api: IBApi;
  readonly config: IbkrConfig;
  private statusValue: ConnectionStatus;
  private readonly onStatus: (s: ConnectionStatus) => void;
  private readonly onNotice: (level: 'info' | 'warn' | 'error', message: string, code: number | null) => void;
  private readonly requests = new Map<number, RequestHandler>();
  private readonly orderErrorHandlers: ((orderId: number, err: BrokerError) => boolean)[] = [];
  private readonly connectHooks: ((reconnect: boolean) => void)[] = [];
  private nextReqIdValue = 10_000;
  private nextOrderIdValue = 0;
  private wanted = false;
  private everConnected = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pending: { resolve: () => void; reject: (e: BrokerError) => void; timer: NodeJS.Timeout } | null = null;
  /** Accounts from managedAccounts (kept private; never logged). */
  accounts: string[] = [];

  constructor(
    config: IbkrConfig,
    hooks: { onStatus: (s: ConnectionStatus) => void; onNotice: (level: 'info' | 'warn' | 'error', message: string, code: number | null) => void },
  ) {
    this.config = config;
    this.onStatus = hooks.onStatus;
    this.onNotice = hooks.onNotice;
    this.statusValue = { state: 'disconnected', message: 'Not connected to IB Gateway.', paper: !config.live, error: null };
    this.api = new IBApi({ host: config.host, port: config.port, maxReqPerSec: config.maxRequestsPerSecond });
    this.api.on(EventName.nextValidId, (id: number) => this.onNextValidId(id));
    this.api.on(EventName.managedAccounts, (list: string) => {
      this.accounts = list.split(',').filter(Boolean);
    });
    this.api.on(EventName.disconnected, () => this.onDisconnected());
    this.api.on(EventName.info, (message: string, code: number) => this.onInfo(message, code));
    this.api.on(EventName.error, (err: Error, code: number, reqId: number) => this.onError(err, code, reqId));
  }

  status(): ConnectionStatus {
    return this.statusValue;
  }
  isConnected(): boolean {
    return this.statusValue.state === 'connected';
  }

  /** Connects; resolves on nextValidId, rejects with a classified BrokerError. */
  connect(): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    this.wanted = true;
    this.attempts = 0;
    return this.attempt();
  }

  private attempt(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.failPending(handshakeTimeout(this.config.host, this.config.port)), this.config.connectTimeoutMs);
      this.pending = { resolve, reject, timer };
      this.setStatus({ state: this.everConnected ? 'reconnecting' : 'connecting', message: `Connecting to IB Gateway on ${this.config.host}:${this.config.port}…`, paper: !this.config.live, error: null });
      this.api.connect(this.config.clientId);
    });
  }

  private failPending(err: BrokerError): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    try {
      this.api.disconnect();
    } catch {
      // already down
    }
    if (this.everConnected && this.wanted) {
      this.scheduleReconnect(err);
      p.reject(err);
      return;
    }
    this.wanted = false;
    this.setStatus({ state: 'error', message: err.message, paper: !this.config.live, error: err.kind });
    p.reject(err);
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.pending) this.failPending(new BrokerError('not-connected', 'Disconnected by the user.'));
    if (this.api.isConnected) this.api.disconnect();
    this.setStatus({ state: 'disconnected', message: 'Disconnected from IB Gateway.', paper: !this.config.live, error: null });
  }

  /** Registers a hook run after every successful (re)connect (argument: true on a reconnect). */
  onConnected(fn: (reconnect: boolean) => void): void {
    this.connectHooks.push(fn);
  }
  /** Registers a handler for errors aimed at order ids. */
  onOrderError(fn: (orderId: number, err: BrokerError) => boolean): void {
    this.orderErrorHandlers.push(fn);
  }

  nextReqId(): number {
    return ++this.nextReqIdValue;
  }
  nextOrderId(): number {
    return this.nextOrderIdValue++;
  }

  register(reqId: number, h: RequestHandler): () => void {
    this.requests.set(reqId, h);
    return () => this.requests.delete(reqId);
  }

  /** Fails if not connected, with the standard message. */
  requireConnected(what: string): void {
    if (!this.isConnected()) throw new BrokerError('not-connected', `Not connected to IB Gateway on ${this.config.host}:${this.config.port} — cannot ${what}. Connect first (the app retries automatically after a drop).`);
  }

  private setStatus(s: ConnectionStatus): void {
    const prev = this.statusValue;
    this.statusValue = s;
    if (prev.state !== s.state || prev.message !== s.message) this.onStatus(s);
  }

  private onNextValidId(id: number): void {
    this.nextOrderIdValue = Math.max(this.nextOrderIdValue, id);
    if (this.isConnected()) return; // reply to reqIds
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.attempts = 0;
    this.setStatus({ state: 'connected', message: `Connected to IB Gateway on ${this.config.host}:${this.config.port} (${this.config.live ? 'live' : 'paper'}).`, paper: !this.config.live, error: null });
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.resolve();
    }
    for (const h of this.connectHooks) {
      try {
        h(reconnect);
      } catch (e) {
        this.onNotice('error', `after connecting: ${(e as Error).message}`, null);
      }
    }
  }

  private onDisconnected(): void {
    for (const [id, h] of this.requests) {
      this.requests.delete(id);
      h.onError(new BrokerError('not-connected', `Lost the connection to IB Gateway while waiting for ${h.what}.`));
    }
    if (this.pending) {
      this.failPending(handshakeTimeout(this.config.host, this.config.port));
      return;
    }
    if (!this.wanted) {
      this.setStatus({ state: 'disconnected', message: 'Disconnected from IB Gateway.', paper: !this.config.live, error: null });
      return;
    }
    this.scheduleReconnect(new BrokerError('not-connected', 'The connection to IB Gateway dropped.'));
  }

  private scheduleReconnect(cause: BrokerError): void {
    if (this.reconnectTimer || !this.wanted) return;
    const { initialMs, maxMs, maxAttempts } = this.config.reconnect;
    this.attempts++;
    if (maxAttempts > 0 && this.attempts > maxAttempts) {
      this.wanted = false;
      this.setStatus({ state: 'error', message: `${cause.message} Gave up after ${maxAttempts} reconnect attempts — check IB Gateway and press Connect.`, paper: !this.config.live, error: cause.kind });
      return;
    }
    const delay = Math.min(maxMs, initialMs * 2 ** (this.attempts - 1));
    this.setStatus({ state: 'reconnecting', message: `${cause.message} Reconnecting in ${Math.round(delay / 100) / 10} s (attempt ${this.attempts}).`, paper: !this.config.live, error: cause.kind });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.wanted) return;
      this.attempt().catch(() => {
        // failPending already scheduled the next attempt or reported the final error
      });
    }, delay);
  }

  private onInfo(message: string, code: number): void {
    if (code === 1100 || code === 2110) {
      this.onNotice('warn', `IB Gateway lost its connection to IB's servers (IB ${code}); orders and data resume when it is restored.`, code);
    } else if (code === 1101) {
      this.onNotice('warn', 'IB connectivity restored but market-data subscriptions were lost (IB 1101); re-subscribing.', code);
      for (const h of this.connectHooks) h(true);
    } else if (code === 1102) {
      this.onNotice('info', 'IB connectivity restored; data maintained (IB 1102).', code);
    } else if (code === 326) {
      this.failPending(connectError(326, message, this.config.host, this.config.port, this.config.clientId));
    } else if (code === 100) {
      this.onNotice('error', `IB says more than 50 messages per second were sent (IB 100).`, code);
    } else if (code === 504 || code === 501) {
      // library bookkeeping ("not connected", "already connected")
    } else if (!INFO_CODES.has(code)) {
      this.onNotice('info', `IB ${code}: ${message}`, code);
    }
  }

  private onError(err: Error, code: number, reqId: number): void {
    const text = err?.message ?? String(err);
    if (this.pending && (code === 502 || code === 503 || code === 506 || code === 326)) {
      this.failPending(connectError(code, text, this.config.host, this.config.port, this.config.clientId));
      return;
    }
    if (code === 505 || reqId === undefined || reqId === -1) {
      const e = requestError(code, text, 'a message');
      this.onNotice(code === 505 ? 'warn' : 'error', e.message, code);
      return;
    }
    if (code === 10167 || INFO_CODES.has(code)) {
      this.onNotice('info', `IB ${code}: ${text}`, code);
      return;
    }
    const h = this.requests.get(reqId);
    if (h) {
      h.onError(requestError(code, text, h.what));
      return;
    }
    for (const fn of this.orderErrorHandlers) if (fn(reqId, requestError(code, text, `#${reqId}`))) return;
    this.onNotice('warn', requestError(code, text, `request ${reqId}`).message, code);
  }
}
