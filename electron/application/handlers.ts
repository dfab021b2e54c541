/**
 * The contract's calls (shared/api/contract.ts) and who answers them. Each domain of the application
 * (control, positions, trades, orders, …) owns the handlers of its calls in its own `handlers.ts` and
 * gets only what it needs, so it is tested on its own; the Workstation combines them into `Handlers`,
 * one handler per call, and the dispatcher (rpc.ts) validates every input before a handler sees it.
 */
import { METHOD_NAMES, type MethodName, type MethodOutput, type MethodParsedInput } from '../../shared/api.ts';

export type Handler<K extends MethodName> = (input: MethodParsedInput<K>) => Promise<MethodOutput<K>>;

/** A handler for every call of the contract; inputs arrive already validated. */
export type Handlers = { [K in MethodName]: Handler<K> };

/** The handlers one domain registers: the calls `K`. */
export type DomainHandlers<K extends MethodName> = { [P in K]: Handler<P> };

/**
 * The domains' handlers as the contract's: throws when two domains register the same call or a call has
 * no handler (a programming error, caught at start-up and by the Workstation's tests).
 */
export function combineHandlers(domains: readonly Partial<Handlers>[]): Handlers {
  const all = new Map<string, unknown>();
  for (const domain of domains) {
    for (const [method, handler] of Object.entries(domain)) {
      if (all.has(method)) throw new Error(`The call ${method} is registered by two domains.`);
      all.set(method, handler);
    }
  }
  const missing = METHOD_NAMES.filter((m) => !all.has(m));
  if (missing.length > 0) throw new Error(`No domain handles ${missing.join(', ')}.`);
  const unknown = [...all.keys()].filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
  if (unknown.length > 0) throw new Error(`Handlers for calls the contract does not have: ${unknown.join(', ')}.`);
  return Object.fromEntries(all) as Handlers;
}
