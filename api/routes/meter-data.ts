// Meter data in and out: staff upload read files (CSV or Green Button XML), watch an import's progress,
// head-ends push HMAC-signed batches, and a service point's usage downloads as Green Button XML.
// (Legacy CIS migrations and their history are api/routes/legacy.ts.)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  BatchConflictError,
  getImport,
  type ImportReport,
  importMeterReads,
  listImports,
} from '../../db/meter-import.js';
import {
  accountGreenButtonPoints,
  greenButtonData,
  servicePointAccount,
} from '../../db/meter-import-green-button.js';
import { tenureSpan, utilityTimeZone } from '../../db/tenure.js';
import { buildGreenButtonXml } from '../../domain/import/greenbutton-export.js';
import { isTimeZone, zoneOffsetSeconds } from '../../domain/import/local-time.js';
import { detectFormat, READ_FORMATS, type ReadFormat } from '../../domain/import/meter-reads.js';
import { parseHeadEndSecrets } from '../../lib/config.js';
import { ApiError, badTimeZone, found, notFound } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, IsoDateTime, List, ListQuery } from '../schemas.js';
import { checkSignatureHeader } from '../signed-headers.js';
import type { App, AppDeps } from '../types.js';

export { SIGNATURE_TOLERANCE_SECONDS } from '../signed-headers.js';

/** The zone's standard offset and its daylight-saving shift, from this year's January and July. */
function zoneOffsets(tz: string): { tzOffsetSeconds: number; dstOffsetSeconds: number } {
  const y = new Date().getUTCFullYear();
  const jan = zoneOffsetSeconds(tz, Date.UTC(y, 0, 1));
  const jul = zoneOffsetSeconds(tz, Date.UTC(y, 6, 1));
  return { tzOffsetSeconds: Math.min(jan, jul), dstOffsetSeconds: Math.abs(jan - jul) };
}

const MAX_FILE_BYTES = 200 * 1024 * 1024;
const MAX_PUSH_BYTES = 20 * 1024 * 1024;

