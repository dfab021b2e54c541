/**
 * The headless server: the same Workstation over HTTP + WebSocket, serving the same renderer bundle to a
 * browser, plus seed 004's REST API. Bound to 127.0.0.1 by default; every API call and the event socket
 * need the access token (`Authorization: Bearer <token>`, or the `bearer.<token>` WebSocket subprotocol
 * for browsers, which cannot set headers on a WebSocket).
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { AnyEvent } from '../../shared/api.ts';
import { dispatch, httpStatusOf } from '../engine/rpc.ts';
import type { Workstation } from '../engine/workstation.ts';
import { contentTypeOf, RENDERER_CSP, resolveAsset } from './assets.ts';
import { accountJson, marketJson, performanceJson, positionJson, statusJson, tradeJson } from './rest.ts';

export type ServerOptions = {
  workstation: Workstation;
  token: string;
  host?: string;
  port?: number;
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
};

export type RunningServer = { url: string; port: number; host: string; close(): Promise<void>; app: FastifyInstance };

export const WS_PROTOCOL = 'thetadesk.v1';

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',').map((s) => s.trim())) if (p.startsWith('bearer.')) return p.slice(7);
  }
  return null;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { workstation, token, rendererDir } = options;
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  await app.register(websocket, {
    options: {
      maxPayload: 65_536,
      // Answer with our protocol name, never echo the token-bearing one.
      handleProtocols: (protocols: Set<string>) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  let boundPort = options.port ?? 0;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  app.addHook('onRequest', async (request, reply) => {
    // DNS-rebinding guard: on loopback, only loopback Host headers.
    if (loopback) {
      const h = (request.headers.host ?? '').toLowerCase();
      const ok = [`127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`].includes(h);
      if (!ok) return reply.code(421).send({ error: 'Unexpected Host header.' });
    }
    const needsToken = request.url.startsWith('/api/') || request.url.startsWith('/rpc/') || request.url.startsWith('/ws');
    if (needsToken && !tokenMatches(token, bearerOf(request))) {
      return reply.code(401).send({ error: 'Unauthorized: send the access token as "Authorization: Bearer <token>" (printed by the server at start, or THETADESK_TOKEN).' });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) workstation.logs.write('error', 'http', error.message);
    void reply.code(status).send({ error: status === 500 ? 'Internal error; see the log.' : error.message });
  });

  // The typed contract, as the renderer's HTTP transport uses it.
  app.post<{ Params: { method: string } }>('/rpc/:method', async (request, reply) => {
    const result = await dispatch(workstation, request.params.method, request.body ?? {});
    return reply.code(result.ok ? 200 : httpStatusOf(result.error.code)).send(result);
  });

  // Seed 004's REST API.
  const api = async <T>(reply: FastifyReply, method: Parameters<typeof dispatch>[1], input: unknown, map: (v: T) => unknown) => {
    const result = await dispatch(workstation, method, input);
    if (!result.ok) return reply.code(httpStatusOf(result.error.code)).send({ error: result.error.message, code: result.error.code });
    return reply.send(map(result.value as T));
  };
  app.get('/api/status', (_q, r) => api(r, 'status.get', {}, statusJson));
  app.get('/api/positions', (_q, r) => api(r, 'positions.list', {}, (v: Parameters<typeof positionJson>[0][]) => v.map(positionJson)));
  app.get<{ Querystring: { limit?: string } }>('/api/trades', (q, r) => {
    const raw = q.query.limit;
    const limit = raw === undefined ? 50 : Number(raw);
    return api(r, 'trades.list', { limit }, (v: Parameters<typeof tradeJson>[0][]) => v.map(tradeJson));
  });
  app.get('/api/account', (_q, r) => api(r, 'account.get', {}, accountJson));
  app.get('/api/market', (_q, r) => api(r, 'market.get', {}, marketJson));
  app.get('/api/performance', (_q, r) => api(r, 'performance.get', {}, performanceJson));
  app.post('/api/action/start', (_q, r) => api(r, 'engine.start', {}, (s: Parameters<typeof statusJson>[0]) => ({ success: true, status: statusJson(s) })));
  app.post('/api/action/stop', (_q, r) => api(r, 'engine.stop', {}, (s: Parameters<typeof statusJson>[0]) => ({ success: true, status: statusJson(s) })));
  app.post('/api/action/close_all', (_q, r) =>
    api(r, 'engine.closeAll', { confirm: true }, (v: { cancelledOrders: number; closingPositions: number; status: Parameters<typeof statusJson>[0] }) => ({
      success: true,
      cancelled_orders: v.cancelledOrders,
      closing_positions: v.closingPositions,
      status: statusJson(v.status),
    })),
  );
  // CSV export: GET /api/export/<kind>?from=YYYY-MM-DD&to=YYYY-MM-DD (a download).
  app.get<{ Params: { kind: string }; Querystring: { from?: string; to?: string } }>('/api/export/:kind', async (request, reply) => {
    const { from = '', to = '' } = request.query;
    const result = await dispatch(workstation, 'export.csv', { kind: request.params.kind.replace(/\.csv$/, ''), from, to });
    if (!result.ok) return reply.code(httpStatusOf(result.error.code)).send({ error: result.error.message, code: result.error.code });
    const { filename, content } = result.value as { filename: string; content: string };
    return reply
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .type('text/csv; charset=utf-8')
      .send(content);
  });
  app.all('/api/*', (_q, r) => r.code(404).send({ error: 'Unknown API path.' }));

  // Pushed events.
  app.get('/ws', { websocket: true }, (socket) => {
    const send = (event: AnyEvent) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    };
    send({ type: 'status', payload: workstation.status() });
    const unsubscribe = workstation.onEvent(send);
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });

  // The renderer bundle.
  app.get('/*', async (request, reply) => {
    const indexFile = path.join(rendererDir, 'index.html');
    if (!existsSync(indexFile)) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The renderer is not built yet: run `npm run build`, then reload.');
    }
    let file = resolveAsset(rendererDir, request.url);
    if (!file) return reply.code(400).send({ error: 'Bad path.' });
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (path.extname(file)) return reply.code(404).send({ error: 'Not found.' });
      file = indexFile; // client-side route
    }
    reply.header('Content-Security-Policy', RENDERER_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', file === indexFile ? 'no-store' : 'public, max-age=31536000, immutable');
    return reply.type(contentTypeOf(file)).send(readFileSync(file));
  });

  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    await app.close().catch(() => {});
    if (code === 'EADDRINUSE') throw new ServerStartError(`Port ${options.port} on ${host} is already in use — pass --port <another> or set THETADESK_PORT.`);
    if (code === 'EACCES') throw new ServerStartError(`Not allowed to listen on ${host}:${options.port} — choose a port above 1024 with --port.`);
    if (code === 'EADDRNOTAVAIL') throw new ServerStartError(`Cannot listen on ${host}: the address is not on this machine.`);
    throw error;
  }
  const address = app.server.address();
  boundPort = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}`,
    port: boundPort,
    host,
    app,
    close: async () => {
      await app.close();
    },
  };
}

export class ServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerStartError';
  }
}
