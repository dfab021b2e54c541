/**
 * IB error codes → classified, actionable BrokerErrors (pure; unit-tested).
 * Codes: ../shared/reference/ibkr-tws-protocol.md §6.
 */
import { BrokerError, type BrokerErrorKind } from '../../port.ts';

/** Notices that are information, not failures (farm status, delayed data, connectivity). */
export const INFO_CODES: ReadonlySet<number> = new Set([1100, 1101, 1102, 2103, 2104, 2105, 2106, 2107, 2108, 2109, 2110, 2157, 2158, 10167, 2119]);

export const PERMISSION_CODES: ReadonlySet<number> = new Set([354, 10089, 10090, 10091, 10168, 10186]);

/** The connect failure as the user should read it. */
export function connectError(code: number, text: string, host: string, port: number, clientId: number): BrokerError {
  const where = `${host}:${port}`;
  if (code === 502 && /ECONNREFUSED/i.test(text)) {
    return new BrokerError('connection-refused', `IB Gateway refused the connection on ${where} — is IB Gateway (or TWS) running and logged in, is ${port} its API port (4002 paper, 4001 live), and is the API enabled in Configure → Settings → API ("Enable ActiveX and Socket Clients")?`, code);
  }
  if (code === 502) return new BrokerError('connection-refused', `Could not reach IB Gateway on ${where} (${text.replace(/\s+/g, ' ').slice(0, 120)}) — check the host and port in Settings.`, code);
  if (code === 506 || code === 503) return new BrokerError('not-a-gateway', `The server on ${where} answered with an API version this app cannot use (${text}) — update IB Gateway/TWS, or check the port is IB Gateway's API port.`, code);
  if (code === 326) return new BrokerError('not-connected', `IB Gateway on ${where} already has a client connected with client id ${clientId} — close the other app or choose another client id in Settings.`, code);
  return new BrokerError('server', `IB Gateway on ${where} reported error ${code}: ${text}`, code);
}

export function handshakeTimeout(host: string, port: number): BrokerError {
  return new BrokerError('not-a-gateway', `Something answered on ${host}:${port} but it did not complete the IB API handshake — check that ${port} is IB Gateway's API port (4002 paper, 4001 live) and that the API is enabled in Configure → Settings → API.`);
}

/** A request-level IB error → BrokerError with plain advice. */
export function requestError(code: number, text: string, what: string): BrokerError {
  let kind: BrokerErrorKind = 'server';
  let message = `IB error ${code} for ${what}: ${text}`;
  if (PERMISSION_CODES.has(code)) {
    kind = 'permission';
    message = `No market-data permission for ${what} (IB ${code}). Subscribe in Client Portal → Settings → Market Data Subscriptions (SPX/VIX need "CBOE Indexes" and options need "OPRA"), or set market data to 'delayed' in Settings.`;
  } else if (code === 200) {
    kind = 'unknown-contract';
    message = `IB does not know the contract ${what} (IB 200: no security definition) — check the symbol, expiration, strike and trading class.`;
  } else if (code === 162 && /pacing/i.test(text)) {
    kind = 'rate-limited';
    message = `IB paced the historical-data request for ${what} (IB 162 pacing violation) — the app waits and retries; avoid more than 60 requests in 10 minutes.`;
  } else if (code === 162) {
    kind = 'server';
    message = `IB returned no historical data for ${what} (IB 162): ${text}`;
  } else if (code === 100) {
    kind = 'rate-limited';
    message = `IB says the app sent more than 50 messages per second (IB 100) while requesting ${what}.`;
  } else if (code === 201) {
    kind = 'rejected';
    message = `IB rejected the order ${what}: ${text.replace(/^Order rejected - reason:\s*/i, '')}`;
  } else if (code === 10147) {
    kind = 'unknown-order';
    message = `IB does not know the order ${what} any more (IB 10147) — it may already be filled or cancelled.`;
  } else if (code === 103) {
    kind = 'rejected';
    message = `IB refused the order ${what}: duplicate order id (IB 103).`;
  } else if (code === 104) {
    kind = 'not-modifiable';
    message = `IB cannot modify the order ${what}: it is filled (IB 104).`;
  } else if (code === 105) {
    kind = 'not-modifiable';
    message = `IB refused to modify the order ${what}: the modification does not match the open order (IB 105).`;
  } else if (code === 110) {
    kind = 'rejected';
    message = `IB refused the price of ${what}: it does not fit the contract's tick size (IB 110).`;
  } else if (code === 505) {
    kind = 'protocol';
    message = `A message from IB Gateway could not be decoded (${text}) — the connection is kept; if it repeats, update IB Gateway.`;
  } else if (code === 504) {
    kind = 'not-connected';
    message = `Not connected to IB Gateway (${what}).`;
  }
  return new BrokerError(kind, message, code);
}
