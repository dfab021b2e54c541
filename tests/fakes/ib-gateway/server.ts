/**
 * A fake IB Gateway: a TCP server on loopback speaking the real TWS socket protocol (API v100+,
 * message layouts of server version 193, the highest `@stoqey/ib` 1.6.x negotiates), answering from
 * a MarketSource and matching orders on the shared PaperExchange. The real `ibkr` adapter and the
 * real `@stoqey/ib` client talk to it; nothing is mocked. It follows
 * ../shared/reference/ibkr-tws-protocol.md and IB's documented behaviour, not our client's habits
 * (protocol.test.ts probes it with raw sockets):
 *
 * - **Handshake** (§2): the greeting `API\0` + `v<min>..<max>` gets the highest version of the fake's
 *   supported range (`serverVersions`, default 193..193: the layouts it sends are 193's) inside the
 *   client's range. With no common version it answers with its own nearest version — as TWS does;
 *   the client then refuses it (@stoqey/ib: error 506, ib_insync: "TWS/gateway version must be
 *   >= …") — and closes the connection. A greeting that is not `API\0` + a version string (an HTTP
 *   request, a pre-v100 client, an absurd length) is closed at once; one that never completes is
 *   closed after `handshakeTimeoutMs`. IB defines no message a client could read before the
 *   handshake, so closing is the only word; `refusals` records why, for tests.
 * - **Requests** (§4–6): what the fake implements is answered in IB's layouts; every other request
 *   is answered with ERR_MSG 321 "Error validating request… not supported by this fake" for its
 *   request id (−1 for messages without one) — never silence. Requests before START_API likewise.
 * - **Historical data** (§5.5): bar sizes of 1 min … 8 hours from the MarketSource's minute bars,
 *   aggregated on ET clock boundaries (first bar from 09:30), and 1 day from its daily bars;
 *   durations in S, D (trading sessions), W, M, Y; `formatDate` 1 (`yyyyMMdd HH:mm:ss US/Eastern`)
 *   or 2 (epoch seconds). Invalid sizes/durations → 321, nothing in range → 162.
 * - **Connectivity** (§6–7): `notice(1100|2110)` — IB unreachable: market data stops streaming;
 *   `notice(1102)` — restored, data maintained: streaming resumes; `notice(1101)` — restored, data
 *   lost: every subscription is dead until the client re-requests it. Orders keep working.
 * - **Pacing**: more than 50 messages a second → error 100 (the message is dropped); historical
 *   requests → 162 "pacing violation" for an identical request within 15 s, a 6th request for the
 *   same contract within 2 s, or a 61st within ten minutes (IB's documented limits), measured on
 *   `pacingClock` (default: performance.now). `script.historicalPacingViolations` forces the next N.
 * - **Client ids** (§2.4): a client id already connected is refused with 326 and closed.
 * - **Orders** (§4.1, §5.3): openOrder carries a BAG's combo legs and smart-combo routing params as
 *   placed. Order ids are unique across client ids: another client's id is refused with 103
 *   "Duplicate order id". placeOrder with a known id from the client id that placed it — in any
 *   later session too — modifies the order (price, size, tif); one that does not match the open
 *   order (other legs, contract or action) is refused with 105, a filled order with 104. The
 *   contract is compared as IB resolves it (a single leg by conId alone or by its description names
 *   the same option), so single-leg orders are modified in place like combos.
 * - **Faults**: `disconnectAll()` drops every socket; `dropOn(msgId, {when, count})` drops them when
 *   a given request arrives (e.g. during a reconciliation); `beginRestart()`/`endRestart()` and
 *   `restartFor(ms)` play IB Gateway's daily restart: every client dropped, the port refusing
 *   connections until it is back, orders, fills and positions kept (they live at IB). The weekly
 *   re-authentication is a restart that ends only when someone "logs in" (`endRestart()`).
 *   All of these can be driven from another process through the control endpoint (control.ts,
 *   started by main.ts).
 *
 * Scriptable per test through `script`: fill delays, market-data permissions, forced pacing
 * violations, one-shot order rejects, malformed/truncated messages.
 */
import net from 'node:net';
import type { OptionRoot, Right } from '../../../shared/domain/chain.ts';
import type { MarketSource } from '../../../electron/brokers/market-source.ts';
import { PaperExchange, type ExchangeEvent, type MatchingConfig } from '../../../electron/brokers/sim/matching.ts';
import type { Contract, OrderLeg, QuoteSymbol } from '../../../electron/brokers/port.ts';
import { isTradingDay, previousTradingDay, session as sessionOf } from '../../../shared/market/calendar.ts';
import { etParts, etToEpoch, isEtZone } from '../../../shared/time/et.ts';
import { FrameReader, ProtocolViolation, REQUESTS, frame, ibDate, ibLocalSymbol, isoDate, type Field, type Greeting } from './wire.ts';

/** The server version whose layouts the fake sends. */
export const SERVER_VERSION = 193;
const MAX_DOUBLE = '1.7976931348623157E308';

export type FakeIbScript = {
  /** Delay before an accepted order is matched, ms (default 5). */
  fillDelayMs: number;
  /** 'live': full permissions; 'delayed-only': live requests get 354, delayed ones 10167 + delayed ticks; 'none': 354 always. */
  marketData: 'live' | 'delayed-only' | 'none';
  /** The next N historical-data requests fail with a 162 pacing violation (on top of the real limits). */
  historicalPacingViolations: number;
  /** Reject the next order placed with error 201 and this text (one-shot). */
  rejectNextOrder: string | null;
  /** Enforce IB's 50 msg/s limit: above it, error 100 is sent. */
  enforcePacing: boolean;
  /**
   * A fault no IB Gateway at server version 193 has: openOrder for a BAG without its combo legs
   * (count 0), as if the legs were unavailable — for testing what a client does without them.
   */
  openOrderWithoutComboLegs: boolean;
  /** Refuse every modification with 105 (as IB does one that does not match the open order). */
  refuseModifications: boolean;
  /** Enforce IB's historical-data pacing limits (identical/15 s, same contract 6/2 s, 60/10 min). */
  enforceHistoricalPacing: boolean;
};

/** Why the fake closed a connection before serving it (for tests). */
export type Refusal = { reason: string };

type IbContract = {
  conId: number;
  symbol: string;
  secType: 'IND' | 'STK' | 'OPT' | 'BAG';
  expiry: string; // YYYYMMDD or ''
  strike: number;
  right: Right | '';
  multiplier: string;
  exchange: string;
  currency: 'USD';
  localSymbol: string;
  tradingClass: string;
  contract: Contract | null; // our domain contract (null for indexes and BAGs)
  quoteSymbol: QuoteSymbol | null;
};

type FakeOrder = {
  orderId: number;
  clientId: number;
  permId: number;
  exchangeId: string;
  contract: IbContract;
  action: 'BUY' | 'SELL';
  quantity: number;
  lmtPrice: number;
  tif: string;
  orderRef: string;
  legs: { conId: number; ratio: number; action: 'BUY' | 'SELL'; exchange: string }[];
  /** smartComboRoutingParams as placed (e.g. NonGuaranteed=1), echoed in openOrder. */
  routing: { tag: string; value: string }[];
  status: string;
  filled: number;
  avgPrice: number;
  lastFillPrice: number;
};

type Exec = { execId: string; orderId: number; clientId: number; permId: number; contract: IbContract; side: 'BOT' | 'SLD'; shares: number; price: number; cumQty: number; avgPrice: number; orderRef: string; time: number; commission: number | null };

type Session = {
  socket: net.Socket;
  reader: FrameReader;
  /** Negotiated server version (null until the greeting). */
  version: number | null;
  clientId: number | null;
  mdType: number;
  subscriptions: Map<number, IbContract>;
  sentTimes: number[];
  handshakeTimer: NodeJS.Timeout | null;
};

