import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../shared/api.ts';
import { combineHandlers, type Handlers } from './handlers.ts';

/** A handler for each of `methods` (answers with its own name). */
const domain = (...methods: string[]): Partial<Handlers> => Object.fromEntries(methods.map((m) => [m, async () => m])) as Partial<Handlers>;

describe('combineHandlers', () => {
  it('makes one handler per call of the contract out of the domains', async () => {
    const half = Math.floor(METHOD_NAMES.length / 2);
    const handlers = combineHandlers([domain(...METHOD_NAMES.slice(0, half)), domain(...METHOD_NAMES.slice(half))]);
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
    expect(await handlers['status.get']({})).toBe('status.get');
  });

  it('refuses a call registered by two domains, a call nobody handles, and a call the contract does not have', () => {
    expect(() => combineHandlers([domain(...METHOD_NAMES), domain('status.get')])).toThrow(/status\.get is registered by two domains/);
    expect(() => combineHandlers([domain(...METHOD_NAMES.filter((m) => m !== 'orders.list'))])).toThrow(/No domain handles orders\.list/);
    expect(() => combineHandlers([domain(...METHOD_NAMES, 'orders.delete')])).toThrow(/does not have: orders\.delete/);
  });
});
