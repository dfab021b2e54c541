/**
 * The IB socket session through `@stoqey/ib`'s IBApi: connect with a handshake timeout and
 * classified errors, reconnect with exponential back-off, re-run registered hooks after a
 * (re)connect and after IB's "data lost" notice (re-subscription), and route request-scoped events
 * and errors by request id.
 *
 * Two things make the connection usable, and the status says which one is missing:
 * - the API session with IB Gateway (TCP + handshake + nextValidId);
 * - IB Gateway's own link to IB's servers: 1100/2110 say it is lost (quotes stop, orders cannot
 *   reach IB), 1101/1102 that it is back (1101: market data must be re-requested). While it is lost
 *   the status is `reconnecting` ("connectivity lost"), not an error, and nothing is sent.
 *
 * Every request the adapter waits for goes through `awaitAnswer`: it ends with the answer, the IB
 * error aimed at its request id, `not-connected` when the connection drops first, or `timeout` —
 * never a hang, never a silently partial answer.
 *
 * A session is up once IB Gateway has sent both nextValidId and the accounts it is logged in to
 * (managedAccounts; TWS sends it first, else it is asked for): what the account is (paper DU…, live
 * U…) is known — and said in the status — before anything can be sent, on every (re)connection, since
 * IB Gateway may have been logged in to another account meanwhile.
 *
 * IB Gateway's daily restart (and the weekly re-login) is known in advance (restart-window.ts):
 * inside the window a drop or a refused connection is "broker restarting (…, back at ~HH:MM ET)",
 * reconnect attempts go on without counting towards `maxAttempts`, and the status is never an error.
 */
import { EventName, IBApi } from '@stoqey/ib';
import { BrokerError, type AccountType, type BrokerMaintenance, type Clock, type ConnectionStatus } from '../../port.ts';
import type { IbkrConfig } from '../config.ts';
import { ibAccountType } from '../parsing/accounts.ts';
import { connectError, handshakeTimeout, INFO_CODES, requestError } from '../parsing/errors.ts';
import { restartWindowAt, WEEKLY_LOGIN_MESSAGE } from '../restart-window.ts';

export type RequestHandler = {
  what: string;
  /** Called with an IB error aimed at this request id; return true if handled (keeps waiting). */
  onError(err: BrokerError): boolean | void;
};

/** Why the connect hooks run: a first connect, a reconnect, or IB's 1101 (subscriptions lost). */
export type ConnectReason = 'connect' | 'reconnect' | 'data-lost';

/** How an `awaitAnswer` request reports its answer. */
export type Settle<T> = { resolve(value: T): void; reject(err: BrokerError): void };

type Notice = (level: 'info' | 'warn' | 'error', message: string, code: number | null) => void;

/** Longer than @stoqey/ib's rate-limit interval (100 ms): no message left in its queue after this quiet time. */
const RATE_LIMIT_QUIET_MS = 150;

export class IbConnection {
  readonly api: IBApi;
  readonly config: IbkrConfig;
  private readonly clock: Clock;
  private statusValue: ConnectionStatus;
  private readonly onStatus: (s: ConnectionStatus) => void;
  private readonly onNotice: Notice;
  private readonly requests = new Map<number, RequestHandler>();
  /** Waits without a request id (positions, open orders): failed when the connection drops. */
  private readonly dropWaiters = new Set<(err: BrokerError) => void>();
  private readonly orderErrorHandlers: ((orderId: number, err: BrokerError) => boolean)[] = [];
  private readonly connectHooks: ((reason: ConnectReason) => void)[] = [];
  private nextReqIdValue = 10_000;
  private nextOrderIdValue = 0;
  /** The API session: down, handshaking, or up (nextValidId received). */
  private session: 'down' | 'connecting' | 'up' = 'down';
  /** IB Gateway's link to IB's servers (false between 1100/2110 and 1101/1102). */
  private ibLink = true;
  private wanted = false;
  private everConnected = false;
  private attempts = 0;
  /** Set when the Gateway went away in its weekly re-login window: it stays down until someone logs in. */
  private awaitingLogin = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** @stoqey/ib's rate limiter wrote a message while no session was up (see scheduleReconnect). */
  private sentWhileDown = false;
  private pending: { resolve: () => void; reject: (e: BrokerError) => void; timer: NodeJS.Timeout } | null = null;
  /** Accounts from managedAccounts of the current session (kept private; never logged: see accountType()). */
  accounts: string[] = [];
  /** This session's managedAccounts and nextValidId have arrived (both are needed to be up). */
  private accountsKnown = false;
  private nextIdSeen = false;

