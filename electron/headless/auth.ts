/**
 * Who may call the headless server: one decision, taken on the route fastify actually matched (never on
 * the raw URL, so percent-encoding, case, double slashes, dot segments and trailing slashes cannot steer
 * around it). Deny by default: every route needs the access token unless it is marked `public`, which
 * only the renderer's files (GET/HEAD) are. On top of the token, a request with a foreign `Origin` is
 * refused (cross-site requests, WebSocket hijacking), and a state-changing request's body must be JSON,
 * which no cross-site form or `text/plain` beacon can send.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the token. Only the renderer's files, and only for GET/HEAD (enforced when the route is added). */
    public?: boolean;
    /** The route also takes the token as the `bearer.<token>` WebSocket subprotocol (browsers cannot set headers on a WebSocket). */
    websocketToken?: boolean;
  }
}

/** Methods that only read: the only ones a public route may have, and the only ones exempt from the body rule. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export const UNAUTHORIZED =
  'Unauthorized: send the access token as "Authorization: Bearer <token>" (printed by the server at start, or THETADESK_TOKEN).';

/**
 * Constant-time token check that leaks neither the content nor the length: both sides are hashed to
 * fixed-length SHA-256 digests before `timingSafeEqual`, so the comparison takes the same time whatever
 * the length of the guess.
 */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given ?? '', 'utf8').digest();
  // `given` must be non-empty too: an empty expected token (never configured so) must not match an absent one.
  return timingSafeEqual(a, b) && expected.length > 0 && !!given;
}

/** The token a request carries: `Authorization: Bearer <token>`, or on the event socket the `bearer.<token>` subprotocol. */
export function bearerOf(headers: IncomingHttpHeaders, websocket: boolean): string | null {
  const header = headers.authorization;
  const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  if (match) return match[1]!;
  const protocols = headers['sec-websocket-protocol'];
  if (websocket && typeof protocols === 'string') {
    for (const p of protocols.split(',').map((s) => s.trim())) if (p.startsWith('bearer.')) return p.slice(7);
  }
  return null;
}

/**
 * Same-origin: the `Origin` a browser sends must be this very server as the page addressed it
 * (`http://` + the Host header, which on a loopback bind is already held to the loopback names of the
 * bound port). A missing Origin is a non-browser client (curl, scripts), which must carry the bearer.
 */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  return origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export type AccessRequest = {
  method: string;
  headers: IncomingHttpHeaders;
  /** The matched route's config (`{}` when nothing matched). */
  route: { public?: boolean; websocketToken?: boolean };
  /** A WebSocket upgrade request. */
  upgrade: boolean;
};

export type Refusal = { status: 400 | 401 | 403 | 415; error: string };

/** Null when the request may proceed; otherwise the status and the reason to send. */
export function checkAccess(token: string, request: AccessRequest): Refusal | null {
  const method = request.method.toUpperCase();
  // A WebSocket upgrade is never public: the renderer's files are plain reads.
  if (request.route.public === true && READ_METHODS.has(method) && !request.upgrade) return null;
  const websocket = request.upgrade && request.route.websocketToken === true;
  if (!tokenMatches(token, bearerOf(request.headers, websocket))) return { status: 401, error: UNAUTHORIZED };
  if (request.upgrade && !websocket) return { status: 400, error: 'Only the event socket (/ws) accepts a WebSocket.' };
  const origin = request.headers.origin;
  if (!originAllowed(origin, request.headers.host)) {
    return { status: 403, error: `Cross-origin request refused: Origin ${JSON.stringify(origin)} is not this server.` };
  }
  if (!READ_METHODS.has(method)) {
    const type = request.headers['content-type'];
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (type !== undefined ? !JSON_TYPE.test(type) : hasBody) {
      return { status: 415, error: `Send the body as JSON with "Content-Type: application/json"${type ? ` (got ${JSON.stringify(type.slice(0, 80))})` : ''}.` };
    }
  }
  return null;
}
