// Turns every failure into the typed error shape; never leaks internals, never answers 500 for bad input.
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, ErrorBody } from '../errors.js';
import { findBadInput, MAX_BODY_DEPTH } from '../input-check.js';

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
    if (err instanceof ApiError) e = err;
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
