/**
 * Tradier REST transport: bearer token, JSON answers, form-encoded bodies, classified errors, and
 * Tradier's rate limits read from every answer.
 *
 * Rate limits (documentation.tradier.com, "Rate Limiting"): per access token, in fixed one-minute
 * windows that start with the first request, separately for three groups — standard (`/accounts`,
 * `/user`, `/watchlists`, reading orders; sandbox 60, production 120), trading (placing, changing and
 * cancelling orders) and market data (`/markets`). Every answer carries `X-Ratelimit-Allowed`,
 * `-Used`, `-Available` and `-Expiry` (epoch ms of the window's end). `budget()` turns the last
 * values of a group into "how many optional requests may still go out, and when the window resets",
 * which is what the adapter's status polling is paced by. Over the limit Tradier answers 429; the
 * request is retried after the window resets (at most `maxRetries` times).
 *
 * A network failure (refused, reset, timed out) is reported to `onNetworkFailure` (the adapter then
 * reconnects); a GET is first retried once on a fresh connection (a kept-alive socket the server
 * closed), writes never are — their outcome is unknown and resolved by looking the order up.
 */
import { BrokerError, type Clock } from '../port.ts';
import { maskAccount, redact } from '../redact.ts';

export type Json = Record<string, unknown>;
export type RateGroup = 'standard' | 'trading' | 'market';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Tradier's documented window; answers that imply a longer one are not trusted. */
export const RATE_WINDOW_MS = 60_000;

/** Tradier's list quirk: array | bare object | null | "null" → array. */
export function toArray<T>(x: T | T[] | null | undefined | 'null'): T[] {
  if (x === null || x === undefined || x === 'null') return [];
  return Array.isArray(x) ? x : [x];
}

/** Errors: `{"errors":{"error": "…" | ["…"]}}`, possibly with HTTP 200. */
export function errorText(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const e = (body as Json).errors as Json | undefined;
  if (!e) return null;
  const list = toArray(e.error as string | string[]);
  return list.length ? list.join(' ') : 'Tradier reported an error without a message.';
}

export function rateGroupOf(method: Method, path: string): RateGroup {
  if (path.startsWith('/v1/markets/')) return 'market';
  if (method !== 'GET' && /\/orders(\/\d+)?$/.test(path)) return 'trading';
  return 'standard';
}

type Limit = { allowed: number; available: number; resetAt: number };

export type HttpOptions = {
  baseUrl: string;
  token: string;
  accountId: string;
  requestTimeoutMs: number;
  maxRetries: number;
  maxBackoffMs: number;
};

export class TradierHttp {
  private readonly opts: HttpOptions;
  private readonly clock: Clock;
  private readonly limits = new Map<RateGroup, Limit>();
  /** Called with a network-level failure (nothing answered); the adapter reconnects. */
  onNetworkFailure: (err: BrokerError) => void = () => {};

  constructor(opts: HttpOptions, clock: Clock) {
    this.opts = opts;
    this.clock = clock;
  }

  /**
   * What is left of a group's window: `spare` = available minus `reserve` × allowed (negative: wait),
   * `resetInMs` = time to the window's end (clamped to one window). Before any answer: a full sandbox
   * window (60 requests).
   */
  budget(group: RateGroup, reserve: number): { allowed: number; spare: number; resetInMs: number } {
    const l = this.limits.get(group);
    if (!l) return { allowed: 60, spare: Math.floor(60 * (1 - reserve)), resetInMs: RATE_WINDOW_MS };
    const resetInMs = Math.min(RATE_WINDOW_MS, Math.max(0, l.resetAt - this.clock.now()));
    if (resetInMs === 0) return { allowed: l.allowed, spare: Math.floor(l.allowed * (1 - reserve)), resetInMs: RATE_WINDOW_MS };
    return { allowed: l.allowed, spare: l.available - Math.ceil(l.allowed * reserve), resetInMs };
  }

  /** Reads the X-Ratelimit-* headers; the window's end in this adapter's clock. */
  private noteLimits(group: RateGroup, res: Response): void {
    const allowed = Number(res.headers.get('x-ratelimit-allowed'));
    const available = Number(res.headers.get('x-ratelimit-available'));
    if (!Number.isFinite(allowed) || allowed <= 0 || !Number.isFinite(available)) return;
    this.limits.set(group, { allowed, available: Math.max(0, available), resetAt: this.clock.now() + this.resetIn(res) });
  }

