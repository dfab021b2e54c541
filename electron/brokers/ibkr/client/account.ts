/** IB account summary and positions (reqAccountSummary, reqPositions). */
import { EventName, type Contract as IbContract } from '@stoqey/ib';
import { BrokerError, type AccountSummary, type BrokerPosition, type Clock } from '../../port.ts';
import { domainContract } from '../parsing/contracts.ts';
import { maskAccount } from '../../redact.ts';
import type { IbConnection } from './connection.ts';

export class IbAccount {
  private readonly conn: IbConnection;
  private readonly clock: Clock;
  constructor(conn: IbConnection, clock: Clock) {
    this.conn = conn;
    this.clock = clock;
  }

  summary(): Promise<AccountSummary> {
    this.conn.requireConnected('read the account');
    const api = this.conn.api;
    const reqId = this.conn.nextReqId();
    return this.conn.awaitAnswer<AccountSummary>('the account summary', reqId, (settle) => {
      const values = new Map<string, number>();
      let account = '';
      const onRow = (id: number, acct: string, tag: string, value: string): void => {
        if (id !== reqId) return;
        account = acct;
        const v = Number(value);
        if (Number.isFinite(v)) values.set(tag, v);
      };
      const onEnd = (id: number): void => {
        if (id !== reqId) return;
        api.cancelAccountSummary(reqId);
        const nl = values.get('NetLiquidation');
        if (nl === undefined) return settle.reject(new BrokerError('server', 'IB returned an account summary without NetLiquidation.'));
        settle.resolve({
          accountId: maskAccount(account),
          netLiquidation: nl,
          cash: values.get('TotalCashValue') ?? 0,
          buyingPower: values.get('BuyingPower') ?? values.get('AvailableFunds') ?? 0,
          availableFunds: values.get('AvailableFunds') ?? null,
          time: this.clock.now(),
        });
      };
      api.on(EventName.accountSummary, onRow);
      api.on(EventName.accountSummaryEnd, onEnd);
      api.reqAccountSummary(reqId, 'All', 'NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds');
      return () => {
        api.off(EventName.accountSummary, onRow);
        api.off(EventName.accountSummaryEnd, onEnd);
      };
    });
  }

  /** reqPositions has no request id: it fails on a drop or a timeout (IB errors for it arrive as id −1 notices). */
  positions(): Promise<BrokerPosition[]> {
    this.conn.requireConnected('read positions');
    const api = this.conn.api;
    return this.conn.awaitAnswer<BrokerPosition[]>('the positions', null, (settle) => {
      const out: BrokerPosition[] = [];
      const onPos = (_acct: string, c: IbContract, pos: number, avgCost?: number): void => {
        const dc = domainContract(c);
        if (!dc || !pos) return;
        // IB's avgCost for options includes the multiplier.
        out.push({ contract: dc, quantity: pos, averagePrice: avgCost ? (dc.kind === 'option' ? avgCost / 100 : avgCost) : null });
      };
      const onEnd = (): void => {
        api.cancelPositions();
        settle.resolve(out);
      };
      api.on(EventName.position, onPos);
      api.on(EventName.positionEnd, onEnd);
      api.reqPositions();
      return () => {
        api.off(EventName.position, onPos);
        api.off(EventName.positionEnd, onEnd);
      };
    });
  }
}