const FIXED: Record<string, { conId: number; secType: 'IND' | 'STK'; exchange: string; q: QuoteSymbol }> = {
  SPX: { conId: 416904, secType: 'IND', exchange: 'CBOE', q: 'SPX' },
  SPY: { conId: 756733, secType: 'STK', exchange: 'ARCA', q: 'SPY' },
  VIX: { conId: 13455763, secType: 'IND', exchange: 'CBOE', q: 'VIX' },
  VIX9D: { conId: 274086049, secType: 'IND', exchange: 'CBOE', q: 'VIX9D' },
  VIX3M: { conId: 299459693, secType: 'IND', exchange: 'CBOE', q: 'VIX3M' },
};

const NOTICE_TEXT: Record<1100 | 1101 | 1102 | 2110, string> = {
  1100: 'Connectivity between IB and Trader Workstation has been lost.',
  1101: 'Connectivity between IB and Trader Workstation has been restored - data lost.',
  1102: 'Connectivity between IB and Trader Workstation has been restored - data maintained.',
  2110: 'Connectivity between Trader Workstation and server is broken. It will be restored automatically.',
};

export type FakeIbGatewayOptions = {
  market: MarketSource;
  /** Account id reported in managedAccounts (paper accounts start with DU). */
  account?: string;
  matching?: Partial<MatchingConfig>;
  script?: Partial<FakeIbScript>;
  /** Server versions the fake accepts (default 193..193, the layouts it sends). */
  serverVersions?: { min: number; max: number };
  /** A connection that has not completed its greeting by then is closed (default 5 s). */
  handshakeTimeoutMs?: number;
  /** Time for the pacing rules, ms (default performance.now(); tests pass a clock they advance). */
  pacingClock?: () => number;
};

type DropRule = { when: 'before' | 'after'; count: number };

export class FakeIbGateway {
  readonly market: MarketSource;
  readonly exchange: PaperExchange;
  readonly account: string;
  readonly script: FakeIbScript;
  readonly serverVersions: { min: number; max: number };
  /** Every message the fake received, for assertions (msg id + fields). */
  readonly received: string[][] = [];
  /** Connections closed before they were served, with why. */
  readonly refusals: Refusal[] = [];
  private server: net.Server | null = null;
  private sessions = new Set<Session>();
  private conIds = new Map<string, IbContract>();
  private byConId = new Map<number, IbContract>();
  private nextConId = 700_000_001;
  private orders = new Map<string, FakeOrder>(); // key `${clientId}:${orderId}`
  private byExchangeId = new Map<string, FakeOrder>();
  private execs: Exec[] = [];
  private nextPermId = 1_900_000_001;
  private nextOrderId = 1;
  private execSeq = 0;
  private timers = new Set<NodeJS.Timeout>();
  private readonly handshakeTimeoutMs: number;
  private readonly pacingClock: () => number;
  /** Whether the Gateway is connected to IB's servers (false between 1100/2110 and 1101/1102). */
  private ibLink = true;
  private restarting = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private ending: Promise<void> | null = null;
  private readonly dropRules = new Map<string, DropRule>();
  /** Historical requests served: pacing-clock time, request key and contract key. */
  private historyLog: { t: number; key: string; contract: string }[] = [];
  port = 0;
  private host = '127.0.0.1';

  constructor(opts: FakeIbGatewayOptions) {
    this.market = opts.market;
    this.account = opts.account ?? 'DU1234567';
    this.exchange = new PaperExchange(opts.market, opts.matching, 'IB');
    this.script = {
      fillDelayMs: 5,
      marketData: 'live',
      historicalPacingViolations: 0,
      rejectNextOrder: null,
      enforcePacing: true,
      enforceHistoricalPacing: true,
      openOrderWithoutComboLegs: false,
      refuseModifications: false,
      ...opts.script,
    };
    this.serverVersions = opts.serverVersions ?? { min: SERVER_VERSION, max: SERVER_VERSION };
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5_000;
    // The fake is test infrastructure, not broker code: by default it polices pacing on real time.
    this.pacingClock = opts.pacingClock ?? (() => performance.now());
    this.exchange.onEvent((e) => this.onExchange(e));
  }

  /** Starts listening (port 0 = any free port). Restarting keeps orders, fills and positions. */
  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.host = host;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stops listening and drops every client (a Gateway restart or crash). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.disconnectAll();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drops every client connection but keeps listening (network blip / Gateway kicking clients). */
  disconnectAll(): void {
    for (const s of this.sessions) this.closeSession(s);
    this.sessions.clear();
  }

  /**
   * IB Gateway's daily restart (or the weekly re-login): every client is dropped and the API port
   * refuses connections until `endRestart()`. Orders, fills and positions are kept.
   */
  beginRestart(): void {
    if (this.restarting) return;
    this.restarting = true;
    this.disconnectAll();
    const server = this.server;
    this.server = null;
    server?.close();
  }

  /** The Gateway is back (logged in again): the same port accepts connections. */
  endRestart(): Promise<void> {
    if (!this.restarting) return Promise.resolve();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.ending ??= (async () => {
      this.ibLink = true;
      await this.start(this.port, this.host);
      this.restarting = false;
    })().finally(() => {
      this.ending = null;
    });
    return this.ending;
  }

