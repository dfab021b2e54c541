import * as crypto from 'node:crypto';
import type * as Crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

// Watch (not replace) the constant-time comparison, to see what it is given.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});
const { bearerOf, checkAccess, originAllowed, tokenMatches } = await import('./auth.ts');

const TOKEN = 'a-test-token-of-32-characters-xx';

describe('tokenMatches', () => {
  it('accepts exactly the token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    for (const guess of [TOKEN.slice(0, -1), TOKEN + 'x', 'b' + TOKEN.slice(1), TOKEN.toUpperCase(), '', ' ', 'é'.repeat(16), null, undefined]) {
      expect(tokenMatches(TOKEN, guess), String(guess)).toBe(false);
    }
    expect(tokenMatches('', '')).toBe(false);
    expect(tokenMatches('', null)).toBe(false);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => tokenMatches(a, b) === (a === b && a !== '')));
  });

  it('compares fixed-length digests, so the time taken does not depend on the length of the guess', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    compare.mockClear();
    const guesses = ['', 'x', TOKEN.slice(0, 10), 'y'.repeat(TOKEN.length), TOKEN, TOKEN + 'z'.repeat(100), null];
    for (const guess of guesses) tokenMatches(TOKEN, guess);
    // One comparison per guess, whatever its length, always of two 32-byte SHA-256 digests.
    expect(compare).toHaveBeenCalledTimes(guesses.length);
    for (const [a, b] of compare.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });
});

describe('bearerOf', () => {
  it('reads the Authorization header, and the WebSocket subprotocol only when asked', () => {
    expect(bearerOf({ authorization: `Bearer ${TOKEN}` }, false)).toBe(TOKEN);
    expect(bearerOf({ authorization: `bearer  ${TOKEN} ` }, false)).toBe(TOKEN);
    expect(bearerOf({ authorization: `Basic ${TOKEN}` }, false)).toBeNull();
    expect(bearerOf({ authorization: 'Bearer ' }, false)).toBeNull();
    expect(bearerOf({ authorization: `Bearer a b` }, false)).toBeNull();
    const ws = { 'sec-websocket-protocol': `thetadesk.v1, bearer.${TOKEN}` };
    expect(bearerOf(ws, true)).toBe(TOKEN);
    expect(bearerOf(ws, false)).toBeNull();
  });
});

describe('originAllowed', () => {
  it('allows no Origin (non-browser clients) and this server as the page addressed it, nothing else', () => {
    expect(originAllowed(undefined, '127.0.0.1:5000')).toBe(true);
    expect(originAllowed('http://127.0.0.1:5000', '127.0.0.1:5000')).toBe(true);
    expect(originAllowed('http://LOCALHOST:5000', 'localhost:5000')).toBe(true);
    for (const origin of ['null', '', 'https://127.0.0.1:5000', 'http://127.0.0.1:5001', 'http://127.0.0.1:5000.evil.example', 'http://evil.example', 'http://localhost:5000']) {
      expect(originAllowed(origin, '127.0.0.1:5000'), origin).toBe(false);
    }
    expect(originAllowed('http://127.0.0.1:5000', undefined)).toBe(false);
  });
});

describe('checkAccess', () => {
  const bearer = { authorization: `Bearer ${TOKEN}`, host: '127.0.0.1:5000' };
  const check = (method: string, headers: Record<string, string>, route: { public?: boolean; websocketToken?: boolean } = {}, upgrade = false) =>
    checkAccess(TOKEN, { method, headers, route, upgrade })?.status ?? 'ok';

  it('denies by default and lets only public reads through without the token', () => {
    expect(check('GET', {})).toBe(401);
    expect(check('GET', {}, { public: true })).toBe('ok');
    expect(check('HEAD', {}, { public: true })).toBe('ok');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) expect(check(method, {}, { public: true }), method).toBe(401);
    // A WebSocket is never public, and opens only where the route takes the subprotocol token.
    expect(check('GET', {}, { public: true }, true)).toBe(401);
    expect(check('GET', { 'sec-websocket-protocol': `bearer.${TOKEN}`, host: 'h' }, { websocketToken: true }, true)).toBe('ok');
    expect(check('GET', { 'sec-websocket-protocol': `bearer.${TOKEN}`, host: 'h' }, {}, true)).toBe(401);
    expect(check('GET', bearer, { public: true }, true)).toBe(400);
  });

  it('wants JSON on a state change, and refuses a foreign Origin even with the token', () => {
    expect(check('POST', bearer)).toBe('ok');
    expect(check('POST', { ...bearer, 'content-type': 'application/json; charset=utf-8', 'content-length': '2' })).toBe('ok');
    expect(check('POST', { ...bearer, 'content-type': 'text/plain', 'content-length': '2' })).toBe(415);
    expect(check('POST', { ...bearer, 'content-type': 'application/x-www-form-urlencoded' })).toBe(415);
    expect(check('POST', { ...bearer, 'content-type': 'application/jsonp' })).toBe(415);
    expect(check('POST', { ...bearer, 'content-length': '2' })).toBe(415);
    expect(check('POST', { ...bearer, 'transfer-encoding': 'chunked' })).toBe(415);
    expect(check('GET', { ...bearer, 'content-type': 'text/plain' })).toBe('ok');
    expect(check('POST', { ...bearer, origin: 'https://evil.example' })).toBe(403);
    expect(check('GET', { ...bearer, origin: 'https://evil.example' })).toBe(403);
    expect(check('POST', { ...bearer, origin: 'http://127.0.0.1:5000', 'content-type': 'application/json' })).toBe('ok');
  });
});
