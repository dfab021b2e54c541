/** `account.get` and `market.get`: the broker's account summary and index prices (quotes.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { BrokerQuotes } from './quotes.ts';

export function brokerHandlers(d: { quotes: BrokerQuotes }): DomainHandlers<'account.get' | 'market.get'> {
  return {
    'account.get': async () => d.quotes.refreshAccount(),
    'market.get': async () => d.quotes.refreshMarket(),
  };
}