  constructor(config: IbkrConfig, hooks: { clock: Clock; onStatus: (s: ConnectionStatus) => void; onNotice: Notice }) {
    this.config = config;
    this.clock = hooks.clock;
    this.onStatus = hooks.onStatus;
    this.onNotice = hooks.onNotice;
    this.statusValue = { state: 'disconnected', message: 'Not connected to IB Gateway.', paper: this.paperNow(), error: null };
    this.api = new IBApi({ host: config.host, port: config.port, maxReqPerSec: config.maxRequestsPerSecond });
    this.api.on(EventName.nextValidId, (id: number) => this.onNextValidId(id));
    this.api.on(EventName.managedAccounts, (list: string) => {
      this.accounts = list.split(',').map((a) => a.trim()).filter(Boolean);
      this.accountsKnown = true;
      if (this.session === 'connecting' && this.nextIdSeen) this.up();
    });
    this.api.on(EventName.disconnected, () => this.onDisconnected());
    this.api.on(EventName.sent, () => {
      if (this.session !== 'up') this.sentWhileDown = true;
    });
    this.api.on(EventName.info, (message: string, code: number) => this.onInfo(message, code));
    this.api.on(EventName.error, (err: Error, code: number, reqId: number) => this.onError(err, code, reqId));
  }

  status(): ConnectionStatus {
    return this.statusValue;
  }
  /** Usable: the API session is up and IB Gateway is connected to IB. */
  isConnected(): boolean {
    return this.session === 'up' && this.ibLink;
  }

