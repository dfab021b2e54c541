import { afterEach, describe, expect, it } from 'vitest';
import { openTemp, tempDir } from '../../../tests/store/fixtures.ts';
import { openStore, type Store } from '../store.ts';
import { NOTIFICATIONS_KEPT } from './notifications.ts';

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('notifications in the store', () => {
  it('come back after the database is closed and opened again, oldest first, with their engine and wall times', () => {
    const dir = tempDir('td-notes-');
    const first = openTemp(dir);
    const a = first.notifications.add({ at: Date.UTC(2031, 2, 4, 6, 10), wallAt: Date.UTC(2026, 11, 7, 2), level: 'error', title: 'Order rejected', body: 'The market is closed for this order type and duration.' });
    const b = first.notifications.add({ at: Date.UTC(2031, 2, 4, 6, 11), wallAt: Date.UTC(2026, 11, 7, 2, 0, 1), level: 'warn', title: 'Close all', body: '0 orders cancelled, 1 positions closing.' });
    expect(b.id).toBeGreaterThan(a.id);
    first.close();
    const again = openStore({ dataDir: dir });
    open.push(again);
    expect(again.notifications.recent(50)).toEqual([a, b]);
    expect(again.notifications.recent(1)).toEqual([b]);
  });

  it(`keep only the newest ${NOTIFICATIONS_KEPT}`, () => {
    const store = openTemp();
    open.push(store);
    const total = NOTIFICATIONS_KEPT + 25;
    for (let i = 0; i < total; i++) store.notifications.add({ at: 1_000 + i, wallAt: 1_000 + i, level: 'info', title: 'Entry filled', body: `#${i}` });
    const kept = store.notifications.recent(5_000);
    expect(kept).toHaveLength(NOTIFICATIONS_KEPT);
    expect(kept[0]!.body).toBe(`#${total - NOTIFICATIONS_KEPT}`);
    expect(kept.at(-1)!.body).toBe(`#${total - 1}`);
    expect((store.db.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n).toBe(NOTIFICATIONS_KEPT);
  });

  it('refuse a level the UI does not know, saving nothing', () => {
    const store = openTemp();
    open.push(store);
    expect(() => store.notifications.add({ at: 1, wallAt: 1, level: 'fatal' as 'error', title: 't', body: 'b' })).toThrow(/info, warn or error/);
    expect(store.notifications.recent(10)).toEqual([]);
  });
});
