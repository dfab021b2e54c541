/**
 * The sandboxed preload: exposes `window.thetadesk` with one function per contract method, each bound
 * to its own fixed channel, and an event subscription that forwards only the payload. Bundled into one
 * CommonJS file with only `electron` external (a sandboxed preload can require nothing else).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { channelOf, IPC_EVENT_CHANNEL, METHOD_NAMES, type MethodName, type PreloadBridge } from '../../shared/api/methods.ts';

const call = Object.fromEntries(
  METHOD_NAMES.map((method) => [method, (input?: unknown) => ipcRenderer.invoke(channelOf(method), input ?? {})]),
) as Record<MethodName, (input?: unknown) => Promise<unknown>>;

const bridge: PreloadBridge = {
  call: Object.freeze(call),
  onEvent(listener) {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('thetadesk', bridge);
