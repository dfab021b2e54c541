/**
 * Notifications outlive a reload and a restart: the headless server raises one (Close all), pushes it on
 * the event stream, lists it with `notifications.list`, is killed with SIGKILL right after, starts again
 * on the same data folder and still lists it — same id, time and words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Notification } from '../../shared/api.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'td-notes-restart-'));
const ENV = { THETADESK_SIM_START: '2026-03-02', THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: '600' };
const servers: Headless[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function settled(s: Headless): Promise<void> {
  await expect.poll(async () => (await rpc<{ engineState: string }>(s, 'status.get')).engineState, { timeout: 30_000 }).toBe('stopped');
}

describe('notifications across a kill -9 and a restart', () => {
  it('are pushed, listed, and listed again after the restart', { timeout: 60_000 }, async () => {
    const first = await startHeadless({ dataDir, env: ENV });
    servers.push(first);
    await settled(first);
    expect(await rpc<Notification[]>(first, 'notifications.list')).toEqual([]);

    const pushed: Notification[] = [];
    const ws = new WebSocket(first.url.replace('http', 'ws') + '/ws', ['thetadesk.v1', `bearer.${first.token}`]);
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; payload: Notification };
      if (event.type === 'notification') pushed.push(event.payload);
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await rpc(first, 'engine.closeAll', { confirm: true });
    const listed = await rpc<Notification[]>(first, 'notifications.list', { limit: 10 });
    expect(listed).toEqual([
      // Raised on the simulated market's clock: it waits at the open until Start.
      { id: expect.any(Number), level: 'warn', title: 'Close all', body: '0 orders cancelled, 0 positions closing with marketable limits.', time: etToEpoch('2026-03-02', '09:30') },
    ]);
    await expect.poll(() => pushed, { timeout: 10_000 }).toEqual(listed);
    ws.close();

    // Killed right after: nothing is flushed on the way out.
    const gone = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await gone;

    const second = await startHeadless({ dataDir, env: ENV });
    servers.push(second);
    await settled(second);
    expect(await rpc<Notification[]>(second, 'notifications.list')).toEqual(listed);
    // A bad limit is refused with the reason, not clamped silently.
    await expect(rpc(second, 'notifications.list', { limit: 0 })).rejects.toThrow(/limit/);
  });
});
