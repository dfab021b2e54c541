/**
 * The one dispatcher both transports use: it checks the method name, parses the untrusted input with the
 * contract's zod schema, runs the handler and turns every failure into `{ ok: false, error }`.
 * Stack traces go to the log, never across the boundary.
 */
import { ApiError, describeIssues, isMethodName, methods, type ApiErrorBody, type MethodName, type Result } from '../../shared/api.ts';
import { BacktestInputError } from '../backtest/run.ts';
import { NotFoundError } from '../engine/views/errors.ts';
import { EngineBusyError, UnknownStrategyError, type Workstation } from './workstation.ts';

export async function dispatch(workstation: Workstation, method: unknown, input: unknown): Promise<Result<unknown>> {
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

function toErrorBody(workstation: Workstation, method: MethodName, error: unknown): ApiErrorBody {
  if (error instanceof UnknownStrategyError || error instanceof NotFoundError) return { code: 'NOT_FOUND', message: error.message };
  if (error instanceof EngineBusyError) return { code: 'CONFLICT', message: error.message };
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
