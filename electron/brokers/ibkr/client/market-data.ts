/**
 * IB market data: streaming quotes for the port's symbols (re-subscribed after reconnects and 1101),
 * expirations from reqSecDefOptParams, chains from contract details + snapshot option computations,
 * daily history with IB's historical-data pacing respected.
 */
import { BarSizeSetting, EventName, SecType, WhatToShow, type Contract as IbContract, type ContractDetails } from '@stoqey/ib';
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../../../shared/domain/chain.ts';
import { occSymbol } from '../../../../shared/domain/occ.ts';
import { BrokerError, settlementOf, type ChainRequest, type Clock, type DailyBar, type Expiration, type Quote, type QuoteSymbol } from '../../port.ts';
import { domainContract, ibDate, isoDate, optionQuery, quoteContract } from '../parsing/contracts.ts';
import { applyOptionComputation, applyTickPrice, applyTickSize, emptyTicks, type TickState } from '../parsing/ticks.ts';
import type { IbConnection } from './connection.ts';
import { isOptionRoot, UNDERLYINGS } from '../../../../shared/domain/instruments.ts';

type TickSink = (s: TickState) => void;

export class IbMarketData {
  private readonly conn: IbConnection;
  private readonly clock: Clock;
  private readonly notice: (level: 'info' | 'warn' | 'error', message: string, code: number | null) => void;
  private readonly tickSinks = new Map<number, { state: TickState; onTick: TickSink | null; snapshotEnd: (() => void) | null }>();
  private readonly streams = new Map<QuoteSymbol, { reqId: number; state: TickState; time: number | null }>();
  private delayedMode = false;
  private underConIds = new Map<string, number>();
  private secDefCache = new Map<Underlying, Map<string, Set<OptionRoot>>>();
  private histQueue: Promise<unknown> = Promise.resolve();

  constructor(conn: IbConnection, clock: Clock, notice: (level: 'info' | 'warn' | 'error', message: string, code: number | null) => void) {
    this.conn = conn;
    this.clock = clock;
    this.notice = notice;
    const api = conn.api;
    api.on(EventName.tickPrice, (id: number, type: number, price: number) => this.withTicks(id, (s) => applyTickPrice(s, type, price)));
    api.on(EventName.tickSize, (id: number, type?: number, size?: number) => this.withTicks(id, (s) => applyTickSize(s, type ?? -1, size)));
    api.on(EventName.tickOptionComputation, (id: number, type: number, _attrib: number | undefined, iv?: number, delta?: number, _optPrice?: number, _pv?: number, gamma?: number, vega?: number, theta?: number, undPrice?: number) =>
      this.withTicks(id, (s) => applyOptionComputation(s, type, { iv, delta, gamma, vega, theta, undPrice })),
    );
    api.on(EventName.tickSnapshotEnd, (id: number) => this.tickSinks.get(id)?.snapshotEnd?.());
    // After a reconnect and after IB's 1101 ("data lost") every subscription is dead: ask again.
    conn.onConnected(() => this.resubscribe());
  }

  private withTicks(id: number, fn: (s: TickState) => void): void {
    const sink = this.tickSinks.get(id);
    if (!sink) return;
    fn(sink.state);
    sink.onTick?.(sink.state);
  }

  /** Market-data type to ask for: live unless configured delayed or after a permission fallback. */
  private applyMarketDataType(): void {
    const delayed = this.conn.config.marketData === 'delayed' || this.delayedMode;
    this.conn.api.reqMarketDataType(delayed ? 3 : 1);
  }

  private resubscribe(): void {
    this.applyMarketDataType();
    // A snapshot of the keys: subscribe() re-inserts each symbol, which a live Map iteration would visit again, forever.
    for (const [symbol, s] of [...this.streams]) {
      this.tickSinks.delete(s.reqId);
      this.streams.delete(symbol);
      this.subscribe(symbol).catch((e: BrokerError) => this.notice('warn', e.message, e.code));
    }
  }

