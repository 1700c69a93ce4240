// The one error map: turns every failure into the typed error shape; never leaks internals, never answers
// 500 for bad input. Routes and db/ functions throw what went wrong (Refused, a tariff's error, a Temporal
// failure, a PostgreSQL constraint); this file alone decides the status, code and param the caller sees.
import {
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Refused } from '../../db/refused.js';
import { ImportError } from '../../domain/import/urdb.js';
import { PreviewError } from '../../domain/preview.js';
import { RatingError } from '../../domain/rate-engine.js';
import { TariffError } from '../../domain/tariff-error.js';
import { ApiError, ErrorBody } from '../errors.js';
import { findBadInput, MAX_BODY_DEPTH } from '../input-check.js';

/**
 * Refusals answered 409: the request is well formed but the state it meets says no (try again later, or
 * after something changes). Every other refusal is 400, or 404 for `resource_missing`.
 */
export const CONFLICT_CODES: ReadonlySet<string> = new Set([
  'payment_not_refundable', // a refund of a payment that has not succeeded
  'amount_too_large', // a refund of more than is left to refund
  'dispute_exists', // a second open dispute on a bill
  'arrangement_exists', // a second active payment arrangement
  'write_off_exceeds_balance', // a write-off of more than the account owes
  'exception_not_open', // a held bill already decided, assigned after the fact
  'payment_method_in_use', // removing the saved method autopay pays with
  'contact_needed', // removing the last verified contact that alerts go to
  'email_in_use', // inviting staff with an email that already has a login
  'last_admin', // demoting or deactivating the last active admin
  'totp_already_active', // setting up TOTP again without an admin's reset
  // --- gl ---
  'gl_day_exported', // a GL export of a day already exported, without reexport: true
  'gl_day_open', // a GL export of a day not yet over in the utility's time zone
  // --- end gl ---
  // --- rates ---
  'rate_version_not_after_latest', // a new rate version dated on or before the latest one
  'rate_version_overlaps_billed', // a new rate version dated inside a period already billed
  // --- end rates ---
  // --- recovery ---
  'email_in_use', // a login email change to an address another login signs in with
  'settings_changed', // a utility settings save over a version someone else saved since
  // --- end recovery ---
]);

const invalid = (status: number, code: string, message: string, param?: string) =>
  new ApiError(status, 'invalid_request_error', code, message, param);

/** A business rule's refusal (db/refused.ts): 404 when missing, 409 on a conflict, else 400. */
function fromRefused(e: Refused): ApiError {
  const status = e.code === 'resource_missing' ? 404 : CONFLICT_CODES.has(e.code) ? 409 : 400;
  return invalid(status, e.code, e.message, e.param);
}

/** A tariff, its import, a preview's usage or its rating went wrong: the caller's input, naming the field. */
function fromTariff(e: unknown): ApiError | undefined {
  if (e instanceof TariffError)
    return invalid(400, 'tariff_invalid', `tariff.${e.message}`, `tariff.${e.path}`);
  if (e instanceof ImportError) return invalid(400, 'tariff_unsupported', e.message, 'tariff');
  if (e instanceof PreviewError) return invalid(400, 'parameter_invalid', e.message, e.param);
  if (e instanceof RatingError) return invalid(400, e.code, e.message);
  return undefined;
}

/**
 * Temporal's answer when a route did not expect it: a workflow or schedule that is not there is missing, a
 * workflow that refused an update or is already running is a conflict. A route that has its own words
 * for one of these (or falls back to the running workflow) still catches it.
 */
function fromTemporal(e: unknown): ApiError | undefined {
  if (e instanceof WorkflowNotFoundError)
    return invalid(404, 'resource_missing', `No such workflow: '${e.workflowId}'`);
  if (e instanceof ScheduleNotFoundError)
    return invalid(404, 'resource_missing', `No such schedule: '${e.scheduleId}'`);
  if (e instanceof WorkflowUpdateFailedError)
    return invalid(409, 'update_refused', e.cause?.message ?? e.message);
  if (e instanceof WorkflowExecutionAlreadyStartedError)
    return invalid(409, 'resource_exists', `Already running: '${e.workflowId}'`);
  return undefined;
}

