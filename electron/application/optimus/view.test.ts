import { afterEach, describe, expect, it } from 'vitest';
import { OptimusViewSchema } from '../../../shared/api.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import type { Store } from '../../store/store.ts';
import { optimusView } from './view.ts';

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('optimus.get without an engine', () => {
  it('says why there is nothing to diagnose, in the contract shape (the page shows the reason)', async () => {
    store = openTemp();
    const now = etToEpoch('2024-09-20', '12:00');
    const v = await optimusView(store, null, now);
    expect(OptimusViewSchema.parse(v)).toEqual(v);
    expect(v).toMatchObject({ available: false, at: now, gates: [], positions: [] });
    expect(v.reason).toMatch(/engine is not running: connect a broker/);
  });
});
