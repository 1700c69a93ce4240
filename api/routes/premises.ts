// Premises (service addresses), their service points, meters and meter installs.
import { Type } from '@sinclair/typebox';
import { createMeter, createPremise } from '../../db/accounts.js';
import { addServicePoint, installMeterAt, searchPremises } from '../../db/premises.js';
import { listPremises } from '../../db/staff-lists.js';
import { ApiError } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { created } from '../replies.js';
import { IdParams, IsoDateTime, ServiceType } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const Premise = Type.Object({
  id: Type.String(),
  object: Type.Literal('premise'),
  addressLine1: Type.String(),
  addressLine2: Type.Union([Type.String(), Type.Null()]),
  city: Type.String(),
  state: Type.String(),
  postalCode: Type.String(),
  route: Type.Union([Type.String(), Type.Null()]),
});
const ServicePoint = Type.Object({
  id: Type.String(),
  object: Type.Literal('service_point'),
  premiseId: Type.String(),
  serviceType: Type.String(),
});
const Meter = Type.Object({
  id: Type.String(),
  object: Type.Literal('meter'),
  serialNumber: Type.String(),
  kind: Type.String(),
  unit: Type.String(),
  dialCount: Type.Integer(),
  multiplier: Type.String(),
  size: Type.Union([Type.String(), Type.Null()]),
});

export default async function premiseRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const staff = { access: { staff: STAFF.any } };

  app.post(
    '/premises',
    {
      config: staff,
      schema: {
        tags: ['premises'],
        body: Type.Object(
          {
            addressLine1: Type.String({ minLength: 1, maxLength: 200 }),
            addressLine2: Type.Optional(Type.String({ maxLength: 200 })),
            city: Type.String({ minLength: 1, maxLength: 100 }),
            state: Type.String({ pattern: '^[A-Z]{2}$' }),
            postalCode: Type.String({ pattern: '^\\d{5}(-\\d{4})?$' }),
            route: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Premise },
      },
    },
    async (req, reply) => {
      return created(req, reply, 'premise', await createPremise(sql, req.body));
    },
  );

  app.get(
    '/premises',
    {
      // a customer moving picks the new address; the answer names addresses only, never who lives there
      config: { access: { staff: STAFF.any, customer: 'self' } },
      schema: {
        tags: ['premises'],
        summary:
          'Service addresses matching the words typed (street, city or ZIP), at most 10; staff may also page through all premises, filtered',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 3, maxLength: 100 })),
            // --- rates --- staff list (GET /premises without q, or with these)
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            starting_after: Type.Optional(Type.String({ maxLength: 64 })),
            city: Type.Optional(Type.String({ maxLength: 100 })),
            postal_code: Type.Optional(Type.String({ maxLength: 10 })),
            route: Type.Optional(Type.String({ maxLength: 20 })),
            // --- end rates ---
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            has_more: Type.Boolean(),
            data: Type.Array(
              Type.Intersect([
                Type.Omit(Premise, ['route']),
                Type.Object({
                  route: Type.Optional(Type.Union([Type.String(), Type.Null()])),
                  services: Type.Optional(Type.Array(Type.String())),
                }),
              ]),
            ),
          }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      if (
        req.user?.kind === 'staff' &&
        (q.q === undefined || q.limit || q.starting_after || q.city || q.postal_code || q.route)
      ) {
        const { data, hasMore } = await listPremises(sql, {
          q: q.q,
          city: q.city,
          postalCode: q.postal_code,
          route: q.route,
          limit: q.limit ?? 20,
          startingAfter: q.starting_after,
        });
        return {
          object: 'list' as const,
          has_more: hasMore,
          data: data.map((p) => ({ object: 'premise' as const, ...p })),
        };
      }
      if (!q.q)
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'q: type part of the address',
          'q',
        );
      return {
        object: 'list' as const,
        has_more: false,
        data: (await searchPremises(sql, q.q)).map((p) => ({ object: 'premise' as const, ...p })),
      };
    },
  );

  app.post(
    '/premises/:id/service-points',
    {
      config: staff,
      schema: {
        tags: ['premises'],
        summary: 'Add a service point (where one service is delivered) to a premise',
        params: IdParams,
        body: Type.Object({ serviceType: ServiceType }, { additionalProperties: false }),
        response: { 201: ServicePoint },
      },
    },
    async (req, reply) => {
      return created(
        req,
        reply,
        'service_point',
        await addServicePoint(sql, req.params.id, req.body.serviceType),
      );
    },
  );

  app.post(
    '/meters',
    {
      config: staff,
      schema: {
        tags: ['meters'],
        body: Type.Object(
          {
            serialNumber: Type.String({ minLength: 1, maxLength: 40 }),
            kind: Type.Union([Type.Literal('water'), Type.Literal('electric'), Type.Literal('gas')]),
            unit: Type.Union(['gal', 'kgal', 'ccf', 'cf', 'kWh', 'therm'].map((u) => Type.Literal(u))),
            dialCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
            multiplier: Type.Optional(Type.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$' })),
            size: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Meter },
      },
    },
    async (req, reply) => {
      const m = await createMeter(sql, req.body);
      return created(req, reply, 'meter', { ...m, multiplier: String(m.multiplier) });
    },
  );

  app.post(
    '/meters/:id/installations',
    {
      config: staff,
      schema: {
        tags: ['meters'],
        summary: 'Install a meter at a service point',
        params: IdParams,
        body: Type.Object(
          { servicePointId: Type.String({ minLength: 1, maxLength: 64 }), installedAt: IsoDateTime },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            object: Type.Literal('meter_installation'),
            meterId: Type.String(),
            servicePointId: Type.String(),
          }),
        },
      },
    },
    async (req, reply) => {
      const i = await installMeterAt(sql, req.params.id, req.body.servicePointId, req.body.installedAt);
      return created(req, reply, 'meter_installation', i);
    },
  );
}
