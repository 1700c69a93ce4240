// Rate schedules (with effective-dated versions) and service agreements that put an account on one.
import { Type } from '@sinclair/typebox';
import { startServiceAgreement } from '../../db/accounts.js';
import { createRateSchedule } from '../../db/rate-schedules.js';
import { parseTariff, type Tariff, TariffError } from '../../domain/tariff.js';
import { ApiError } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { created } from '../replies.js';
import { IsoDate, ServiceType } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

export default async function agreementRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.post(
    '/rate-schedules',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['rates'],
        summary: 'Create a rate schedule with its first effective-dated tariff version',
        body: Type.Object(
          {
            code: Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{1,30}$' }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            serviceType: ServiceType,
            effectiveFrom: IsoDate,
            tariff: Type.Record(Type.String(), Type.Unknown(), {
              description: 'native tariff (schema cisflow.tariff/1); see docs/tariff-format.md',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            object: Type.Literal('rate_schedule'),
            code: Type.String(),
            rateVersionId: Type.String(),
          }),
        },
      },
    },
    async (req, reply) => {
      let tariff: Tariff;
      try {
        tariff = parseTariff(req.body.tariff);
      } catch (e) {
        // parameter_invalid here, as it always was (the rates routes' tariff_invalid is the error map's)
        if (!(e instanceof TariffError)) throw e;
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          `tariff.${e.message}`,
          `tariff.${e.path}`,
        );
      }
      if (tariff.service !== req.body.serviceType) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          `the tariff is for ${tariff.service}, the schedule for ${req.body.serviceType}`,
          'tariff.service',
        );
      }
      const { id, rateVersionId } = await createRateSchedule(sql, { ...req.body, tariff });
      req.auditResource = { type: 'rate_schedule', id, detail: { rateVersionId } };
      return reply
        .status(201)
        .send({ id, object: 'rate_schedule' as const, code: req.body.code, rateVersionId });
    },
  );

  app.post(
    '/service-agreements',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary: "Start a service agreement: an account takes a service point's service on a rate schedule",
        body: Type.Object(
          {
            accountId: Type.String({ minLength: 1, maxLength: 64 }),
            servicePointId: Type.String({ minLength: 1, maxLength: 64 }),
            rateScheduleId: Type.String({ minLength: 1, maxLength: 64 }),
            startDate: IsoDate,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            object: Type.Literal('service_agreement'),
            accountId: Type.String(),
            servicePointId: Type.String(),
            serviceType: Type.String(),
            rateScheduleId: Type.String(),
            status: Type.String(),
          }),
        },
      },
    },
    async (req, reply) => {
      return created(req, reply, 'service_agreement', await startServiceAgreement(sql, req.body));
    },
  );
}
