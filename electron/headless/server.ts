/**
 * The headless server: the same Workstation over HTTP + WebSocket, serving the same renderer bundle to a
 * browser, plus seed 004's REST API. Bound to 127.0.0.1 by default. Access is decided in one hook on the
 * route fastify matched (./auth.ts): every route needs the access token (`Authorization: Bearer <token>`,
 * or the `bearer.<token>` WebSocket subprotocol on the event socket, since browsers cannot set headers
 * on a WebSocket) unless it is marked `config: { public: true }`, which only the renderer's files are.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { AnyEvent } from '../../shared/api.ts';
import { etDateTime } from '../../shared/time/et.ts';
import { dispatch, errorCodeOfStatus, httpStatusOf } from '../application/rpc.ts';
import type { Workstation } from '../application/workstation.ts';
import { contentTypeOf, RENDERER_CSP, resolveAsset } from './assets.ts';
import { checkAccess, READ_METHODS } from './auth.ts';
import { accountJson, marketJson, performanceJson, positionJson, statusJson, tradeJson } from './rest.ts';

export type ServerOptions = {
  workstation: Workstation;
  token: string;
  host?: string;
  port?: number;
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
};

export type RouteInfo = { method: string; url: string; public: boolean };
export type RunningServer = { url: string; port: number; host: string; close(): Promise<void>; app: FastifyInstance; routes: readonly RouteInfo[] };

export const WS_PROTOCOL = 'thetadesk.v1';

/** The typed contract's door: its refusals keep the contract's `{ ok: false, error: { code, message } }` shape. */
const RPC_ROUTE = '/rpc/:method';

/** A refusal by the transport itself, in the shape the caller of that route reads (seed 004's `{ error, code }` elsewhere). */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  const code = errorCodeOfStatus(status);
  if (request.routeOptions.url === RPC_ROUTE) return reply.code(status).send({ ok: false, error: { code, message } });
  return reply.code(status).send({ error: message, code });
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

  // Only JSON bodies are ever parsed (fastify also parses text/plain by default, which a cross-site form can send).
  app.removeContentTypeParser('text/plain');

  // Every route, including any added later, is listed here; a public route that could change state is a bug.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    const isPublic = route.config?.public === true;
    for (const method of [route.method].flat()) {
      if (isPublic && !READ_METHODS.has(method)) throw new Error(`Route ${method} ${route.url} cannot be public: only GET/HEAD routes may skip the token.`);
      routes.push({ method, url: route.url ?? route.path, public: isPublic });
    }
  });

  let boundPort = options.port ?? 0;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  // One gate for every request, matched route or not (registered after the websocket plugin, whose own
  // onRequest hook marks upgrade requests as `request.ws`).
  app.addHook('onRequest', async (request, reply) => {
    // DNS-rebinding guard: on loopback, only loopback Host headers.
    if (loopback) {
      const h = (request.headers.host ?? '').toLowerCase();
      const ok = [`127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`].includes(h);
      if (!ok) return refuse(request, reply, 421, 'Unexpected Host header.');
    }
    // The config of the route the router matched on the decoded path ({} for no route: deny by default).
    const refusal = checkAccess(token, { method: request.method, headers: request.headers, route: request.routeOptions.config ?? {}, upgrade: request.ws });
    if (refusal) return refuse(request, reply, refusal.status, refusal.error);
  });
  // Unknown paths say nothing about what exists (fastify's default echoes the method and path).
  app.setNotFoundHandler((request, reply) => refuse(request, reply, 404, 'Not found.'));

  // Errors before a handler (a body that is not JSON, too large, …) and anything a handler throws.
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) workstation.logs.write('error', 'http', error.message);
    const message = status === 500 ? 'Internal error; see the log.' : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'The body is not valid JSON (or carries a __proto__/constructor.prototype key).' : error.message;
    void refuse(request, reply, status, message);
  });

  // The typed contract, as the renderer's HTTP transport uses it.
  app.post<{ Params: { method: string } }>(RPC_ROUTE, async (request, reply) => {
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
    api(r, 'engine.closeAll', { confirm: true }, (v: { cancelledOrders: number; closingPositions: number; queuedPositions: number; queuedFor: number | null; status: Parameters<typeof statusJson>[0] }) => ({
      success: true,
      cancelled_orders: v.cancelledOrders,
      closing_positions: v.closingPositions,
      // The market was closed: these closes are sent at the open (ET, e.g. "2026-03-09 09:30").
      queued_positions: v.queuedPositions,
      queued_for: v.queuedFor === null ? null : etDateTime(v.queuedFor, false),
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
  app.get('/ws', { websocket: true, config: { websocketToken: true } }, (socket) => {
    const send = (event: AnyEvent) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    };
    send({ type: 'status', payload: workstation.status() });
    const unsubscribe = workstation.onEvent(send);
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });

  // The renderer bundle.
  app.get('/*', { config: { public: true } }, async (request, reply) => {
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
    routes,
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
