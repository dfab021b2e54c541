/**
 * Runs the BUILT preload bundle in a node:vm sandbox whose `require` allows only what Electron's
 * sandboxed preload allows, with a recording fake of `contextBridge` and `ipcRenderer`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelOf, IPC_EVENT_CHANNEL, METHOD_NAMES } from '../../shared/api.ts';
import { buildElectron, outDir } from '../../scripts/build-lib.ts';

const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url', 'node:events', 'node:timers', 'node:url']);

type Exposed = { call: Record<string, (input?: unknown) => Promise<unknown>>; onEvent(cb: (e: unknown) => void): () => void };

function loadPreload() {
  const exposed = new Map<string, unknown>();
  const invocations: unknown[][] = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invocations.push(args);
        return { ok: true, value: null };
      },
      on: (ch: string, l: (...a: unknown[]) => void) => (listeners.get(ch) ?? listeners.set(ch, new Set()).get(ch)!).add(l),
      removeListener: (ch: string, l: (...a: unknown[]) => void) => listeners.get(ch)?.delete(l),
    },
  };
  const code = readFileSync(path.join(outDir, 'electron/preload.cjs'), 'utf8');
  const module = { exports: {} };
  const sandboxRequire = (id: string) => {
    if (!SANDBOX_MODULES.has(id)) throw new Error(`a sandboxed preload cannot require "${id}"`);
    if (id === 'electron') return electron;
    throw new Error(`unexpected require of ${id}`);
  };
  vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console, process: { env: {} } });
  return { exposed, invocations, listeners };
}

beforeAll(async () => {
  await buildElectron();
}, 60_000);

describe('the built preload bundle', () => {
  it('exposes exactly one key with one function per contract method, each on its own channel', async () => {
    const { exposed, invocations } = loadPreload();
    expect([...exposed.keys()]).toEqual(['thetadesk']);
    const api = exposed.get('thetadesk') as Exposed;
    expect(Object.keys(api.call).sort()).toEqual([...METHOD_NAMES].sort());
    await api.call['trades.list']!({ limit: 3 });
    await api.call['status.get']!();
    expect(invocations).toEqual([
      [channelOf('trades.list'), { limit: 3 }],
      [channelOf('status.get'), {}],
    ]);
    expect(Object.isFrozen(api.call)).toBe(true);
  });

  it('forwards only the payload of an event, and unsubscribes', () => {
    const { exposed, listeners } = loadPreload();
    const api = exposed.get('thetadesk') as Exposed;
    const received: unknown[] = [];
    const off = api.onEvent((e) => received.push(e));
    const registered = [...listeners.get(IPC_EVENT_CHANNEL)!];
    expect(registered).toHaveLength(1);
    registered[0]!({ sender: 'LEAK' }, { type: 'status', payload: 1 });
    expect(received).toEqual([{ type: 'status', payload: 1 }]);
    off();
    expect(listeners.get(IPC_EVENT_CHANNEL)!.size).toBe(0);
  });
});
