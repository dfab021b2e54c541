import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { channelOf, METHOD_NAMES } from '../../shared/api.ts';
import { VirtualClock } from '../engine/clock.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openWorkstation } from '../application/workstation.ts';
import { registerIpc, type IpcMainLike } from './ipc.ts';
import { APP_ORIGIN } from './security.ts';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function setup() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ipc-'));
  const workstation = openWorkstation({ clock: new VirtualClock(Date.UTC(2026, 0, 5, 15)), dataDir });
  const unregister = registerIpc(ipcMain, workstation, { windowIds: new Set([7]), devOrigin: null });
  const event = (frame: unknown, senderId = 7) => ({ senderFrame: frame, sender: { id: senderId } }) as unknown as IpcMainInvokeEvent;
  const invoke = (method: string, ev: IpcMainInvokeEvent, ...args: unknown[]) => handlers.get(channelOf(method as never))!(ev, ...args);
  return { handlers, workstation, unregister, event, invoke };
}

const topFrame = { origin: APP_ORIGIN, parent: null };

describe('Electron IPC handlers (plain Node, no Electron)', () => {
  it('registers exactly one handler per contract method and removes them all', () => {
    const { handlers, unregister } = setup();
    expect([...handlers.keys()].sort()).toEqual(METHOD_NAMES.map(channelOf).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('serves a trusted top frame of our window', async () => {
    const { invoke, event } = setup();
    const result = (await invoke('engine.start', event(topFrame), {})) as { ok: boolean; value: { engineState: string } };
    expect(result.ok).toBe(true);
    expect(result.value.engineState).toBe('running');
  });

  it('rejects a malformed argument without touching the engine', async () => {
    const { invoke, event, workstation } = setup();
    const bad = (await invoke('trades.list', event(topFrame), { limit: 'fifty' })) as { ok: boolean; error: { code: string; message: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(bad.error.message).toContain('limit');
    const extraKey = (await invoke('engine.start', event(topFrame), { strategyId: 'x', sneaky: true })) as { ok: boolean; error: { code: string } };
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const noConfirm = (await invoke('engine.closeAll', event(topFrame), { confirm: 'yes' })) as { ok: boolean; error: { code: string } };
    expect(noConfirm).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const twoArgs = (await invoke('status.get', event(topFrame), {}, {})) as { ok: boolean; error: { code: string } };
    expect(twoArgs).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(workstation.status().engineState).toBe('stopped');
  });

  it('rejects unknown senders: another origin, a subframe, a destroyed frame, a window that is not ours', async () => {
    const { invoke, event, workstation } = setup();
    const cases = [
      event({ origin: 'https://evil.example', parent: null }),
      event({ origin: 'app://thetadesk.evil', parent: null }),
      event({ origin: APP_ORIGIN, parent: {} }),
      event(null),
      event(topFrame, 99),
    ];
    for (const ev of cases) {
      const result = await invoke('engine.start', ev, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(workstation.status().engineState).toBe('stopped');
    expect(workstation.logs.list(50).some((l) => l.source === 'ipc' && l.level === 'warn')).toBe(true);
  });
});