  /** Starts (once) a streaming subscription; resolves with the first usable price. */
  private subscribe(symbol: QuoteSymbol): Promise<void> {
    const existing = this.streams.get(symbol);
    if (existing) return Promise.resolve();
    const reqId = this.conn.nextReqId();
    const state = emptyTicks();
    const entry = { reqId, state, time: null as number | null };
    this.streams.set(symbol, entry);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: BrokerError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(), this.conn.config.requestTimeoutMs);
      this.tickSinks.set(reqId, {
        state,
        onTick: (s) => {
          entry.time = this.clock.now();
          if (s.last !== null || s.close !== null || s.bid !== null) done();
        },
        snapshotEnd: null,
      });
      this.conn.register(reqId, {
        what: `${symbol} quotes`,
        onError: (err) => {
          if (err.kind === 'permission' && this.conn.config.marketData === 'auto' && !this.delayedMode) {
            this.delayedMode = true;
            this.notice('warn', `No live market-data subscription for ${symbol}; using 15-minute delayed data. Subscribe in Client Portal → Market Data Subscriptions for live quotes.`, err.code);
            this.conn.api.reqMarketDataType(3);
            this.conn.api.reqMktData(reqId, quoteContract(symbol), '', false, false);
            return true;
          }
          this.streams.delete(symbol);
          this.tickSinks.delete(reqId);
          done(err);
          return true;
        },
      });
      this.conn.api.reqMktData(reqId, quoteContract(symbol), '', false, false);
    });
  }

  async quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]> {
    this.conn.requireConnected('get quotes');
    await Promise.all(symbols.map((s) => this.subscribe(s)));
    return symbols.map((symbol) => {
      const s = this.streams.get(symbol);
      const st = s?.state ?? emptyTicks();
      return { symbol, last: st.last, bid: st.bid, ask: st.ask, close: st.close, time: s?.time ?? null, delayed: st.delayed };
    });
  }

  /** Runs a request that answers with a list then an end marker. */
  private collect<T>(what: string, start: (reqId: number) => void, dataEvent: EventName, endEvent: EventName, pick: (...args: never[]) => T | undefined): Promise<T[]> {
    const reqId = this.conn.nextReqId();
    // Generic event names defeat IBApi's per-event overloads; the listener checks its own arguments.
    const api = this.conn.api as unknown as { on(e: string, f: (...a: never[]) => void): void; off(e: string, f: (...a: never[]) => void): void };
    return this.conn.awaitAnswer<T[]>(what, reqId, (settle) => {
      const out: T[] = [];
      const onData = (...args: unknown[]): void => {
        if (args[0] !== reqId) return;
        const v = (pick as (...a: unknown[]) => T | undefined)(...args);
        if (v !== undefined) out.push(v);
      };
      const onEnd = (id: number): void => {
        if (id === reqId) settle.resolve(out);
      };
      api.on(dataEvent, onData);
      api.on(endEvent, onEnd);
      start(reqId);
      return () => {
        api.off(dataEvent, onData);
        api.off(endEvent, onEnd);
      };
    });
  }

  async contractDetails(query: IbContract, what: string): Promise<ContractDetails[]> {
    this.conn.requireConnected(`look up ${what}`);
    return this.collect<ContractDetails>(what, (id) => this.conn.api.reqContractDetails(id, query), EventName.contractDetails, EventName.contractDetailsEnd, ((_id: number, cd: ContractDetails) => cd) as never);
  }

  private async underlyingConId(underlying: Underlying): Promise<number> {
    const cached = this.underConIds.get(underlying);
    if (cached) return cached;
    const [cd] = await this.contractDetails(quoteContract(underlying), underlying);
    const conId = cd?.contract.conId;
    if (!conId) throw new BrokerError('unknown-contract', `IB did not return a contract id for ${underlying}.`);
    this.underConIds.set(underlying, conId);
    return conId;
  }

  async expirations(underlying: Underlying): Promise<Expiration[]> {
    this.conn.requireConnected('list expirations');
    const conId = await this.underlyingConId(underlying);
    type P = { exchange: string; tradingClass: string; expirations: string[] };
    const params = await this.collect<P>(
      `${underlying} option parameters`,
      (id) => this.conn.api.reqSecDefOptParams(id, underlying, '', UNDERLYINGS[underlying].kind === 'index' ? SecType.IND : SecType.STK, conId),
      EventName.securityDefinitionOptionParameter,
      EventName.securityDefinitionOptionParameterEnd,
      ((_id: number, exchange: string, _u: number, tradingClass: string, _m: number, expirations: string[]) => ({ exchange, tradingClass, expirations })) as never,
    );
    const byDate = new Map<string, Set<OptionRoot>>();
    for (const p of params) {
      if (p.exchange !== 'SMART') continue;
      const root = p.tradingClass;
      if (!isOptionRoot(root)) continue;
      for (const e of p.expirations) {
        const iso = isoDate(e);
        const set = byDate.get(iso) ?? new Set<OptionRoot>();
        set.add(root);
        byDate.set(iso, set);
      }
    }
    this.secDefCache.set(underlying, byDate);
    const out: Expiration[] = [];
    for (const [date, roots] of byDate) for (const root of roots) out.push({ date, root, settlement: settlementOf(root) });
    return out.sort((a, b) => a.date.localeCompare(b.date) || a.root.localeCompare(b.root));
  }

  async chain(req: ChainRequest): Promise<ChainSnapshot> {
    this.conn.requireConnected('fetch a chain');
    let roots = req.roots ? [...req.roots] : null;
    if (!roots) {
      if (!this.secDefCache.has(req.underlying)) await this.expirations(req.underlying);
      roots = [...(this.secDefCache.get(req.underlying)?.get(req.expiration) ?? [])];
      if (roots.length === 0) throw new BrokerError('unknown-contract', `IB lists no ${req.underlying} options expiring ${req.expiration}.`);
    }
    const contracts: { root: OptionRoot; cd: ContractDetails }[] = [];
    for (const root of roots) {
      const list = await this.contractDetails(optionQuery(root, req.expiration), `${root} options ${req.expiration}`);
      for (const cd of list) {
        const s = cd.contract.strike ?? 0;
        if (req.minStrike !== undefined && s < req.minStrike) continue;
        if (req.maxStrike !== undefined && s > req.maxStrike) continue;
        contracts.push({ root, cd });
      }
    }
    const [und] = await this.quotes([req.underlying]);
    const quotes = await this.snapshots(contracts.map((c) => c.cd.contract));
    const out: OptionQuote[] = [];
    contracts.forEach(({ root, cd }, i) => {
      const dc = domainContract({ ...cd.contract, tradingClass: root });
      const t = quotes[i] as { state: TickState; time: number | null };
      if (!dc || dc.kind !== 'option') return;
      out.push({
        symbol: occSymbol(root, dc.expiration, dc.right, dc.strike),
        root,
        expiration: dc.expiration,
        strike: dc.strike,
        right: dc.right,
        bid: t.state.bid,
        ask: t.state.ask,
        last: t.state.last,
        bidSize: t.state.bidSize,
        askSize: t.state.askSize,
        volume: t.state.volume,
        openInterest: null,
        iv: t.state.iv,
        delta: t.state.delta,
        gamma: t.state.gamma,
        theta: t.state.theta,
        vega: t.state.vega,
        rho: null,
        quoteTime: t.time,
      });
    });
    out.sort((a, b) => a.expiration.localeCompare(b.expiration) || a.strike - b.strike || (a.right === b.right ? a.root.localeCompare(b.root) : a.right === 'C' ? -1 : 1));
    const underlyingPrice = und?.last ?? und?.close ?? out.find((q) => q.delta !== null)?.strike ?? 0;
    return { underlying: req.underlying, underlyingPrice, time: this.clock.now(), source: 'ibkr', contracts: out };
  }

  /** Snapshot quotes for many contracts with at most `chainConcurrency` lines open. */
  private async snapshots(list: IbContract[]): Promise<{ state: TickState; time: number | null }[]> {
    const results: { state: TickState; time: number | null }[] = new Array(list.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const i = next++;
        results[i] = await this.snapshot(list[i] as IbContract);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.conn.config.chainConcurrency, list.length) }, worker));
    return results;
  }

  private snapshot(contract: IbContract): Promise<{ state: TickState; time: number | null }> {
    const reqId = this.conn.nextReqId();
    const state = emptyTicks();
    return new Promise((resolve) => {
      let time: number | null = null;
      const done = (): void => {
        clearTimeout(timer);
        this.tickSinks.delete(reqId);
        unregister();
        resolve({ state, time });
      };
      const timer = setTimeout(done, this.conn.config.requestTimeoutMs);
      const unregister = this.conn.register(reqId, {
        what: `option ${contract.localSymbol ?? contract.conId}`,
        onError: (e) => {
          if (e.kind === 'permission') this.notice('warn', e.message, e.code);
          done();
        },
      });
      this.tickSinks.set(reqId, { state, onTick: () => (time = this.clock.now()), snapshotEnd: done });
      this.conn.api.reqMktData(reqId, { conId: contract.conId, exchange: 'SMART' }, '', true, false);
    });
  }

  /** Daily bars; requests are serialized with a minimum gap and retried after pacing violations (IB 162). */
  dailyHistory(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]> {
    this.conn.requireConnected('fetch history');
    const run = async (): Promise<DailyBar[]> => {
      const { minGapMs, retryAfterMs, maxRetries } = this.conn.config.historical;
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.historyOnce(symbol, from, to);
        } catch (e) {
          const err = e as BrokerError;
          if (err.kind !== 'rate-limited' || attempt >= maxRetries) throw err;
          this.notice('warn', err.message, err.code);
          await sleep(retryAfterMs);
        } finally {
          await sleep(minGapMs);
        }
      }
    };
    const p = this.histQueue.then(run, run);
    this.histQueue = p.catch(() => undefined);
    return p;
  }

  private historyOnce(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]> {
    this.conn.requireConnected('fetch history');
    const days = Math.max(1, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1);
    const duration = days > 365 ? `${Math.ceil(days / 365)} Y` : `${days} D`;
    const reqId = this.conn.nextReqId();
    const api = this.conn.api;
    return this.conn.awaitAnswer<DailyBar[]>(`${symbol} daily history`, reqId, (settle) => {
      const rows: DailyBar[] = [];
      const onData = (id: number, date: string, open: number, high: number, low: number, close: number, volume: number): void => {
        if (id !== reqId) return;
        if (date.startsWith('finished')) return settle.resolve(rows.filter((b) => b.date >= from && b.date <= to));
        rows.push({ date: isoDate(date.slice(0, 8)), open, high, low, close, volume: volume >= 0 ? volume : null });
      };
      api.on(EventName.historicalData, onData);
      api.reqHistoricalData(reqId, quoteContract(symbol), `${ibDate(to)} 23:59:59 US/Eastern`, duration, BarSizeSetting.DAYS_ONE, WhatToShow.TRADES, 1, 1, false);
      return () => api.off(EventName.historicalData, onData);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