  /** IB Gateway's restart window at `now`, if any. */
  maintenanceAt(now: number): BrokerMaintenance | null {
    return restartWindowAt(now, this.config.restart);
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
      this.session = 'connecting';
      // What the account is, is learnt again on every connection (IB Gateway may be logged in to another one now).
      this.accounts = [];
      this.accountsKnown = false;
      this.nextIdSeen = false;
      const window = this.restartNotice();
      this.setStatus({
        state: this.everConnected || window ? 'reconnecting' : 'connecting',
        message: window ? `${window} — reconnecting…` : `Connecting to IB Gateway on ${this.config.host}:${this.config.port}…`,
        paper: this.paperNow(),
        error: null,
      });
      this.api.connect(this.config.clientId);
    });
  }

  private failPending(err: BrokerError): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    this.session = 'down';
    this.noteWeeklyLogin();
    try {
      this.api.disconnect();
    } catch {
      // already down
    }
    // After a first success, and whenever IB Gateway is known to be restarting, keep trying.
    if (this.wanted && (this.everConnected || this.restartNotice() !== null)) {
      this.scheduleReconnect(err);
      const window = this.restartNotice();
      p.reject(window ? new BrokerError('not-connected', `IB Gateway on ${this.config.host}:${this.config.port} is not available: ${window}. Thetadesk reconnects by itself.`, err.code) : err);
      return;
    }
    this.wanted = false;
    this.setStatus({ state: 'error', message: err.message, paper: this.paperNow(), error: err.kind });
    p.reject(err);
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.pending) this.failPending(new BrokerError('not-connected', 'Disconnected by the user.'));
    if (this.api.isConnected) this.api.disconnect();
    this.session = 'down';
    this.setStatus({ state: 'disconnected', message: 'Disconnected from IB Gateway.', paper: this.paperNow(), error: null });
  }

  /** Registers a hook run after every successful (re)connect and after IB's 1101 (data lost). */
  onConnected(fn: (reason: ConnectReason) => void): void {
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
    return () => {
      if (this.requests.get(reqId) === h) this.requests.delete(reqId);
    };
  }

  /**
   * One request IB answers later. `start(settle)` sends it, calls `settle.resolve(value)` once the
   * answer is complete, and returns its clean-up (listeners to remove). The promise fails — never
   * hangs — with the IB error aimed at `reqId`, with `not-connected` when the connection drops
   * first, or with `timeout` after `requestTimeoutMs`.
   */
  awaitAnswer<T>(what: string, reqId: number | null, start: (settle: Settle<T>) => (() => void) | void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let cleanup: (() => void) | void = undefined;
      const finish = (err: BrokerError | null, value?: T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.dropWaiters.delete(onDrop);
        unregister?.();
        cleanup?.();
        if (err) reject(err);
        else resolve(value as T);
      };
      const onDrop = (err: BrokerError): void => finish(err);
      const ms = this.config.requestTimeoutMs;
      const timer = setTimeout(() => finish(new BrokerError('timeout', `IB Gateway did not answer the request for ${what} within ${ms} ms.`)), ms);
      this.dropWaiters.add(onDrop);
      const unregister = reqId === null ? null : this.register(reqId, { what, onError: (e) => finish(e) });
      try {
        cleanup = start({ resolve: (v) => finish(null, v), reject: (e) => finish(e) });
        if (done) cleanup?.();
      } catch (e) {
        finish(e instanceof BrokerError ? e : new BrokerError('server', `Could not send the request for ${what}: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  /** Fails if not usable, with the standard message. */
  requireConnected(what: string): void {
    if (this.isConnected()) return;
    if (this.session === 'up') {
      throw new BrokerError('not-connected', `IB Gateway has lost its connection to IB's servers (IB 1100) — cannot ${what} until it is restored.`, 1100);
    }
    const window = this.restartNotice();
    if (window) throw new BrokerError('not-connected', `IB Gateway is not available — ${window} — cannot ${what} until it is back.`);
    throw new BrokerError('not-connected', `Not connected to IB Gateway on ${this.config.host}:${this.config.port} — cannot ${what}. Connect first (the app retries automatically after a drop).`);
  }

  /** The restart notice while IB Gateway is (expected to be) restarting, else null. */
  private restartNotice(): string | null {
    const w = this.maintenanceAt(this.clock.now());
    if (w) return w.message;
    return this.awaitingLogin ? WEEKLY_LOGIN_MESSAGE : null;
  }

  /** A drop or refusal inside the weekly re-login window: the Gateway stays down until someone logs in. */
  private noteWeeklyLogin(): void {
    if (this.maintenanceAt(this.clock.now())?.kind === 'weekly-login') this.awaitingLogin = true;
  }

  private setStatus(s: ConnectionStatus): void {
    const prev = this.statusValue;
    this.statusValue = s;
    if (prev.state !== s.state || prev.message !== s.message) this.onStatus(s);
  }

  /** What the account of this session is (IB's managedAccounts), null before IB Gateway has said. */
  accountType(): AccountType | null {
    return this.accountsKnown ? ibAccountType(this.accounts) : null;
  }

  /** The paper flag of the status: what the account is once known, before that what the settings ask for. */
  private paperNow(): boolean {
    const t = this.accountsKnown ? ibAccountType(this.accounts) : null;
    return t && t.kind !== 'unknown' ? t.kind === 'paper' : !this.config.live;
  }

  private setConnected(): void {
    const t = this.accountType();
    const account = t === null ? 'no account named' : t.kind === 'unknown' ? `account ${t.account}, paper or live unknown` : `${t.kind} account ${t.account}`;
    this.setStatus({ state: 'connected', message: `Connected to IB Gateway on ${this.config.host}:${this.config.port} (${account}).`, paper: this.paperNow(), error: null });
  }

  private runHooks(reason: ConnectReason): void {
    for (const h of this.connectHooks) {
      try {
        h(reason);
      } catch (e) {
        this.onNotice('error', `after connecting: ${(e as Error).message}`, null);
      }
    }
  }

  private onNextValidId(id: number): void {
    this.nextOrderIdValue = Math.max(this.nextOrderIdValue, id);
    if (this.session === 'up') return; // the reply to reqIds
    this.nextIdSeen = true;
    if (!this.accountsKnown) {
      // TWS sends managedAccounts before nextValidId; if it has not, ask (the session is up once it answers).
      try {
        this.api.reqManagedAccts();
      } catch {
        // the connect timeout reports a Gateway that never answers
      }
      return;
    }
    this.up();
  }

  /** The session is up: nextValidId and the accounts have both arrived. */
  private up(): void {
    const reconnect = this.everConnected;
    this.session = 'up';
    this.ibLink = true; // a new session starts connected; the Gateway repeats 1100 if it is not
    this.everConnected = true;
    this.attempts = 0;
    this.awaitingLogin = false;
    this.setConnected();
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.resolve();
    }
    this.runHooks(reconnect ? 'reconnect' : 'connect');
  }

  private onDisconnected(): void {
    this.session = 'down';
    this.noteWeeklyLogin();
    const dropped = new BrokerError('not-connected', 'Lost the connection to IB Gateway before it answered.');
    for (const [id, h] of this.requests) {
      this.requests.delete(id);
      h.onError(new BrokerError('not-connected', `Lost the connection to IB Gateway while waiting for ${h.what}.`));
    }
    for (const w of [...this.dropWaiters]) w(dropped);
    if (this.pending) {
      this.failPending(handshakeTimeout(this.config.host, this.config.port));
      return;
    }
    if (!this.wanted) {
      this.setStatus({ state: 'disconnected', message: 'Disconnected from IB Gateway.', paper: this.paperNow(), error: null });
      return;
    }
    this.scheduleReconnect(new BrokerError('not-connected', 'The connection to IB Gateway dropped.'));
  }

  private scheduleReconnect(cause: BrokerError): void {
    if (this.reconnectTimer || !this.wanted) return;
    const { initialMs, maxMs, maxAttempts } = this.config.reconnect;
    const window = this.restartNotice();
    // Attempts inside IB Gateway's restart window are expected to fail: they do not count.
    if (!window) this.attempts++;
    if (maxAttempts > 0 && this.attempts > maxAttempts) {
      this.wanted = false;
      this.setStatus({ state: 'error', message: `${cause.message} Gave up after ${maxAttempts} reconnect attempts — check IB Gateway and press Connect.`, paper: this.paperNow(), error: cause.kind });
      return;
    }
    const delay = Math.min(maxMs, initialMs * 2 ** Math.max(0, this.attempts - 1));
    this.setStatus(
      window
        ? { state: 'reconnecting', message: `${window} — reconnecting by itself; nothing is sent meanwhile.`, paper: this.paperNow(), error: null }
        : { state: 'reconnecting', message: `${cause.message} Reconnecting in ${Math.round(delay / 100) / 10} s (attempt ${this.attempts}).`, paper: this.paperNow(), error: cause.kind },
    );
    this.sentWhileDown = false;
    const fire = (): void => {
      this.reconnectTimer = null;
      if (!this.wanted) return;
      // @stoqey/ib's rate limiter (4 messages per 100 ms) writes what it still holds to whatever
      // socket is current: connecting before it is drained would hand messages of the old session —
      // an order among them — to the new one, after the reconciliation. Wait until it is quiet.
      if (this.sentWhileDown) {
        this.sentWhileDown = false;
        this.reconnectTimer = setTimeout(fire, RATE_LIMIT_QUIET_MS);
        return;
      }
      this.attempt().catch(() => {
        // failPending already scheduled the next attempt or reported the final error
      });
    };
    this.reconnectTimer = setTimeout(fire, Math.max(delay, RATE_LIMIT_QUIET_MS));
  }

  private onInfo(message: string, code: number): void {
    if (code === 1100 || code === 2110) {
      const first = this.ibLink;
      this.ibLink = false;
      if (this.session === 'up') {
        this.setStatus({ state: 'reconnecting', message: `IB Gateway lost its connection to IB's servers (IB ${code}) — connectivity lost; quotes and orders wait until it is restored, nothing is sent meanwhile.`, paper: this.paperNow(), error: null });
      }
      if (first) this.onNotice('warn', `IB Gateway lost its connection to IB's servers (IB ${code}); orders and data resume when it is restored.`, code);
    } else if (code === 1101 || code === 1102) {
      this.ibLink = true;
      if (code === 1101) this.onNotice('warn', 'IB connectivity restored but market-data subscriptions were lost (IB 1101); re-subscribing.', code);
      else this.onNotice('info', 'IB connectivity restored; data maintained (IB 1102).', code);
      if (this.session === 'up') this.setConnected();
      if (code === 1101 && this.session === 'up') this.runHooks('data-lost');
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
