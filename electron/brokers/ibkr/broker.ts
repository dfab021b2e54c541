/**
 * The `ibkr` adapter: the Broker port over IB Gateway / TWS through `@stoqey/ib`.
 * Split like Nautilus's IB adapter: client/ (connection, market data, orders, account),
 * parsing/ (pure wire↔domain), config.ts.
 */
import type { ChainSnapshot, Underlying } from '../../../shared/domain/chain.ts';
import { Emitter, OrderBook } from '../order-book.ts';
import {
  type AccountSummary,
  type AccountType,
  type Broker,
  type BrokerEvent,
  type BrokerMaintenance,
  type BrokerPosition,
  type CancelOrder,
  type ChainRequest,
  type ClientOrderId,
  type Clock,
  type ConnectionStatus,
  type DailyBar,
  type Expiration,
  type OrderView,
  type PlaceOrder,
  type Quote,
  type QuoteSymbol,
  type ReconciliationReport,
  type ReplaceOrder,
  type Unsubscribe,
} from '../port.ts';
import { redact, registerSecret } from '../redact.ts';
import { IbAccount } from './client/account.ts';
import { IbConnection } from './client/connection.ts';
import { IbMarketData } from './client/market-data.ts';
import { IbOrders } from './client/orders.ts';
import { parseIbkrConfig, type IbkrConfig, type IbkrConfigInput } from './config.ts';

export class IbkrBroker implements Broker {
  readonly kind = 'ibkr' as const;
  readonly config: IbkrConfig;
  private readonly clock: Clock;
  private readonly events = new Emitter<BrokerEvent>();
  private readonly book: OrderBook;
  private readonly conn: IbConnection;
  private readonly md: IbMarketData;
  private readonly ordersClient: IbOrders;
  private readonly accountClient: IbAccount;

  constructor(config: IbkrConfigInput, deps: { clock: Clock }) {
    this.config = parseIbkrConfig(config);
    this.clock = deps.clock;
    this.book = new OrderBook(this.clock, this.events);
    const notice = (level: 'info' | 'warn' | 'error', message: string, code: number | null): void =>
      this.events.emit({ type: 'notice-received', level, message: redact(message), code, time: this.clock.now() });
    this.conn = new IbConnection(this.config, {
      clock: this.clock,
      onStatus: (status) => this.events.emit({ type: 'connection-changed', status: { ...status, message: redact(status.message) }, time: this.clock.now() }),
      onNotice: notice,
    });
    this.conn.api.on('managedAccounts' as never, (list: string) => list.split(',').forEach(registerSecret));
    this.md = new IbMarketData(this.conn, this.clock, notice);
    this.ordersClient = new IbOrders(this.conn, this.md, this.book, this.clock);
    this.accountClient = new IbAccount(this.conn, this.clock);
  }

  /** What the account is (IB's managedAccounts of the current session: DU… paper, U… live); `live` in the settings is only what is asked for. */
  get paper(): boolean {
    return this.conn.status().paper;
  }
  accountType(): AccountType | null {
    return this.conn.accountType();
  }
  status(): ConnectionStatus {
    return this.conn.status();
  }
  connect(): Promise<void> {
    return this.conn.connect();
  }
  disconnect(): Promise<void> {
    return this.conn.disconnect();
  }
  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    return this.events.on(listener);
  }
  account(): Promise<AccountSummary> {
    return this.accountClient.summary();
  }
  positions(): Promise<BrokerPosition[]> {
    return this.accountClient.positions();
  }
  quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]> {
    return this.md.quotes(symbols);
  }
  expirations(underlying: Underlying): Promise<Expiration[]> {
    return this.md.expirations(underlying);
  }
  chain(request: ChainRequest): Promise<ChainSnapshot> {
    return this.md.chain(request);
  }
  dailyHistory(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]> {
    return this.md.dailyHistory(symbol, from, to);
  }
  placeOrder(command: PlaceOrder): Promise<OrderView> {
    return this.ordersClient.place(command);
  }
  async cancelOrder(command: CancelOrder): Promise<void> {
    this.ordersClient.cancel(command.clientOrderId);
  }
  async replaceOrder(command: ReplaceOrder): Promise<void> {
    this.ordersClient.replace(command);
  }
  order(id: ClientOrderId): OrderView | null {
    return this.book.get(id);
  }
  reconcile(since: number): Promise<ReconciliationReport> {
    return this.ordersClient.reconcile(since, () => this.accountClient.positions());
  }
  /** IB Gateway's daily restart / weekly re-login window at `now` (config `restart`). */
  maintenanceAt(now: number): BrokerMaintenance | null {
    return this.conn.maintenanceAt(now);
  }
}
