// The bill calculator over HTTP: preview a tariff on given usage, and what-if a tariff on an account's history.
// A tariff, import, preview or rating error is the caller's input: the error map answers it as a 400.
import { Type } from '@sinclair/typebox';
import { accountWhatIf } from '../../db/what-if.js';
import { previewBill } from '../../domain/preview.js';
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
    async (req) => previewBill(req.body, req.body.usage as never) as never,
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
    async (req) => accountWhatIf(deps.sql, req.params.id, req.body, req.body.months),
  );
}
