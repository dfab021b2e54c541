/**
 * The headless server: the same Workstation over HTTP + WebSocket, serving the same renderer bundle to a
 * browser, plus seed 004's REST API. Bound to 127.0.0.1 by default. Access is decided in one hook on the
 * route fastify matched (./auth.ts): every route needs the access token (`Authorization: Bearer <token>`,
 * or the `bearer.<token>` WebSocket subprotocol on the event socket, since browsers cannot set headers
 * on a WebSocket) unless it is marked `config: { public: true }`, which only the renderer's files are.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { AnyEvent } from '../../shared/api.ts';
import { etDateTime } from '../../shared/time/et.ts';
import { dispatch, errorCodeOfStatus, httpStatusOf } from '../application/rpc.ts';
import type { Workstation } from '../application/workstation.ts';
import { contentTypeOf, RENDERER_CSP, resolveAsset } from './assets.ts';
import { checkAccess, READ_METHODS, type AccessRequest } from './auth.ts';
import { accountJson, marketJson, performanceJson, positionJson, statusJson, tradeJson } from './rest.ts';

export type ServerOptions = {
  workstation: Workstation;
  token: string;
  host?: string;
  port?: number;
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
  /**
   * Off loopback: the host names (or addresses) the UI may be reached by besides the bound address
   * (`--allow-host`); every other Host header is refused (421), so a DNS-rebinding page cannot reach it.
   */
  allowedHosts?: readonly string[];
};

export type RouteInfo = { method: string; url: string; public: boolean };
export type RunningServer = {
  /** The address to open on this machine (loopback for a wildcard bind). */
  url: string;
  port: number;
  host: string;
  /** Off loopback: what the operator must know (the token in clear over the network, the Host names accepted); null on loopback. */
  exposure: string | null;
  close(): Promise<void>;
  app: FastifyInstance;
  routes: readonly RouteInfo[];
};

export const WS_PROTOCOL = 'thetadesk.v1';

/** The typed contract's door: its refusals keep the contract's `{ ok: false, error: { code, message } }` shape. */
const RPC_ROUTE = '/rpc/:method';

/** A refusal by the transport itself, in the shape the caller of that route reads (seed 004's `{ error, code }` elsewhere). */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  const code = errorCodeOfStatus(status);
  if (request.routeOptions.url?.startsWith('/rpc') === true) return reply.code(status).send({ ok: false, error: { code, message } });
  return reply.code(status).send({ error: message, code });
}

/**
 * The file the renderer route serves for a URL path: a file of the bundle, index.html for a client-side
 * route (a path without an extension), or null — a path that leaves the bundle, or a file it lacks.
 */
function rendererFile(rendererDir: string, url: string): string | null {
  const file = resolveAsset(rendererDir, url);
  if (!file) return null;
  if (existsSync(file) && statSync(file).isFile()) return file;
  return path.extname(file) ? null : path.join(rendererDir, 'index.html');
}

/** Whether `host` is a loopback bind (this machine only). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host names (without the port) requests may carry: the loopback names always; off loopback also
 * the bound address — every address of this machine's interfaces for a wildcard bind (0.0.0.0, ::) —
 * and the names allowed explicitly.
 */
export function allowedHostNames(host: string, allowed: readonly string[]): string[] {
  const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (!isLoopback(host)) {
    const bound = host === '0.0.0.0' || host === '::' ? Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)) : [host];
    for (const a of [...bound, ...allowed]) names.add(bracket(a.toLowerCase()));
  }
  return [...names];
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { workstation, token, rendererDir } = options;
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({
    logger: false,
    bodyLimit: 1_048_576,
    // Errors before routing (a path that does not decode, such as /%ff) in the API's shape, never fastify's own.
    frameworkErrors: (error, request, reply) => {
      const message = error.code === 'FST_ERR_BAD_URL' ? 'The path is not a valid URL (a %-escape that does not decode).' : 'The request could not be routed.';
      const code = errorCodeOfStatus(400);
      void (reply as FastifyReply).code(400).send(request.url.startsWith('/rpc/') ? { ok: false, error: { code, message } } : { error: message, code });
    },
  });
  await app.register(websocket, {
    options: {
      maxPayload: 65_536,
      // Answer with our protocol name, never echo the token-bearing one.
      handleProtocols: (protocols: Set<string>) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  // Only JSON bodies are ever parsed (fastify also parses text/plain by default, which a cross-site form can send).
  app.removeContentTypeParser('text/plain');
  // JSON as fastify parses it (refusing __proto__/constructor.prototype keys), except that an empty body is
  // no body: seed 004's `curl -X POST …/api/action/start -H 'Content-Type: application/json'` sends none.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else parseJson(request, text, done);
  });

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
  const names = allowedHostNames(host, options.allowedHosts ?? []);
  // One gate for every request, matched route or not (registered after the websocket plugin, whose own
  // onRequest hook marks upgrade requests as `request.ws`).
  app.addHook('onRequest', async (request, reply) => {
    // DNS-rebinding guard: only the Host headers this server is reached by (loopback names, the bound
    // address, the names allowed with --allow-host), on its port.
    const h = (request.headers.host ?? '').toLowerCase();
    if (!names.some((n) => h === `${n}:${boundPort}`)) {
      return refuse(request, reply, 421, `Unexpected Host header${isLoopback(host) ? '' : ': start the server with --allow-host <name> to reach it by that name'}.`);
    }
    // The config of the route the router matched on the decoded path ({} for no route: deny by default).
    // The public renderer route matches every GET; a path it has no file for is no route either, so
    // without the token it is 401 like any unknown path (404 with it).
    let route: AccessRequest['route'] = request.routeOptions.config ?? {};
    if (route.public === true && rendererFile(rendererDir, request.url) === null) route = {};
    const refusal = checkAccess(token, { method: request.method, headers: request.headers, route, upgrade: request.ws });
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
  // The contract's door takes POST only: any other method, or a deeper path, is no route (not the renderer's).
  app.all('/rpc', (q, r) => refuse(q, r, 404, 'Unknown RPC path: POST /rpc/<method>.'));
  app.all('/rpc/*', (q, r) => refuse(q, r, 404, 'Unknown RPC path: POST /rpc/<method>.'));

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
    const file = rendererFile(rendererDir, request.url);
    if (!file) {
      // Only with the token (without it the gate answered 401): a missing file, or a path leaving the bundle.
      return resolveAsset(rendererDir, request.url) ? reply.code(404).send({ error: 'Not found.' }) : reply.code(400).send({ error: 'Bad path.' });
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
  const wildcard = host === '0.0.0.0' || host === '::';
  const shownHost = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const exposure = isLoopback(host)
    ? null
    : [
        `WARNING: listening on ${wildcard ? `every network interface (${host})` : host}, port ${boundPort}: other machines can reach Thetadesk.`,
        'The access token travels in clear text (plain HTTP): anyone who can watch this network can read it and then trade and change settings. Use it only on a network you trust, or put an HTTPS reverse proxy in front and bind to 127.0.0.1.',
        `Accepted Host names (anything else is refused, against DNS rebinding): ${names.join(', ')}; add another with --allow-host <name>.`,
      ].join('\n');
  return {
    url: `http://${shownHost}:${boundPort}`,
    port: boundPort,
    host,
    exposure,
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
