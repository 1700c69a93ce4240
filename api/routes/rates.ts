// The bill calculator over HTTP: preview a tariff on given usage, and what-if a tariff on an account's history.
import { Type } from '@sinclair/typebox';
import { whatIf } from '../../db/what-if.js';
import { ImportError } from '../../domain/import/urdb.js';
import { loadTariff, PreviewError, previewBill } from '../../domain/preview.js';
import { RatingError } from '../../domain/rate-engine.js';
import { TariffError } from '../../domain/tariff.js';
import { ApiError, notFound } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const TariffInput = {
  tariff: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String({ maxLength: 500_000 })], {
    description: 'native tariff object, URDB rate object/response, or OWRS YAML text',
  }),
  format: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('urdb'), Type.Literal('owrs')])),
  customerClass: Type.Optional(Type.String({ maxLength: 100 })),
  params: Type.Optional(Type.Record(Type.String(), Type.String())),
};

/** Tariff, import and rating problems are the caller's input: 400 naming the field. */
function asApiError(e: unknown): never {
  if (e instanceof TariffError)
    throw new ApiError(
      400,
      'invalid_request_error',
      'tariff_invalid',
      `tariff.${e.message}`,
      `tariff.${e.path}`,
    );
  if (e instanceof ImportError)
    throw new ApiError(400, 'invalid_request_error', 'tariff_unsupported', e.message, 'tariff');
  if (e instanceof PreviewError)
    throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', e.message, e.param);
  if (e instanceof RatingError) throw new ApiError(400, 'invalid_request_error', e.code, e.message);
  throw e;
}

export default async function rateRoutes(app: App, deps: AppDeps) {
  app.post(
    '/rates/preview',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['rates'],
        summary: 'Rate usage on a tariff without billing anyone: the same engine as the bill run',
        body: Type.Object({
          ...TariffInput,
          usage: Type.Record(Type.String(), Type.Unknown(), {
            description:
              'usage: {from, to, usage, intervals[], demandKw, waterUsage, winterAverage, meterSize, budget, flags}',
          }),
        }),
        response: {
          200: Type.Object({
            tariff: Type.String(),
            period: Type.Object({ from: Type.String(), to: Type.String() }),
            lines: Type.Array(Type.Record(Type.String(), Type.Unknown())),
            totalCents: Type.Integer(),
            warnings: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      try {
        return previewBill(req.body, req.body.usage as never) as never;
      } catch (e) {
        asApiError(e);
      }
    },
  );

  app.post(
    '/accounts/:id/what-if',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['rates'],
        summary:
          "Apply a proposed tariff to the account's last 12 bills of that service: old vs new, bill by bill",
        params: IdParams,
        body: Type.Object({
          ...TariffInput,
          months: Type.Optional(Type.Integer({ minimum: 1, maximum: 36 })),
        }),
        response: {
          200: Type.Object({
            service: Type.String(),
            bills: Type.Array(
              Type.Object({
                billId: Type.String(),
                period: Type.String(),
                usage: Type.Union([Type.String(), Type.Null()]),
                /** kWh exported (received register), for a net-metered account */
                exported: Type.Optional(Type.String()),
                currentCents: Type.Integer(),
                proposedCents: Type.Integer(),
                differenceCents: Type.Integer(),
              }),
            ),
            currentCents: Type.Integer(),
            proposedCents: Type.Integer(),
            differenceCents: Type.Integer(),
            /** net metering under the proposed tariff: what the last re-rated bill would carry */
            carriedCreditCents: Type.Optional(Type.Integer()),
            kwhBank: Type.Optional(Type.Record(Type.String(), Type.String())),
            warnings: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      const [acct] = await deps.sql`select 1 from account where id = ${req.params.id}`;
      if (!acct) throw notFound('account', req.params.id);
      try {
        const { tariff } = loadTariff(req.body);
        return await whatIf(deps.sql, req.params.id, tariff, req.body.months);
      } catch (e) {
        asApiError(e);
      }
    },
  );
}
