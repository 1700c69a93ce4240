// Stripe-shaped errors: {error: {type, code, message, param}} with a matching HTTP status.
import { Type } from '@sinclair/typebox';

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'api_error';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string, param = 'id') =>
  new ApiError(404, 'invalid_request_error', 'resource_missing', `No such ${what}: '${id}'`, param);

/** What was looked up, or the 404 naming what was asked for. */
export function found<T extends object>(
  row: T | null | undefined,
  what: string,
  id: string,
  param?: string,
): T {
  if (!row) throw notFound(what, id, param);
  return row;
}

/** The 400 for a request's timeZone that is no IANA zone. */
export const badTimeZone = () =>
  new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'timeZone is not an IANA zone', 'timeZone');

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      type: Type.String(),
      code: Type.String(),
      message: Type.String(),
      param: Type.Optional(Type.String()),
      request_id: Type.Optional(Type.String()),
    }),
  },
  { $id: 'Error' },
);

/**
 * A business rule's refusal as a Stripe-style error: 409 where the state conflicts, else 400 (404 if missing).
 * Left for routes that still catch a refusal to translate it; throwing the Refused itself lets the error map
 * (api/plugins/errors.ts, whose CONFLICT_CODES holds every conflict listed here) do the same.
 */
export function refusal(e: { message: string; code: string; param?: string }, conflicts: string[] = []) {
  const status = e.code === 'resource_missing' ? 404 : conflicts.includes(e.code) ? 409 : 400;
  return new ApiError(status, 'invalid_request_error', e.code, e.message, e.param);
}