const RowResult = Type.Object(
  {
    row: Type.Integer(),
    status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]),
    meter: Type.Optional(Type.String()),
    readAt: Type.Optional(Type.String()),
    column: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const MeterImport = Type.Object({
  id: Type.String(),
  object: Type.Literal('meter_import'),
  source: Type.String(),
  format: Type.String(),
  fileName: Type.Union([Type.String(), Type.Null()]),
  headEnd: Type.Union([Type.String(), Type.Null()]),
  batchId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union(['running', 'completed', 'rejected', 'failed'].map((s) => Type.Literal(s))),
  phase: Type.String(),
  partial: Type.Boolean(),
  counts: Type.Object({
    total: Type.Integer(),
    processed: Type.Integer(),
    accepted: Type.Integer(),
    duplicate: Type.Integer(),
    rejected: Type.Integer(),
  }),
  message: Type.Union([Type.String(), Type.Null()]),
  rows: Type.Array(RowResult, {
    description:
      'per-row results: every row for files up to 10,000 rows; otherwise (or when the file was rejected) the rows not accepted',
  }),
  rowsComplete: Type.Boolean(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  replayed: Type.Boolean({ description: 'this file or batch was imported before; this is that result' }),
});

const statusFor = (r: ImportReport): 200 | 201 | 422 =>
  r.replayed ? 200 : r.status === 'rejected' ? 422 : 201;

/** Verifies `X-Cisflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function verifyHeadEndSignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): { ok: true } | { ok: false; code: string; message: string } {
  const h = checkSignatureHeader(header, nowSeconds, 'X-Cisflow-Signature');
  if (!h.ok) return h;
  const expected = createHmac('sha256', secret).update(`${h.t}.${body}`).digest();
  for (const s of h.sigs) {
    if (timingSafeEqual(Buffer.from(s, 'hex'), expected)) return { ok: true };
  }
  return {
    ok: false,
    code: 'signature_invalid',
    message: 'The signature does not match the body (HMAC-SHA256 of t + "." + raw body)',
  };
}

export default async function meterDataRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const timeZone = utilityTimeZone();
  // Secrets come only from the environment (validated at start-up by lib/config.ts); never stored.
  const headEndSecrets = parseHeadEndSecrets(process.env.HEADEND_SECRETS);

  /** The named head-end's secret, or a 401 before anything else is done with the request. */
  const headEndSecret = (req: FastifyRequest): string => {
    const name = String(req.headers['x-cisflow-head-end'] ?? '');
    const secret = Object.hasOwn(headEndSecrets, name) ? headEndSecrets[name] : undefined;
    if (!secret)
      throw new ApiError(
        401,
        'authentication_error',
        'head_end_unknown',
        'Name a configured head-end in X-Cisflow-Head-End',
        'X-Cisflow-Head-End',
      );
    return secret;
  };
  app.get(
    '/meter-imports/:id',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        summary: 'A read import: status, progress (rows processed of total) and per-row results',
        params: IdParams,
        response: { 200: MeterImport },
      },
    },
    async (req) => {
      return found(await getImport(sql, req.params.id), 'meter import', req.params.id) as never;
    },
  );

  app.get(
    '/meter-imports',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        summary: 'Read imports, newest first (rows left out; get one import for them)',
        querystring: ListQuery,
        response: {
          200: List(MeterImport),
        },
      },
    },
    async (req) => {
      const r = await listImports(sql, req.query.limit ?? 20, req.query.starting_after);
      return { object: 'list' as const, data: r.data as never, has_more: r.hasMore };
    },
  );

  app.get(
    '/service-points/:id/green-button',
    {
      config: { access: staffOrOwner((req) => servicePointAccount(sql, idParam(req), req.user?.id)) },
      schema: {
        tags: ['meters'],
        summary:
          'Green Button "Download My Data": the service point\'s usage as ESPI Atom XML (interval data, or consumption between register reads)',
        params: IdParams,
        querystring: Type.Object(
          { from: Type.Optional(IsoDateTime), to: Type.Optional(IsoDateTime) },
          { additionalProperties: false },
        ),
        produces: ['application/atom+xml'],
        response: { 200: Type.String({ description: 'ESPI Atom XML' }) },
      },
    },
    async (req, reply) => {
      let { from, to } = req.query;
      if (req.user?.kind === 'customer') {
        // a customer sees only their own tenure at this service point (dates in the utility's zone)
        const account = await servicePointAccount(sql, req.params.id, req.user.id);
        const w = account ? await tenureSpan(sql, req.params.id, account, timeZone) : null;
        if (!w) throw notFound('service point', req.params.id);
        if (!from || Date.parse(from) < w.from.getTime()) from = w.from.toISOString();
        if (w.to && (!to || Date.parse(to) > w.to.getTime())) to = w.to.toISOString();
      }
      const data = await greenButtonData(sql, req.params.id, {
        from,
        to,
        ...zoneOffsets(timeZone),
      });
      if (!data) throw notFound('service point', req.params.id);
      return reply
        .type('application/atom+xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="green-button-${req.params.id}.xml"`)
        .send(buildGreenButtonXml(data));
    },
  );

  app.get(
    '/accounts/:id/green-button',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['meters'],
        summary: "The account's metered service points, each with its Green Button download link",
        params: IdParams,
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(
              Type.Object({
                servicePointId: Type.String(),
                serviceType: Type.String(),
                address: Type.String(),
                meters: Type.Array(Type.String(), {
                  description: 'serial numbers installed there, oldest first',
                }),
                url: Type.String({ description: 'GET this for the ESPI XML download' }),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const points = found(await accountGreenButtonPoints(sql, req.params.id), 'account', req.params.id);
      return {
        object: 'list' as const,
        data: points.map((p) => ({
          ...p,
          url: `/service-points/${encodeURIComponent(p.servicePointId)}/green-button`,
        })),
      };
    },
  );

  // Files and pushed batches are read as sent (text; the push signature covers the exact bytes).
  await app.register(async (scope: FastifyInstance) => {
    for (const type of ['text/csv', 'text/plain', 'application/xml', 'text/xml', 'application/atom+xml']) {
      scope.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) =>
        done(null, body),
      );
    }
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: MAX_PUSH_BYTES },
      (_req, body, done) => done(null, body),
    );

    scope.post(
      '/meter-imports',
      {
        config: { access: { staff: STAFF.billing } },
        schema: {
          tags: ['meters'],
          summary:
            'Upload a read file (generic, Aclara-, Neptune-, Sensus-, Badger-style CSV or Green Button XML); all rows or none unless partial=true',
          querystring: Type.Object(
            {
              format: Type.Optional(Type.Union(READ_FORMATS.map((f) => Type.Literal(f)))),
              partial: Type.Optional(Type.Boolean()),
              wait: Type.Optional(
                Type.Boolean({
                  default: true,
                  description:
                    'false: answer 202 as soon as the import is recorded, and follow it at GET /meter-imports/:id',
                }),
              ),
              fileName: Type.Optional(Type.String({ maxLength: 200 })),
              meter: Type.Optional(
                Type.String({ maxLength: 64, description: 'Green Button: the meter serial the data is for' }),
              ),
              timeZone: Type.Optional(
                Type.String({
                  maxLength: 64,
                  description: 'for local times in the file (default UTILITY_TIME_ZONE)',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: MeterImport, 201: MeterImport, 202: MeterImport, 422: MeterImport },
        },
      },
      async (req, reply) => {
        const q = req.query as {
          format?: ReadFormat;
          partial?: boolean;
          wait?: boolean;
          fileName?: string;
          meter?: string;
          timeZone?: string;
        };
        if (typeof req.body !== 'string')
          throw new ApiError(
            415,
            'invalid_request_error',
            'unsupported_media_type',
            'Send the file as text/csv or application/xml',
          );
        const format = q.format ?? detectFormat(req.body);
        if (!format)
          throw new ApiError(
            400,
            'invalid_request_error',
            'format_unknown',
            `The file's header matches no known format; name one with format= (${READ_FORMATS.join(', ')})`,
            'format',
          );
        if (q.timeZone && !isTimeZone(q.timeZone)) throw badTimeZone();
        let started: (id: string | null) => void = () => {};
        const startedId = new Promise<string | null>((resolve) => {
          started = resolve;
        });
        const running = importMeterReads(sql, {
          source: 'upload',
          format,
          text: req.body,
          fileName: q.fileName ?? null,
          partial: q.partial,
          timeZone: q.timeZone ?? timeZone,
          meter: q.meter,
          createdBy: req.user?.id ?? null,
          onStarted: started,
        });
        if (q.wait === false) {
          // a large file: answer once it is recorded; the import goes on and records its own outcome
          running.then(
            () => started(null),
            (e) => {
              started(null);
              req.log.error({ err: e }, 'meter import failed');
            },
          );
          const id = await startedId;
          const now = id ? await getImport(sql, id) : null;
          if (now && now.status === 'running') {
            req.auditResource = { type: 'meter_import', id: now.id, detail: { format, status: 'running' } };
            return reply.status(202).send(now as never);
          }
        }
        const r = await running;
        req.auditResource = {
          type: 'meter_import',
          id: r.id,
          detail: { format, status: r.status, counts: r.counts, replayed: r.replayed },
        };
        return reply.status(statusFor(r)).send(r as never);
      },
    );

    scope.post(
      '/head-end/reads',
      {
        config: { access: { public: true } }, // authenticated by the head-end's HMAC signature instead
        // The HMAC needs the body, but everything else is checked first: an unknown head-end or a missing,
        // malformed or stale signature is refused before a byte of the body is read, so only a request
        // that named a configured head-end with a fresh signature gets the large limit.
        onRequest: async (req) => {
          headEndSecret(req);
          const h = checkSignatureHeader(
            req.headers['x-cisflow-signature'],
            undefined,
            'X-Cisflow-Signature',
          );
          if (!h.ok)
            throw new ApiError(401, 'authentication_error', h.code, h.message, 'X-Cisflow-Signature');
        },
        bodyLimit: MAX_PUSH_BYTES,
        schema: {
          tags: ['meters'],
          summary:
            'AMI push: a head-end posts a signed batch {batchId, reads:[{meter, readAt, value, unit?}]}; idempotent by batchId',
          headers: Type.Object({
            'x-cisflow-head-end': Type.Optional(
              Type.String({ description: 'the head-end name in HEADEND_SECRETS' }),
            ),
            'x-cisflow-signature': Type.Optional(
              Type.String({
                description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>',
              }),
            ),
          }),
          querystring: Type.Object(
            { partial: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: { 200: MeterImport, 201: MeterImport, 422: MeterImport },
        },
      },
      async (req: FastifyRequest, reply) => {
        const secret = headEndSecret(req);
        const name = String(req.headers['x-cisflow-head-end']);
        if (typeof req.body !== 'string')
          throw new ApiError(
            415,
            'invalid_request_error',
            'unsupported_media_type',
            'Send the batch as application/json',
          );
        const v = verifyHeadEndSignature(
          req.headers['x-cisflow-signature'] as string | undefined,
          req.body,
          secret,
        );
        if (!v.ok) throw new ApiError(401, 'authentication_error', v.code, v.message, 'X-Cisflow-Signature');
        let r: ImportReport;
        try {
          r = await importMeterReads(sql, {
            source: 'push',
            format: 'generic',
            text: req.body,
            partial: (req.query as { partial?: boolean }).partial,
            timeZone: 'UTC',
            headEnd: name,
          });
        } catch (e) {
          if (e instanceof BatchConflictError)
            throw new ApiError(
              409,
              'invalid_request_error',
              'batch_id_reused',
              `batchId was already imported (${e.importId}) with a different body; send new reads under a new batchId`,
              'batchId',
            );
          throw e;
        }
        if (!r.id)
          throw new ApiError(400, 'invalid_request_error', 'batch_invalid', r.message ?? 'invalid batch');
        return reply.status(statusFor(r)).send(r as never);
      },
    );
  });
}