  /**
   * Milliseconds until the window of this answer resets. `X-Ratelimit-Expiry` is epoch ms (seconds
   * accepted too); it is compared with our clock, or — when that disagrees by more than a window (a
   * test's frozen clock, a skewed machine) — with the answer's `Date` header; else a whole window.
   */
  private resetIn(res: Response): number {
    let expiry = Number(res.headers.get('x-ratelimit-expiry'));
    if (!Number.isFinite(expiry) || expiry <= 0) return RATE_WINDOW_MS;
    if (expiry < 1e12) expiry *= 1000;
    const byClock = expiry - this.clock.now();
    if (byClock >= 0 && byClock <= RATE_WINDOW_MS) return byClock;
    const date = Date.parse(res.headers.get('date') ?? '');
    const byDate = Number.isFinite(date) ? expiry - date : NaN;
    if (byDate >= 0 && byDate <= RATE_WINDOW_MS + 1_000) return Math.min(RATE_WINDOW_MS, byDate);
    return RATE_WINDOW_MS;
  }

  safePath(path: string): string {
    return redact(path.split(this.opts.accountId).join(maskAccount(this.opts.accountId)));
  }

  async request(method: Method, path: string, params?: Record<string, string>): Promise<Json> {
    const url = new URL(this.opts.baseUrl + path);
    let body: string | undefined;
    if (params && method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    else if (params) body = new URLSearchParams(params).toString();
    const group = rateGroupOf(method, path);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
          body,
          signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
        });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        const code = err.cause?.code ?? err.name;
        // A kept-alive socket the server closed: retry a read once on a fresh connection.
        if (method === 'GET' && attempt === 0 && code !== 'ECONNREFUSED' && err.name !== 'TimeoutError') continue;
        const failure =
          code === 'ECONNREFUSED'
            ? new BrokerError('connection-refused', `Tradier did not answer at ${this.opts.baseUrl} (connection refused) — check the network and the base URL.`)
            : err.name === 'TimeoutError'
              ? new BrokerError('timeout', `Tradier did not answer ${method} ${this.safePath(path)} within ${this.opts.requestTimeoutMs} ms.`)
              : new BrokerError('server', `The connection to Tradier failed during ${method} ${this.safePath(path)}: ${redact(err.message)}${err.cause?.code ? ` (${err.cause.code})` : ''}.`);
        this.onNetworkFailure(failure);
        throw failure;
      }
      this.noteLimits(group, res);
      if (res.status === 429) {
        await res.text().catch(() => '');
        if (attempt >= this.opts.maxRetries) throw new BrokerError('rate-limited', `Tradier's rate limit is exhausted for ${this.safePath(path)} (HTTP 429) — the app retried ${attempt} times; wait a minute.`, 429);
        await sleep(Math.max(50, Math.min(this.opts.maxBackoffMs, this.resetIn(res))));
        continue;
      }
      if (res.status === 401) {
        await res.text().catch(() => '');
        throw new BrokerError('auth', `Tradier rejected the access token (HTTP 401) — check the token in Settings (sandbox and production tokens are different).`, 401);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        const failure = new BrokerError('server', `The connection to Tradier broke while reading the answer to ${method} ${this.safePath(path)}: ${redact((e as Error).message)}.`);
        this.onNetworkFailure(failure);
        throw failure;
      }
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        if (res.status >= 500) throw new BrokerError('server', `Tradier answered HTTP ${res.status} to ${method} ${this.safePath(path)}.`, res.status);
        throw new BrokerError('protocol', `Tradier sent a response to ${method} ${this.safePath(path)} that is not valid JSON (HTTP ${res.status}, ${text.length} bytes, probably truncated) — the request can be retried.`, res.status);
      }
      const err = errorText(json);
      if (err) {
        const kind = /buying power/i.test(err) ? 'rejected' : /symbol/i.test(err) ? 'unknown-contract' : /account/i.test(err) ? 'auth' : res.status >= 500 ? 'server' : res.status === 404 || /not found/i.test(err) ? 'unknown-order' : 'rejected';
        throw new BrokerError(kind, `Tradier refused ${method} ${this.safePath(path)}: ${redact(err)}`, res.status);
      }
      if (!res.ok) throw new BrokerError(res.status >= 500 ? 'server' : 'invalid-request', `Tradier answered HTTP ${res.status} to ${method} ${this.safePath(path)}.`, res.status);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BrokerError('protocol', `Tradier sent an unexpected answer to ${method} ${this.safePath(path)} (not a JSON object).`, res.status);
      return json as Json;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