interface PgError {
  code?: string;
  constraint_name?: string;
  column_name?: string;
  detail?: string;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function fromPostgres(e: PgError): ApiError | undefined {
  switch (e.code) {
    case '23505':
      return new ApiError(
        409,
        'invalid_request_error',
        'resource_exists',
        `Already exists: ${e.detail ?? e.constraint_name}`,
      );
    case '23503':
      return new ApiError(
        400,
        'invalid_request_error',
        'resource_missing',
        `Refers to a record that does not exist: ${e.detail ?? ''}`,
      );
    case '23514':
    case '23502':
      return new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        `Violates ${e.constraint_name ?? 'a rule'}`,
        e.column_name && camel(e.column_name),
      );
    // a NUL in text (22021) or in jsonb (22P05) that got past the request checks, e.g. inside an uploaded file
    case '22021':
    case '22P05':
      return new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        'Text may not contain a NUL character (\\u0000)',
      );
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        'A value has the wrong format or is out of range',
      );
    default:
      return undefined;
  }
}

/** What a route or db/ function threw on purpose, as the caller sees it; undefined for anything else. */
function fromThrown(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof Refused) return fromRefused(err);
  return fromTariff(err) ?? fromTemporal(err);
}

/** A NUL or an absurdly deep body as the typed 400, naming where it was found. */
function refuseBadInput(value: unknown, where: 'params' | 'query' | 'body') {
  const bad = findBadInput(value);
  if (!bad) return;
  // as validation errors do: the field alone names itself; a path or query field says where it was
  const named = where === 'body' || bad.param === 'body' ? bad.param : `${where}.${bad.param}`;
  throw bad.kind === 'nul'
    ? new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        `${named} may not contain a NUL character (\\u0000)`,
        bad.param,
      )
    : new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        `${named} is nested deeper than ${MAX_BODY_DEPTH} levels`,
        bad.param,
      );
}

export default fp(async function errors(app: FastifyInstance) {
  app.addSchema(ErrorBody);

  // Path and query first (before authorization looks anything up), the body once it is parsed.
  app.addHook('onRequest', async (req) => {
    refuseBadInput(req.params, 'params');
    refuseBadInput(req.query, 'query');
  });
  app.addHook('preValidation', async (req) => {
    refuseBadInput(req.body, 'body');
  });

  app.setErrorHandler((err: FastifyError & PgError, req, reply) => {
    let e: ApiError;
    const known = fromThrown(err);
    if (known) e = known;
    else if (err.validation) {
      const v = err.validation[0];
      const field =
        (v?.params as { missingProperty?: string })?.missingProperty ??
        v?.instancePath?.replace(/^\//, '').replace(/\//g, '.');
      // a field names itself; an error about the whole body or query names that instead
      const where = field
        ? err.validationContext === 'body'
          ? ''
          : `${err.validationContext}.`
        : `${err.validationContext} `;
      e = new ApiError(
        400,
        'invalid_request_error',
        field ? 'parameter_invalid' : 'invalid_request',
        `${where}${field ?? ''} ${v?.message ?? 'is invalid'}`.trim(),
        field || undefined,
      );
      if ((v?.params as { missingProperty?: string })?.missingProperty) {
        e = new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          `Missing required param: ${field}`,
          field,
        );
      }
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      e = new ApiError(415, 'invalid_request_error', 'unsupported_media_type', err.message);
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // body parser errors: malformed JSON, empty body, too large
      const code =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message)
          ? 'invalid_json'
          : 'invalid_request';
      e = new ApiError(err.statusCode, 'invalid_request_error', code, err.message);
    } else {
      const pg = fromPostgres(err);
      if (pg) e = pg;
      else {
        req.log.error({ err }, 'unhandled error');
        e = new ApiError(
          500,
          'api_error',
          'internal_error',
          'Something went wrong on our side. It has been logged.',
        );
      }
    }
    // Refused before its body was read (no credentials, a bad signature header): close the connection
    // rather than let Node drain the rest of an upload nobody will use.
    if (req.raw.complete === false) reply.header('connection', 'close');
    reply.status(e.statusCode).send({
      error: {
        type: e.type,
        code: e.code,
        message: e.message,
        ...(e.param ? { param: e.param } : {}),
        request_id: req.id,
      },
    });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      error: {
        type: 'invalid_request_error',
        code: 'route_missing',
        message: `No route ${req.method} ${req.url}`,
        request_id: req.id,
      },
    });
  });
});
