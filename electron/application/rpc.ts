/**
 * The one dispatcher both transports use: it checks the method name, parses the untrusted input with the
 * contract's zod schema, runs the handler and turns every failure into `{ ok: false, error }`.
 * Stack traces go to the log, never across the boundary.
 */
import { ApiError, describeIssues, isMethodName, methods, type ApiErrorBody, type MethodName, type Result } from '../../shared/api.ts';
import { BacktestInputError } from '../backtest/run.ts';
import type { Handlers } from './handlers.ts';
import type { LogHub } from './logs/hub.ts';

/** What the dispatcher needs of the Workstation: its handlers, and its log for failures. */
export type DispatchTarget = { readonly handlers: Handlers; readonly logs: Pick<LogHub, 'write' | 'redact'> };

export async function dispatch(workstation: DispatchTarget, method: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown method ${JSON.stringify(String(method)).slice(0, 80)}.` } };
  }
  const spec = methods[method];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'VALIDATION', message: `Invalid input for ${method}: ${describeIssues(parsed.error)}` } };
  }
  try {
    const handler = workstation.handlers[method] as (i: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: toErrorBody(workstation, method, error) };
  }
}

/** An ApiError keeps its code (NOT_FOUND, CONFLICT, …); a backtest's bad input is VALIDATION; anything else is INTERNAL, logged. */
function toErrorBody(workstation: DispatchTarget, method: MethodName, error: unknown): ApiErrorBody {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof BacktestInputError) return { code: 'VALIDATION', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  workstation.logs.write('error', 'rpc', `${method} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
  return { code: 'INTERNAL', message: workstation.logs.redact(message) };
}

/** The error code for an HTTP status the transport itself refuses with (auth, body parsing, unknown path). */
export function errorCodeOfStatus(status: number): ApiErrorBody['code'] {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403 || status === 421) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status >= 500) return 'INTERNAL';
  return 'VALIDATION';
}

/** HTTP status for an error code (the headless transport). */
export function httpStatusOf(code: ApiErrorBody['code']): number {
  switch (code) {
    case 'VALIDATION': return 400;
    case 'UNAUTHORIZED': return 401;
    case 'FORBIDDEN': return 403;
    case 'NOT_FOUND': return 404;
    case 'CONFLICT': return 409;
    case 'BROKER': return 502;
    case 'INTERNAL': return 500;
  }
}
