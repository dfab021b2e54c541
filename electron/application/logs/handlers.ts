/** `logs.list`: the log as the Logs page filters it (hub.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { LogHub } from './hub.ts';

export function logsHandlers(d: { logs: Pick<LogHub, 'query'> }): DomainHandlers<'logs.list'> {
  return {
    'logs.list': async (query) => d.logs.query(query),
  };
}
