import { describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../api.ts';

/** Every method whose input has date fields (found from the schema, so a method added later is covered). */
function dateMethods(): { method: MethodName; field: string; base: Record<string, unknown> }[] {
  const out: { method: MethodName; field: string; base: Record<string, unknown> }[] = [];
  for (const [method, spec] of Object.entries(methods) as [MethodName, (typeof methods)[MethodName]][]) {
    for (const field of ['from', 'to']) {
      const base: Record<string, unknown> = { from: '2026-03-02', to: '2026-03-06' };
      if (method === 'export.csv') base.kind = 'trades';
      if (!spec.input.safeParse(base).success) continue;
      const probe = spec.input.safeParse({ ...base, [field]: 'x' });
      if (!probe.success) out.push({ method, field, base });
    }
  }
  return out;
}

describe('dates in the contract', () => {
  const cases = dateMethods();
  it('finds the methods that take dates', () => {
    expect(cases.map((c) => c.method)).toEqual(expect.arrayContaining(['trades.list', 'export.csv', 'performance.history']));
  });
  it.each(['2026-13-45', '2026-02-30', '2025-02-29', '0000-00-00'])('refuses %s, which is no calendar day, in every date field', (bad) => {
    for (const c of cases) {
      const r = methods[c.method].input.safeParse({ ...c.base, [c.field]: bad });
      expect(r.success, `${c.method}.${c.field} = ${bad}`).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/date/);
    }
  });
  it('accepts real days, leap days included', () => {
    for (const c of cases) expect(methods[c.method].input.safeParse({ ...c.base, from: '2024-02-29', to: '2024-02-29' }).success, c.method).toBe(true);
  });
});
