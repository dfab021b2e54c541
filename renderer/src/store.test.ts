import { describe, expect, it } from 'vitest';
import type { Notification } from '../../shared/api.ts';
import { mergeNotifications } from './store.ts';

const note = (id: number): Notification => ({ id, level: 'info', title: `n${id}`, body: '', time: 1_000 + id });

describe('mergeNotifications', () => {
  it('joins the listed and the pushed ones once each, oldest first, the newest 50', () => {
    expect(mergeNotifications([note(1), note(2), note(3)], [note(3), note(4)]).map((n) => n.id)).toEqual([1, 2, 3, 4]);
    expect(mergeNotifications([note(5)], [note(2)]).map((n) => n.id)).toEqual([2, 5]);
    const many = Array.from({ length: 70 }, (_, i) => note(i + 1));
    expect(mergeNotifications(many, []).map((n) => n.id)).toEqual(many.slice(-50).map((n) => n.id));
  });
});