  /** A restart that lasts `ms` (resolves when the Gateway accepts connections again). */
  restartFor(ms: number): Promise<void> {
    this.beginRestart();
    return new Promise((resolve, reject) => {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.endRestart().then(resolve, reject);
      }, ms);
    });
  }

  isRestarting(): boolean {
    return this.restarting;
  }

  /**
   * Drops every client when a message with this id arrives — `before` it is processed (the request
   * is lost) or `after` (it was done, the client never hears back) — for the next `count` times.
   */
  dropOn(msgId: number, opts: { when?: 'before' | 'after'; count?: number } = {}): void {
    this.dropRules.set(String(msgId), { when: opts.when ?? 'before', count: opts.count ?? 1 });
  }

  /** Sends a connectivity notice to every client and applies it (§7). */
  notice(code: 1100 | 1101 | 1102 | 2110): void {
    if (code === 1100 || code === 2110) this.ibLink = false;
    else this.ibLink = true;
    for (const s of this.sessions) {
      if (code === 1101) s.subscriptions.clear(); // data lost: market data must be re-requested
      this.send(s, [4, 2, -1, code, NOTICE_TEXT[code], '']);
    }
  }

  /** Re-sends current quotes for every live subscription (the market moved); nothing while IB is unreachable. */
  tick(): void {
    if (!this.ibLink) return;
    for (const s of this.sessions) for (const [reqId, c] of s.subscriptions) this.sendTicks(s, reqId, c);
  }

  /** Sends raw fields to every client (for malformed-message cases). */
  sendRaw(fields: Field[]): void {
    for (const s of this.sessions) this.send(s, fields);
  }

  /** Sends a frame whose length prefix promises more bytes than follow, then closes (truncated message). */
  sendTruncated(): void {
    for (const s of this.sessions) {
      const body = Buffer.from('1\x006\x00', 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length + 50);
      s.socket.write(Buffer.concat([head, body]));
      s.socket.end();
    }
  }

  /** Number of connected API clients. */
  clientCount(): number {
    return [...this.sessions].filter((s) => s.clientId !== null).length;
  }

  /** Matches working orders now (normally triggered after each order with `fillDelayMs`). */
  match(): void {
    this.exchange.match();
  }

  /** New orders (not modifications) received per orderRef. */
  placements(): Map<string, number> {
    const out = new Map<string, number>();
    const seen = new Set<string>();
    for (const f of this.received) {
      if (f[0] !== '3') continue;
      const key = `${f[1]}:${f[26] ?? ''}`;
      if (seen.has(key)) continue; // a placeOrder with a known id modifies the order
      seen.add(key);
      const ref = f[26] ?? '';
      out.set(ref, (out.get(ref) ?? 0) + 1);
    }
    return out;
  }

  /** Orders the fake works, with their client refs (what a reconciliation must find). */
  workingOrders(): { orderId: number; clientId: number; permId: number; orderRef: string; status: string; filled: number; quantity: number; action: 'BUY' | 'SELL'; lmtPrice: number; tif: string }[] {
    return [...this.orders.values()]
      .filter((o) => o.status === 'PreSubmitted' || o.status === 'Submitted' || o.status === 'PendingCancel')
      .map((o) => ({ orderId: o.orderId, clientId: o.clientId, permId: o.permId, orderRef: o.orderRef, status: o.status, filled: o.filled, quantity: o.quantity, action: o.action, lmtPrice: o.lmtPrice, tif: o.tif }));
  }

  /** A summary for the control endpoint and for tests. */
  state(): { port: number; restarting: boolean; ibConnected: boolean; clients: number[]; workingOrders: ReturnType<FakeIbGateway['workingOrders']>; positions: { contract: Contract; quantity: number }[]; received: number } {
    return {
      port: this.port,
      restarting: this.restarting,
      ibConnected: this.ibLink,
      clients: [...this.sessions].map((s) => s.clientId).filter((c): c is number => c !== null),
      workingOrders: this.workingOrders(),
      positions: this.exchange.positionList().map((p) => ({ contract: p.contract, quantity: p.quantity })),
      received: this.received.length,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Connection and dispatch

  private onConnection(socket: net.Socket): void {
    const s: Session = { socket, reader: new FrameReader(), version: null, clientId: null, mdType: 1, subscriptions: new Map(), sentTimes: [], handshakeTimer: null };
    this.sessions.add(s);
    s.handshakeTimer = setTimeout(() => this.refuse(s, `no complete handshake within ${this.handshakeTimeoutMs} ms`), this.handshakeTimeoutMs);
    socket.on('data', (data) => {
      let units;
      try {
        units = s.reader.push(data);
      } catch (e) {
        this.refuse(s, e instanceof ProtocolViolation ? e.message : String(e));
        return;
      }
      for (const u of units) {
        if (socket.destroyed || !this.sessions.has(s)) return;
        if ('greeting' in u) {
          this.onGreeting(s, u.greeting);
          continue;
        }
        this.received.push(u.fields);
        try {
          this.dispatch(s, u.fields);
        } catch (e) {
          this.send(s, [4, 2, -1, 320, `Error reading request: ${(e as Error).message}`, '']);
        }
      }
    });
    const gone = (): void => {
      if (s.handshakeTimer) clearTimeout(s.handshakeTimer);
      this.sessions.delete(s);
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }

  private closeSession(s: Session): void {
    if (s.handshakeTimer) clearTimeout(s.handshakeTimer);
    s.handshakeTimer = null;
    s.socket.destroy();
  }

  /** Closes a connection that cannot be served (a FIN after anything already written). */
  private refuse(s: Session, reason: string): void {
    if (!this.sessions.has(s)) return;
    this.refusals.push({ reason });
    this.sessions.delete(s);
    if (s.handshakeTimer) clearTimeout(s.handshakeTimer);
    s.handshakeTimer = null;
    s.socket.end();
    // A peer that never reads must not keep the socket: destroy once the FIN is out.
    s.socket.once('finish', () => s.socket.destroy());
  }

  /** Version negotiation (§2.3): the highest common version, or our own nearest one and a close. */
  private onGreeting(s: Session, g: Greeting): void {
    if (s.handshakeTimer) clearTimeout(s.handshakeTimer);
    s.handshakeTimer = null;
    const { min, max } = this.serverVersions;
    const best = Math.min(max, g.max);
    const now = this.timeText(this.market.now());
    if (best < Math.max(min, g.min)) {
      const ours = g.min > max ? max : min;
      this.send(s, [ours, now]);
      this.refuse(s, `no common version: the client speaks ${g.min}..${g.max}, the fake ${min}..${max}`);
      return;
    }
    s.version = best;
    this.send(s, [best, now]);
  }

  private send(s: Session, fields: readonly Field[]): void {
    if (!s.socket.destroyed && s.socket.writable) s.socket.write(frame(fields));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private paced(s: Session): boolean {
    if (!this.script.enforcePacing) return true;
    const now = this.pacingClock();
    s.sentTimes.push(now);
    while (s.sentTimes.length && (s.sentTimes[0] as number) < now - 1000) s.sentTimes.shift();
    if (s.sentTimes.length > 50) {
      this.send(s, [4, 2, -1, 100, 'Max rate of messages per second has been exceeded:max=50 rec=' + s.sentTimes.length, '']);
      return false;
    }
    return true;
  }

  /** ERR_MSG 321 for a request the fake cannot serve, aimed at its request id (or −1). */
  private unsupported(s: Session, f: string[], cause: string): void {
    const id = Number(f[0]);
    const spec = REQUESTS[id];
    const reqId = spec?.reqId != null ? Number(f[spec.reqId] ?? -1) : -1;
    const name = spec?.name ?? `message id ${f[0]}`;
    this.send(s, [4, 2, Number.isFinite(reqId) ? reqId : -1, 321, `Error validating request.-'${name}' : cause - ${cause}`, '']);
  }

  private dispatch(s: Session, f: string[]): void {
    const id = Number(f[0]);
    if (s.version === null) return; // cannot happen: the reader yields messages only after the greeting
    if (id !== 71 && s.clientId === null) return this.unsupported(s, f, 'START_API (71) must come first');
    if (id !== 71 && !this.paced(s)) return;
    const rule = this.dropRules.get(f[0] ?? '');
    if (rule && rule.when === 'before') {
      this.consumeDrop(f[0] ?? '', rule);
      return this.disconnectAll();
    }
    this.handle(s, id, f);
    if (rule && rule.when === 'after') {
      this.consumeDrop(f[0] ?? '', rule);
      this.disconnectAll();
    }
  }

  private consumeDrop(key: string, rule: DropRule): void {
    rule.count--;
    if (rule.count <= 0) this.dropRules.delete(key);
  }

  private handle(s: Session, id: number, f: string[]): void {
    switch (id) {
      case 71:
        return this.onStartApi(s, Number(f[2]));
      case 59:
        s.mdType = Number(f[2]);
        return;
      case 1:
        return this.onReqMktData(s, f);
      case 2:
        s.subscriptions.delete(Number(f[2]));
        return;
      case 9:
        return this.onReqContractDetails(s, f);
      case 78:
        return this.onReqSecDefOptParams(s, f);
      case 3:
        return this.onPlaceOrder(s, f);
      case 4:
        return this.onCancelOrder(s, Number(f[1]));
      case 5:
      case 16:
        return this.onReqOpenOrders(s, id === 16);
      case 15:
        return; // reqAutoOpenOrders: a binding preference, TWS answers nothing
      case 6:
        return this.onReqAccountUpdates(s, f[2] === '1');
      case 7:
        return this.onReqExecutions(s, Number(f[2]));
      case 61:
        return this.onReqPositions(s);
      case 64: // cancelPositions
      case 63: // cancelAccountSummary
      case 25: // cancelHistoricalData
        return; // cancels are not answered by TWS
      case 62:
        return this.onReqAccountSummary(s, Number(f[2]), String(f[4] ?? ''));
      case 20:
        return this.onReqHistoricalData(s, f);
      case 49:
        return this.send(s, [49, 1, Math.floor(this.market.now() / 1000)]);
      case 8:
        return this.send(s, [9, 1, this.nextOrderId]);
      case 17:
        return this.send(s, [15, 1, this.account]);
      default:
        return this.unsupported(s, f, REQUESTS[id] ? 'not supported by this fake IB Gateway (tests/fakes/ib-gateway)' : `unknown message id ${f[0]}, not supported by this fake IB Gateway`);
    }
  }

  private onStartApi(s: Session, clientId: number): void {
    for (const other of this.sessions) {
      if (other !== s && other.clientId === clientId) {
        this.send(s, [4, 2, -1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.', '']);
        this.refuse(s, `client id ${clientId} is already in use`);
        return;
      }
    }
    s.clientId = clientId;
    // nextValidId must be above every id this client used before (IB keeps it per client).
    for (const o of this.orders.values()) if (o.clientId === clientId) this.nextOrderId = Math.max(this.nextOrderId, o.orderId + 1);
    this.send(s, [15, 1, this.account]);
    this.send(s, [9, 1, this.nextOrderId]);
    if (!this.ibLink) {
      this.send(s, [4, 2, -1, 1100, NOTICE_TEXT[1100], '']);
      return;
    }
    this.send(s, [4, 2, -1, 2104, 'Market data farm connection is OK:usfarm', '']);
    this.send(s, [4, 2, -1, 2106, 'HMDS data farm connection is OK:ushmds', '']);
    this.send(s, [4, 2, -1, 2158, 'Sec-def data farm connection is OK:secdefnj', '']);
  }

  // -------------------------------------------------------------------------------------------
  // Contracts

  private optionContract(root: OptionRoot, expiration: string, strike: number, right: Right): IbContract {
    const key = `${root}:${expiration}:${strike}:${right}`;
    let c = this.conIds.get(key);
    if (!c) {
      c = {
        conId: this.nextConId++,
        symbol: root === 'SPY' ? 'SPY' : 'SPX',
        secType: 'OPT',
        expiry: ibDate(expiration),
        strike,
        right,
        multiplier: '100',
        exchange: 'SMART',
        currency: 'USD',
        localSymbol: ibLocalSymbol(root, expiration, right, strike),
        tradingClass: root,
        contract: { kind: 'option', underlying: root === 'SPY' ? 'SPY' : 'SPX', root, expiration, strike, right },
        quoteSymbol: null,
      };
      this.conIds.set(key, c);
      this.byConId.set(c.conId, c);
    }
    return c;
  }

  private fixedContract(symbol: string): IbContract | null {
    const f = FIXED[symbol];
    if (!f) return null;
    return {
      conId: f.conId,
      symbol,
      secType: f.secType,
      expiry: '',
      strike: 0,
      right: '',
      multiplier: '',
      exchange: f.exchange,
      currency: 'USD',
      localSymbol: symbol,
      tradingClass: symbol,
      contract: symbol === 'SPY' ? { kind: 'stock', symbol: 'SPY' } : null,
      quoteSymbol: f.q,
    };
  }

  /** Contracts matching the request fields (conId, symbol, secType, expiry, strike, right, …, tradingClass). */
  private resolve(conId: number, symbol: string, secType: string, expiry: string, strike: string, right: string, tradingClass: string): IbContract[] {
    if (conId) {
      const fixed = Object.keys(FIXED).find((k) => FIXED[k]?.conId === conId);
      if (fixed) return [this.fixedContract(fixed) as IbContract];
      const c = this.byConId.get(conId);
      return c ? [c] : [];
    }
    if (secType === 'IND' || secType === 'STK') {
      const c = this.fixedContract(symbol);
      return c && c.secType === secType ? [c] : [];
    }
    if (secType !== 'OPT' || (symbol !== 'SPX' && symbol !== 'SPY')) return [];
    const roots: OptionRoot[] = symbol === 'SPY' ? ['SPY'] : tradingClass === 'SPXW' ? ['SPXW'] : tradingClass === 'SPX' ? ['SPX'] : ['SPXW', 'SPX'];
    const out: IbContract[] = [];
    const r = right === 'C' || right === 'CALL' ? 'C' : right === 'P' || right === 'PUT' ? 'P' : '';
    for (const root of roots) {
      if (symbol === 'SPY' && tradingClass && tradingClass !== 'SPY') continue;
      const exps = this.market.expirations(root).filter((e) => !expiry || ibDate(e) === expiry);
      for (const e of exps) {
        const chain = this.market.chain(root, e);
        for (const q of chain.contracts) {
          if (q.root !== root) continue;
          if (strike !== '' && Number(strike) !== q.strike) continue;
          if (r && q.right !== r) continue;
          out.push(this.optionContract(root, e, q.strike, q.right));
        }
      }
    }
    return out;
  }

  private onReqContractDetails(s: Session, f: string[]): void {
    const reqId = Number(f[2]);
    const found = this.resolve(Number(f[3] || 0), f[4] ?? '', f[5] ?? '', f[6] ?? '', f[7] ?? '', f[8] ?? '', f[14] ?? '');
    if (found.length === 0) {
      this.send(s, [4, 2, reqId, 200, 'No security definition has been found for the request', '']);
      return;
    }
    for (const c of found) this.send(s, this.contractDataFields(reqId, c));
    this.send(s, [52, 1, reqId]);
  }

  private contractDataFields(reqId: number, c: IbContract): Field[] {
    const isOpt = c.secType === 'OPT';
    return [
      10, reqId, c.symbol, c.secType, c.expiry, c.expiry, c.strike, c.right, c.exchange, c.currency, c.localSymbol,
      c.tradingClass, c.tradingClass, c.conId, isOpt ? 0.05 : 0.01, c.multiplier, 'LMT,MKT,STP,STPLMT,WHATIF',
      isOpt ? 'SMART,CBOE' : c.exchange, 1, isOpt ? (c.symbol === 'SPY' ? 756733 : 416904) : 0,
      isOpt ? (c.symbol === 'SPY' ? 'SPDR S&P 500 ETF TRUST' : 'S&P 500 Stock Index') : c.symbol, '', c.expiry.slice(0, 6), '', '', '',
      'US/Central', '', '', '', '', 0, isOpt ? 2 : 1, isOpt ? c.symbol : '', isOpt ? (c.symbol === 'SPY' ? 'STK' : 'IND') : '', '110,110',
      c.expiry, '', '1', '1', '1', 0,
    ];
  }

  private onReqSecDefOptParams(s: Session, f: string[]): void {
    const reqId = Number(f[1]);
    const symbol = f[2] ?? '';
    const roots: OptionRoot[] = symbol === 'SPX' ? ['SPX', 'SPXW'] : symbol === 'SPY' ? ['SPY'] : [];
    if (roots.length === 0) {
      this.send(s, [4, 2, reqId, 200, 'No security definition has been found for the request', '']);
      return;
    }
    const underConId = FIXED[symbol]?.conId ?? 0;
    for (const root of roots) {
      const exps = this.market.expirations(root);
      const strikes = new Set<number>();
      for (const e of exps.slice(0, 3)) for (const q of this.market.chain(root, e).contracts) strikes.add(q.strike);
      const sorted = [...strikes].sort((a, b) => a - b);
      for (const exch of ['SMART', 'CBOE']) {
        this.send(s, [75, reqId, exch, underConId, root, '100', exps.length, ...exps.map(ibDate), sorted.length, ...sorted]);
      }
    }
    this.send(s, [76, reqId]);
  }

  // -------------------------------------------------------------------------------------------
  // Market data

  private onReqMktData(s: Session, f: string[]): void {
    const reqId = Number(f[2]);
    const secType = f[5] ?? '';
    let i = 15;
    if (secType === 'BAG') i += 1 + 4 * Number(f[15]);
    const snapshot = f[i + 2] === '1';
    const found = this.resolve(Number(f[3] || 0), f[4] ?? '', secType, f[6] ?? '', f[7] ?? '', f[8] ?? '', f[14] ?? '');
    if (found.length !== 1) {
      this.send(s, [4, 2, reqId, 200, 'No security definition has been found for the request', '']);
      return;
    }
    const c = found[0] as IbContract;
    const md = this.script.marketData;
    if (md === 'none' || (md === 'delayed-only' && s.mdType === 1)) {
      this.send(s, [4, 2, reqId, 354, 'Requested market data is not subscribed. Check API status by selecting the Account menu then under Management choose Market Data Subscription Manager and/or Displaying delayed market data.', '']);
      return;
    }
    const delayed = md === 'delayed-only';
    if (delayed) {
      this.send(s, [4, 2, reqId, 10167, 'Requested market data is not subscribed. Displaying delayed market data.', '']);
      this.send(s, [58, 1, reqId, 3]);
    }
    this.send(s, [81, reqId, c.secType === 'OPT' ? '0.05' : '0.01', '9c0001', 3]);
    if (!snapshot) s.subscriptions.set(reqId, c);
    // While IB is unreachable (1100) nothing streams; a snapshot ends with what it has: nothing.
    if (this.ibLink) this.sendTicks(s, reqId, c);
    if (snapshot) this.send(s, [57, 1, reqId]);
  }

  private sendTicks(s: Session, reqId: number, c: IbContract): void {
    const delayed = this.script.marketData === 'delayed-only';
    const T = delayed ? { bid: 66, ask: 67, last: 68, close: 75, model: 83 } : { bid: 1, ask: 2, last: 4, close: 9, model: 13 };
    if (c.quoteSymbol) {
      const q = this.market.quote(c.quoteSymbol);
      if (q.bid !== null) this.send(s, [1, 6, reqId, T.bid, q.bid, 100, 0]);
      if (q.ask !== null) this.send(s, [1, 6, reqId, T.ask, q.ask, 100, 0]);
      if (q.last !== null) this.send(s, [1, 6, reqId, T.last, q.last, c.secType === 'IND' ? '' : 1, 0]);
      if (q.close !== null) this.send(s, [1, 6, reqId, T.close, q.close, '', 0]);
      return;
    }
    const oc = c.contract;
    if (!oc || oc.kind !== 'option') return;
    const chain = this.market.chain(oc.root, oc.expiration);
    const q = chain.contracts.find((x) => x.root === oc.root && x.strike === oc.strike && x.right === oc.right);
    if (!q) return;
    if (q.bid !== null) this.send(s, [1, 6, reqId, T.bid, q.bid, q.bidSize ?? 0, 0]);
    // @stoqey/ib drops the synthetic BID_SIZE (tick type 0 is falsy); real TWS also sends TICK_SIZE.
    if (q.bidSize !== null) this.send(s, [2, 6, reqId, delayed ? 69 : 0, q.bidSize]);
    if (q.ask !== null) this.send(s, [1, 6, reqId, T.ask, q.ask, q.askSize ?? 0, 0]);
    if (q.last !== null) this.send(s, [1, 6, reqId, T.last, q.last, 1, 0]);
    const mid = q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : -1;
    const n = (x: number | null, missing: number): number => (x === null ? missing : x);
    this.send(s, [21, reqId, T.model, 0, n(q.iv, -1), n(q.delta, -2), mid, 0, n(q.gamma, -2), n(q.vega, -2), n(q.theta, -2), chain.underlyingPrice]);
  }

  // -------------------------------------------------------------------------------------------
  // Historical data (§5.5)

  private onReqHistoricalData(s: Session, f: string[]): void {
    const reqId = Number(f[1]);
    const hmds = (text: string): void => this.send(s, [4, 2, reqId, 162, `Historical Market Data Service error message:${text}`, '']);
    const invalid = (text: string): void => this.send(s, [4, 2, reqId, 321, `Error validating request.-'REQ_HISTORICAL_DATA' : cause - ${text}`, '']);
    const symbol = f[3] ?? '';
    const secType = f[4] ?? '';
    const legs = secType === 'BAG' ? 1 + 4 * Number(f[20] ?? 0) : 0;
    const [end = '', barSize = '', duration = '', , whatToShow = 'TRADES'] = f.slice(15, 20);
    const formatDate = f[20 + legs] ?? '1';
    const keepUpToDate = f[21 + legs] === '1';
    const size = barSizeMinutes(barSize);
    if (size === null) return invalid(`Historical data bar size setting "${barSize}" is invalid.`);
    if (size === 'unsupported') return invalid(`bar size "${barSize}" is not supported by this fake IB Gateway (its market has minute bars only)`);
    const span = parseDuration(duration);
    if (!span) return invalid(`Historical data duration "${duration}" is invalid (an integer and one of S, D, W, M, Y).`);
    if (keepUpToDate) return invalid('keepUpToDate is not supported by this fake IB Gateway');
    const fixed = FIXED[symbol];
    if (!fixed || fixed.secType !== secType) {
      if (secType === 'OPT') return hmds(`HMDS query returned no data: this fake keeps no history for options (${symbol} ${f[5] ?? ''})`);
      this.send(s, [4, 2, reqId, 200, 'No security definition has been found for the request', '']);
      return;
    }
    if (secType === 'IND' && whatToShow !== 'TRADES') return hmds(`No historical market data for ${symbol}/IND@${fixed.exchange} ${whatToShow} ${barSize}`);
    const endMs = end ? parseIbTime(end) : this.market.now();
    if (endMs === null) return invalid(`End date/time "${end}" is not "yyyyMMdd HH:mm:ss [time zone]" or "yyyyMMdd-HH:mm:ss".`);
    if (this.pacingViolation(`${symbol}|${secType}|${end}|${barSize}|${duration}|${whatToShow}`, `${symbol}|${secType}|${whatToShow}`)) {
      return hmds('Historical data request pacing violation');
    }
    const epoch = formatDate === '2';
    const fields: Field[] = [17, reqId];
    if (size === 'day') {
      const to = etParts(endMs - 1).date;
      const from = span.unit === 'D' ? sessionsBack(to, span.n) : etParts(startOf(endMs, span)).date;
      const bars = this.market.dailyHistory(fixed.q, from, to);
      if (bars.length === 0) return hmds('HMDS query returned no data');
      fields.push(ibDate(from), ibDate(to), bars.length);
      for (const b of bars) fields.push(ibDate(b.date), b.open, b.high, b.low, b.close, secType === 'IND' ? -1 : (b.volume ?? -1), -1, -1);
    } else {
      const fromMs = span.unit === 'D' ? (sessionOf(sessionsBack(etParts(endMs - 1).date, span.n))?.open ?? endMs) : startOf(endMs, span);
      const minutes = this.market.bars?.(fixed.q, fromMs, endMs) ?? [];
      const bars = aggregate(minutes, size);
      if (bars.length === 0) return hmds('HMDS query returned no data');
      fields.push(this.histTime(fromMs, false), this.histTime(endMs, false), bars.length);
      for (const b of bars) fields.push(this.histTime(b.time, epoch), b.open, b.high, b.low, b.close, secType === 'IND' ? -1 : b.volume, -1, -1);
    }
    this.send(s, fields);
  }

  /**
   * IB's historical pacing limits (TWS API docs, "Historical Data Limitations"): no identical request
   * within 15 s, no 6 requests for the same contract/exchange/tick type within 2 s, no more than 60
   * requests within ten minutes. A request that passes is counted.
   */
  private pacingViolation(key: string, contract: string): boolean {
    if (this.script.historicalPacingViolations > 0) {
      this.script.historicalPacingViolations--;
      return true;
    }
    if (!this.script.enforceHistoricalPacing) return false;
    const t = this.pacingClock();
    this.historyLog = this.historyLog.filter((r) => r.t > t - 600_000);
    const identical = this.historyLog.some((r) => r.key === key && r.t > t - 15_000);
    const sameContract = this.historyLog.filter((r) => r.contract === contract && r.t > t - 2_000).length >= 5;
    if (identical || sameContract || this.historyLog.length >= 60) return true;
    this.historyLog.push({ t, key, contract });
    return false;
  }

  /** `yyyyMMdd HH:mm:ss US/Eastern`, or epoch seconds for formatDate 2. */
  private histTime(ms: number, epoch: boolean): string {
    if (epoch) return String(Math.floor(ms / 1000));
    const p = etParts(ms);
    const two = (n: number): string => String(n).padStart(2, '0');
    return `${ibDate(p.date)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)} US/Eastern`;
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  private onPlaceOrder(s: Session, f: string[]): void {
    const orderId = Number(f[1]);
    const clientId = s.clientId as number;
    const key = `${clientId}:${orderId}`;
    const existing = this.orders.get(key);
    const secType = f[4] ?? '';
    const action = (f[16] === 'SELL' ? 'SELL' : 'BUY') as 'BUY' | 'SELL';
    const quantity = Number(f[17]);
    const lmtPrice = Number(f[19]);
    const tif = f[21] || 'DAY';
    const orderRef = f[26] ?? '';
    if (f[18] !== 'LMT') {
      this.send(s, [4, 2, orderId, 387, 'Unsupported order type for this fake: only LMT orders are accepted.', '']);
      return;
    }
    // Order ids are unique per account across client ids (IB: a new order's id must exceed every id
    // the client has seen); another client's id is a duplicate, and IB lets only the client id that
    // placed an order modify it ("Modifying Orders": same username, same API client id).
    const foreign = [...this.orders.values()].find((o) => o.orderId === orderId && o.clientId !== clientId);
    if (!existing && foreign) {
      this.send(s, [4, 2, orderId, 103, 'Duplicate order id', '']);
      return;
    }
    const limitSigned = Math.round(lmtPrice * 100) * (action === 'BUY' ? 1 : -1);
    // Combo legs (§4.1, at 35 when BAG): count, 8 fields per leg, per-leg prices, smart-combo routing params.
    const legs: FakeOrder['legs'] = [];
    const routing: FakeOrder['routing'] = [];
    if (secType === 'BAG') {
      const n = Number(f[35]);
      for (let i = 0; i < n; i++) {
        const b = 36 + i * 8;
        legs.push({ conId: Number(f[b]), ratio: Number(f[b + 1]), action: f[b + 2] === 'SELL' ? 'SELL' : 'BUY', exchange: f[b + 3] ?? '' });
      }
      let at = 36 + n * 8;
      at += 1 + Number(f[at] || 0); // orderComboLegCount + one price each
      const params = Number(f[at] || 0);
      for (let i = 0; i < params; i++) routing.push({ tag: f[at + 1 + 2 * i] ?? '', value: f[at + 2 + 2 * i] ?? '' });
    }
    if (existing) {
      // placeOrder with a known id from the client that placed it = modify (IB's replace). IB takes a
      // new price, size and tif; the rest must be the open order's ("Modifying Orders").
      if (existing.status === 'Filled') {
        this.send(s, [4, 2, orderId, 104, "Can't modify a filled order.", '']);
        return;
      }
      if (existing.status === 'Cancelled' || existing.status === 'Inactive') {
        this.send(s, [4, 2, orderId, 103, 'Duplicate order id', '']);
        return;
      }
      // The same contract is what IB resolves the description to, not the same text: a contract may
      // be given by its conId alone or by symbol/secType/expiry/strike/right ("Contracts": TWS matches
      // the description to a single contract), so a single leg is compared by the contract it names.
      // A BAG is compared leg by leg (conId, ratio, action).
      let sameContract: boolean;
      if (existing.contract.secType === 'BAG') {
        sameContract = secType === 'BAG' && existing.legs.length === legs.length && existing.legs.every((l, i) => l.conId === legs[i]?.conId && l.ratio === legs[i]?.ratio && l.action === legs[i]?.action);
      } else {
        const named = secType === 'BAG' ? [] : this.resolve(Number(f[2] || 0), f[3] ?? '', secType, f[5] ?? '', f[6] ?? '', f[7] ?? '', f[13] ?? '');
        sameContract = named.length === 1 && named[0]?.conId === existing.contract.conId;
      }
      if (!sameContract || action !== existing.action || this.script.refuseModifications) {
        this.send(s, [4, 2, orderId, 105, 'Order being modified does not match original order.', '']);
        return;
      }
      existing.lmtPrice = lmtPrice;
      existing.quantity = quantity;
      existing.tif = tif;
      this.exchange.replace(existing.exchangeId, limitSigned, quantity);
      return;
    }
    let contract: IbContract;
    let domainLegs: OrderLeg[];
    if (secType === 'BAG') {
      const resolved = legs.map((l) => this.resolve(l.conId, '', '', '', '', '', '')[0]);
      if (resolved.some((r) => !r || !r.contract)) {
        this.send(s, [4, 2, orderId, 200, 'No security definition has been found for the request', '']);
        return;
      }
      contract = { conId: 28812380, symbol: f[3] ?? 'SPX', secType: 'BAG', expiry: '', strike: 0, right: '', multiplier: '', exchange: 'SMART', currency: 'USD', localSymbol: '', tradingClass: f[13] ?? '', contract: null, quoteSymbol: null };
      domainLegs = legs.map((l, i) => ({
        contract: (resolved[i] as IbContract).contract as Contract,
        side: (action === 'BUY') === (l.action === 'BUY') ? 'BUY' : 'SELL',
        ratio: l.ratio,
        intent: 'open',
      }));
    } else {
      const found = this.resolve(Number(f[2] || 0), f[3] ?? '', secType, f[5] ?? '', f[6] ?? '', f[7] ?? '', f[13] ?? '');
      const c = found.length === 1 ? found[0] : undefined;
      if (!c || !c.contract) {
        this.send(s, [4, 2, orderId, 200, 'No security definition has been found for the request', '']);
        return;
      }
      contract = c;
      domainLegs = [{ contract: c.contract as Contract, side: action, ratio: 1, intent: 'open' }];
    }
    const order: FakeOrder = {
      orderId, clientId, permId: this.nextPermId++, exchangeId: '', contract, action, quantity, lmtPrice, tif, orderRef, legs, routing,
      status: 'PreSubmitted', filled: 0, avgPrice: 0, lastFillPrice: 0,
    };
    this.orders.set(key, order);
    this.nextOrderId = Math.max(this.nextOrderId, orderId + 1);
    if (this.script.rejectNextOrder) {
      const why = this.script.rejectNextOrder;
      this.script.rejectNextOrder = null;
      order.status = 'Inactive';
      this.send(s, [4, 2, orderId, 201, `Order rejected - reason:${why}`, '']);
      this.broadcastOrder(order);
      return;
    }
    const ex = this.exchange.submit({ ref: orderRef, legs: domainLegs, quantity, limitSigned });
    order.exchangeId = ex.id;
    this.byExchangeId.set(ex.id, order);
    if (ex.status === 'rejected') {
      order.status = 'Inactive';
      // Real TWS reports the reason (201) before the order turns Inactive.
      this.send(s, [4, 2, orderId, 201, `Order rejected - reason:${ex.reason ?? ''}`, '']);
      this.broadcastOrder(order);
      return;
    }
    this.broadcastOrder(order); // PreSubmitted
    this.applyExchange(order, { type: 'accepted', order: ex }); // Submitted
    this.later(this.script.fillDelayMs, () => this.exchange.match());
  }

  private onExchange(e: ExchangeEvent): void {
    if (e.type === 'settled') return;
    const o = this.byExchangeId.get(e.order.id);
    // `accepted`/`rejected` come synchronously inside submit(), before the id is linked; onPlaceOrder handles them.
    if (!o) return;
    this.applyExchange(o, e);
  }

  private applyExchange(o: FakeOrder, e: ExchangeEvent): void {
    switch (e.type) {
      case 'accepted':
        o.status = 'Submitted';
        this.broadcastOrder(o);
        return;
      case 'replaced':
        o.status = 'Submitted';
        this.broadcastOrder(o);
        this.later(this.script.fillDelayMs, () => this.exchange.match());
        return;
      case 'canceled': {
        o.status = 'PendingCancel';
        this.broadcastStatus(o);
        o.status = 'Cancelled';
        this.broadcastOrder(o);
        const s = this.sessionOf(o.clientId);
        if (s) this.send(s, [4, 2, o.orderId, 202, 'Order Canceled - reason:', '']);
        return;
      }
      case 'filled': {
        const fill = e.fill;
        const base = `0000e0d5.${(++this.execSeq).toString(16).padStart(8, '0')}.01.01`;
        const time = fill.time;
        const perLegCommission = fill.commissionCents / 100 / Math.max(1, o.legs.length || 1);
        const netAbs = Math.abs(fill.netSigned) / 100;
        const comboPrice = (o.action === 'BUY' ? fill.netSigned : -fill.netSigned) / 100;
        o.avgPrice = (o.avgPrice * o.filled + comboPrice * fill.quantity) / (o.filled + fill.quantity);
        o.filled += fill.quantity;
        o.lastFillPrice = comboPrice;
        const execs: Exec[] = [];
        if (o.contract.secType === 'BAG') {
          o.legs.forEach((l, i) => {
            const lc = this.byConId.get(l.conId) ?? this.fixedContract('SPY');
            if (!lc) return;
            const side = (o.action === 'BUY') === (l.action === 'BUY') ? 'BOT' : 'SLD';
            execs.push({ execId: `${base.slice(0, -2)}${String(i + 2).padStart(2, '0')}`, orderId: o.orderId, clientId: o.clientId, permId: o.permId, contract: lc, side, shares: l.ratio * fill.quantity, price: fill.legPrices[i] as number, cumQty: l.ratio * o.filled, avgPrice: fill.legPrices[i] as number, orderRef: o.orderRef, time, commission: perLegCommission });
          });
          execs.push({ execId: base, orderId: o.orderId, clientId: o.clientId, permId: o.permId, contract: o.contract, side: o.action === 'BUY' ? 'BOT' : 'SLD', shares: fill.quantity, price: comboPrice, cumQty: o.filled, avgPrice: o.avgPrice, orderRef: o.orderRef, time, commission: null });
        } else {
          execs.push({ execId: base, orderId: o.orderId, clientId: o.clientId, permId: o.permId, contract: o.contract, side: o.action === 'BUY' ? 'BOT' : 'SLD', shares: fill.quantity, price: netAbs, cumQty: o.filled, avgPrice: o.avgPrice, orderRef: o.orderRef, time, commission: fill.commissionCents / 100 });
        }
        this.execs.push(...execs);
        const s = this.sessionOf(o.clientId);
        if (s) for (const x of execs) this.send(s, this.execFields(-1, x));
        o.status = o.filled >= o.quantity ? 'Filled' : 'Submitted';
        if (o.status === 'Filled') this.broadcastOrder(o);
        else this.broadcastStatus(o);
        if (s) for (const x of execs) if (x.commission !== null) this.send(s, [59, 1, x.execId, x.commission.toFixed(2), 'USD', MAX_DOUBLE, MAX_DOUBLE, '']);
        if (o.status !== 'Filled') this.later(this.script.fillDelayMs, () => this.exchange.match());
        return;
      }
      case 'rejected':
        return;
    }
  }

  private onCancelOrder(s: Session, orderId: number): void {
    const o = this.orders.get(`${s.clientId}:${orderId}`);
    if (!o || o.status === 'Filled' || o.status === 'Cancelled' || o.status === 'Inactive') {
      this.send(s, [4, 2, orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`, '']);
      return;
    }
    this.exchange.cancel(o.exchangeId);
  }

  private onReqOpenOrders(s: Session, all: boolean): void {
    for (const o of this.orders.values()) {
      if (!all && o.clientId !== s.clientId) continue;
      if (o.status !== 'PreSubmitted' && o.status !== 'Submitted' && o.status !== 'PendingCancel') continue;
      this.send(s, this.openOrderFields(o));
      this.send(s, this.orderStatusFields(o));
    }
    this.send(s, [53, 1]);
  }

  private onReqExecutions(s: Session, reqId: number): void {
    for (const x of this.execs) {
      if (x.clientId !== s.clientId) continue;
      this.send(s, this.execFields(reqId, x));
    }
    this.send(s, [55, 1, reqId]);
    for (const x of this.execs) if (x.clientId === s.clientId && x.commission !== null) this.send(s, [59, 1, x.execId, x.commission.toFixed(2), 'USD', MAX_DOUBLE, MAX_DOUBLE, '']);
  }

  private onReqPositions(s: Session): void {
    for (const p of this.exchange.positionList()) {
      const c = p.contract.kind === 'stock' ? (this.fixedContract('SPY') as IbContract) : this.optionContract(p.contract.root, p.contract.expiration, p.contract.strike, p.contract.right);
      const mult = p.contract.kind === 'option' ? 100 : 1;
      this.send(s, [61, 3, this.account, c.conId, c.symbol, c.secType, c.expiry, c.strike, c.right, c.multiplier, '', c.currency, c.localSymbol, c.tradingClass, p.quantity, p.avgPrice * mult]);
    }
    this.send(s, [62, 1]);
  }

  private onReqAccountSummary(s: Session, reqId: number, tags: string): void {
    const values: Record<string, number> = {
      NetLiquidation: this.exchange.netLiquidation(),
      TotalCashValue: this.exchange.cash(),
      SettledCash: this.exchange.cash(),
      BuyingPower: this.exchange.buyingPower(),
      AvailableFunds: this.exchange.buyingPower(),
      ExcessLiquidity: this.exchange.buyingPower(),
    };
    const wanted = tags === 'All' || tags === '' ? Object.keys(values) : tags.split(',');
    for (const tag of wanted) {
      const v = values[tag];
      if (v !== undefined) this.send(s, [63, 1, reqId, this.account, tag, v.toFixed(2), 'USD']);
    }
    this.send(s, [64, 1, reqId]);
  }

  /**
   * reqAccountUpdates (msg 6, §5.4): ACCT_VALUE per key, PORTFOLIO_VALUE (version 8) per position,
   * ACCT_UPDATE_TIME, then ACCT_DOWNLOAD_END. A subscription at IB; the fake sends one snapshot per
   * subscribe, and nothing for an unsubscribe.
   */
  private onReqAccountUpdates(s: Session, subscribe: boolean): void {
    if (!subscribe) return;
    const values: [string, number][] = [
      ['NetLiquidation', this.exchange.netLiquidation()],
      ['TotalCashValue', this.exchange.cash()],
      ['BuyingPower', this.exchange.buyingPower()],
      ['AvailableFunds', this.exchange.buyingPower()],
    ];
    for (const [key, v] of values) this.send(s, [6, 2, key, v.toFixed(2), 'USD', this.account]);
    for (const p of this.exchange.positionList()) {
      const c = p.contract.kind === 'stock' ? (this.fixedContract('SPY') as IbContract) : this.optionContract(p.contract.root, p.contract.expiration, p.contract.strike, p.contract.right);
      const mult = p.contract.kind === 'option' ? 100 : 1;
      const price = this.markOf(c);
      const value = price * p.quantity * mult;
      const cost = p.avgPrice * mult;
      this.send(s, [7, 8, c.conId, c.symbol, c.secType, c.expiry, c.strike, c.right, c.multiplier, '', c.currency, c.localSymbol, c.tradingClass, p.quantity, price, value.toFixed(2), cost, (value - cost * p.quantity).toFixed(2), 0, this.account]);
    }
    const t = etParts(this.market.now());
    this.send(s, [8, 1, `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`]);
    this.send(s, [54, 1, this.account]);
  }

  /** Mid (or last) of a contract now, 0 when unknown. */
  private markOf(c: IbContract): number {
    if (c.quoteSymbol) return this.market.quote(c.quoteSymbol).last ?? 0;
    const oc = c.contract;
    if (!oc || oc.kind !== 'option') return 0;
    const q = this.market.chain(oc.root, oc.expiration).contracts.find((x) => x.root === oc.root && x.strike === oc.strike && x.right === oc.right);
    return q && q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : 0;
  }

  // -------------------------------------------------------------------------------------------
  // Outgoing order messages (layouts at server version 193)

  private sessionOf(clientId: number): Session | null {
    for (const s of this.sessions) if (s.clientId === clientId) return s;
    return null;
  }

  private broadcastOrder(o: FakeOrder): void {
    const s = this.sessionOf(o.clientId);
    if (!s) return;
    this.send(s, this.openOrderFields(o));
    this.send(s, this.orderStatusFields(o));
  }
  private broadcastStatus(o: FakeOrder): void {
    const s = this.sessionOf(o.clientId);
    if (s) this.send(s, this.orderStatusFields(o));
  }

  private orderStatusFields(o: FakeOrder): Field[] {
    return [3, o.orderId, o.status, o.filled, o.quantity - o.filled, o.avgPrice, o.permId, 0, o.lastFillPrice, o.clientId, '', 0];
  }

  private execFields(reqId: number, x: Exec): Field[] {
    const c = x.contract;
    return [
      11, reqId, x.orderId, c.conId, c.symbol, c.secType, c.expiry, c.strike, c.right, c.multiplier, c.exchange === 'SMART' ? 'CBOE' : c.exchange, c.currency, c.localSymbol, c.tradingClass,
      x.execId, this.timeText(x.time), this.account, 'CBOE', x.side, x.shares, x.price, x.permId, x.clientId, 0, x.cumQty, x.avgPrice, x.orderRef, '', '', '', 1, 0,
    ];
  }

  private openOrderFields(o: FakeOrder): Field[] {
    const c = o.contract;
    // Combo legs: conId, ratio, action, exchange, openClose, shortSaleSlot, designatedLocation, exemptCode.
    const shown = this.script.openOrderWithoutComboLegs ? [] : o.legs;
    const legs: Field[] = [];
    for (const l of shown) legs.push(l.conId, l.ratio, l.action, l.exchange, 0, 0, '', -1);
    const routing: Field[] = [];
    for (const p of o.routing) routing.push(p.tag, p.value);
    const descr = shown.map((l) => `${l.conId}|${l.action === 'BUY' ? l.ratio : -l.ratio}`).join(',');
    return [
      5, o.orderId,
      c.conId, c.symbol, c.secType, c.expiry, c.strike, c.right, c.multiplier, c.exchange, c.currency, c.localSymbol, c.tradingClass,
      o.action, o.quantity, 'LMT', o.lmtPrice, '', o.tif, '', this.account, '', 0, o.orderRef, o.clientId, o.permId, 0, 0, 0, '',
      '', '', '', '', '', '', '', '', '', 0, '', -1, 0, '', '', '', '', '', '', 0, 0, 0, '', 0, 0, 0, '', 0, 0,
      '', 0, '', '', 0, 0, '', '', '', '',
      descr, shown.length, ...legs, 0, o.routing.length, ...routing,
      '', '', '',
      '', 0, '', '', 0, 0, '', 0,
      0, o.status, '', '', '', '', '', '', '', '', '', '', '', '', 'USD', '',
      0, 0,
      0,
      '', '', '', '', '', '', '', 0,
      '', '', '', '',
      0, 0, 0, 0, 0, '', 0,
      '', '', '', '', '',
      '', 0, '', 0, '', '',
    ];
  }

  private timeText(ms: number): string {
    const d = new Date(ms);
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
  }
}

/** Starts a fake IB Gateway on `port` (0 = any free port). */
export async function startFakeIbGateway(opts: FakeIbGatewayOptions & { port?: number; host?: string }): Promise<FakeIbGateway> {
  const fake = new FakeIbGateway(opts);
  await fake.start(opts.port ?? 0, opts.host);
  return fake;
}

// ---------------------------------------------------------------------------------------------
// Historical-data parameters (IB's "Historical Bar Data" settings)

/** Minutes per bar, 'day', 'unsupported' (valid at IB, but the fake has no such data) or null (invalid). */
function barSizeMinutes(text: string): number | 'day' | 'unsupported' | null {
  const m = /^(\d+) (secs|min|mins|hour|hours|day|week|month)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] as string;
  if (unit === 'secs') return [1, 5, 10, 15, 30].includes(n) ? 'unsupported' : null;
  if (unit === 'min' || unit === 'mins') return (n === 1) === (unit === 'min') && [1, 2, 3, 5, 10, 15, 20, 30].includes(n) ? n : null;
  if (unit === 'hour' || unit === 'hours') return (n === 1) === (unit === 'hour') && [1, 2, 3, 4, 8].includes(n) ? n * 60 : null;
  if (unit === 'day') return n === 1 ? 'day' : null;
  return n === 1 ? 'unsupported' : null; // 1 week, 1 month
}

type Span = { n: number; unit: 'S' | 'D' | 'W' | 'M' | 'Y' };

function parseDuration(text: string): Span | null {
  const m = /^(\d{1,7}) ([SDWMY])$/.exec(text);
  if (!m || Number(m[1]) <= 0) return null;
  return { n: Number(m[1]), unit: m[2] as Span['unit'] };
}

/** Start of a duration counted back from `endMs` in calendar time (S, W, M, Y). */
function startOf(endMs: number, span: Span): number {
  const day = 86_400_000;
  const back = { S: 1_000, D: day, W: 7 * day, M: 30 * day, Y: 365 * day }[span.unit];
  return endMs - span.n * back;
}

/** The first of the last `n` trading sessions up to `date` (or up to the session before it when `date` has none). */
function sessionsBack(date: string, n: number): string {
  let d = isTradingDay(date) ? date : previousTradingDay(date);
  for (let i = 1; i < n; i++) d = previousTradingDay(d);
  return d;
}

/** An end date/time as IB takes it: `yyyyMMdd HH:mm:ss [tz]` (no zone = ET) or `yyyyMMdd-HH:mm:ss` (UTC). */
function parseIbTime(text: string): number | null {
  const utc = /^(\d{8})-(\d{2}:\d{2}:\d{2})$/.exec(text);
  if (utc) return Date.parse(`${isoDate(utc[1] as string)}T${utc[2]}Z`);
  const m = /^(\d{8}) {1,2}(\d{2}:\d{2}:\d{2})(?: (\S+))?$/.exec(text);
  if (!m) return null;
  const zone = m[3] ?? 'US/Eastern';
  try {
    if (isEtZone(zone)) return etToEpoch(isoDate(m[1] as string), m[2] as string);
    if (zone === 'UTC' || zone === 'GMT') return Date.parse(`${isoDate(m[1] as string)}T${m[2]}Z`);
  } catch {
    return null;
  }
  return null;
}

/** Minute bars → bars of `size` minutes on ET clock boundaries (each bar starts at its first minute). */
function aggregate(minutes: readonly { time: number; open: number; high: number; low: number; close: number; volume: number }[], size: number): { time: number; open: number; high: number; low: number; close: number; volume: number }[] {
  const out: { time: number; open: number; high: number; low: number; close: number; volume: number }[] = [];
  let key = '';
  for (const m of minutes) {
    const p = etParts(m.time);
    const k = `${p.date}:${Math.floor((p.hour * 60 + p.minute) / size)}`;
    const last = out[out.length - 1];
    if (k !== key || !last) {
      key = k;
      out.push({ ...m });
      continue;
    }
    last.high = Math.max(last.high, m.high);
    last.low = Math.min(last.low, m.low);
    last.close = m.close;
    last.volume += m.volume;
  }
  return out;
}
