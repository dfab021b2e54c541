/**
 * The renderer's only door to the engine: the contract in shared/api.ts, over whichever transport is
 * there — Electron's preload bridge, or HTTP + WebSocket to the headless server.
 */
import { ApiError, type AnyEvent, type MethodName, type PreloadBridge, type Result, type ThetadeskApi } from '../../../shared/api.ts';

declare global {
  interface Window {
    thetadesk?: PreloadBridge;
  }
}

function unwrap<T>(result: unknown): T {
  const r = result as Result<T> | undefined;
  if (!r || typeof r !== 'object' || !('ok' in r)) throw new ApiError('INTERNAL', 'Malformed reply from the engine.');
  if (r.ok) return r.value;
  throw new ApiError(r.error.code, r.error.message);
}

export function createIpcApi(bridge: PreloadBridge): ThetadeskApi {
  return {
    call: (async (method: MethodName, input?: unknown) => unwrap(await bridge.call[method](input ?? {}))) as ThetadeskApi['call'],
    onEvent: (listener) => bridge.onEvent((e) => listener(e as AnyEvent)),
  };
}

export type ConnectionListener = (state: 'open' | 'closed') => void;

/** HTTP for calls, one WebSocket (reconnecting with back-off) for events. */
export function createHttpApi(baseUrl: string, token: string, onConnection?: ConnectionListener): ThetadeskApi {
  const listeners = new Set<(e: AnyEvent) => void>();
  let socket: WebSocket | null = null;
  let retry = 0;
  let closed = false;
  const wsUrl = baseUrl.replace(/^http/, 'ws') + '/ws';

  const connect = () => {
    if (closed) return;
    socket = new WebSocket(wsUrl, ['thetadesk.v1', `bearer.${token}`]);
    socket.onopen = () => {
      retry = 0;
      onConnection?.('open');
    };
    socket.onmessage = (message) => {
      let event: AnyEvent;
      try {
        event = JSON.parse(String(message.data)) as AnyEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
    socket.onclose = () => {
      onConnection?.('closed');
      if (closed) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  };

  return {
    call: (async (method: MethodName, input?: unknown) => {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/rpc/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        throw new ApiError('INTERNAL', 'The Thetadesk server is not reachable. Is it still running?');
      }
      if (response.status === 401) throw new ApiError('UNAUTHORIZED', 'The access token was refused: open the URL the server printed (it carries the token).');
      return unwrap(await response.json());
    }) as ThetadeskApi['call'],
    onEvent: (listener) => {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          closed = true;
          socket?.close();
        }
      };
    },
  };
}

/** The token arrives in the URL fragment (never sent to the server) and is kept for this tab only. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]!);
    sessionStorage.setItem('thetadesk.token', token);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return sessionStorage.getItem('thetadesk.token');
}
