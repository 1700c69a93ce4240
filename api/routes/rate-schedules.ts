// Rate schedules for staff: list them, adopt a new tariff version on a date, list and diff versions, and
// see who is on each. Adding a version is for billing admins and admins only, and is audited.
import { Type } from '@sinclair/typebox';
import {
  addRateVersion,
  diffRateVersions,
  listRateSchedules,
  listRateVersions,
  listScheduleAgreements,
} from '../../db/rate-schedules.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams, IsoDate, List, ListQuery, Nullable, ServiceType } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

/** Who may change what customers are charged: not supervisors, who approve bills but do not set prices. */
const RATE_ADMINS = ['billing_admin', 'admin'] as const;

const Change = Type.Object({ path: Type.String(), from: Type.Unknown(), to: Type.Unknown() });

const RateSchedule = Type.Object({
  object: Type.Literal('rate_schedule'),
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  serviceType: Type.String(),
  versions: Type.Integer(),
  firstEffectiveFrom: Nullable(Type.String()),
  latestEffectiveFrom: Nullable(Type.String()),
  latestVersionId: Nullable(Type.String()),
  activeAgreements: Type.Integer(),
});

const RateVersion = Type.Object({
  object: Type.Literal('rate_version'),
  id: Type.String(),
  effectiveFrom: Type.String(),
  effectiveTo: Nullable(Type.String()),
  createdAt: Type.String(),
  tariff: Type.Record(Type.String(), Type.Unknown()),
});

export default async function rateScheduleRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.get(
    '/rate-schedules',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['rates'],
        summary: 'Rate schedules, with their latest version and how many open agreements each prices',
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            service_type: Type.Optional(ServiceType),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'code or name' })),
          }),
        ]),
        response: { 200: List(RateSchedule) },
      },
    },
    async (req) => {
      const q = req.query;
      const { data, hasMore } = await listRateSchedules(sql, {
        serviceType: q.service_type,
        q: q.q,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: data.map((s) => ({ object: 'rate_schedule' as const, ...s })),
      };
    },
  );

  app.post(
    '/rate-schedules/:id/versions',
    {
      config: { access: { staff: RATE_ADMINS } },
      schema: {
        tags: ['rates'],
        summary:
          'Adopt a new tariff version on a date after the latest and after every billed period; a bill spanning the date is prorated',
        params: IdParams,
        body: Type.Object(
          {
            effectiveFrom: IsoDate,
            tariff: Type.Record(Type.String(), Type.Unknown(), {
              description: 'native tariff (schema cisflow.tariff/1); see docs/tariff-format.md',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: RateVersion },
      },
    },
    async (req, reply) => {
      const v = await addRateVersion(sql, req.params.id, req.body);
      req.auditResource = {
        type: 'rate_version',
        id: v.id,
        detail: { rateScheduleId: req.params.id, effectiveFrom: v.effectiveFrom },
      };
      return reply.status(201).send({
        object: 'rate_version' as const,
        id: v.id,
        effectiveFrom: v.effectiveFrom,
        effectiveTo: null,
        createdAt: new Date().toISOString(),
        tariff: v.tariff as never,
      });
    },
  );

  app.get(
    '/rate-schedules/:id/versions',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['rates'],
        summary: "A schedule's tariff versions, oldest first, each with the days it is in effect",
        params: IdParams,
        response: { 200: List(RateVersion) },
      },
    },
    async (req) => ({
      object: 'list' as const,
      has_more: false,
      data: (await listRateVersions(sql, req.params.id)).map((v) => ({
        object: 'rate_version' as const,
        ...v,
        createdAt: v.createdAt.toISOString(),
        tariff: v.tariff as never,
      })),
    }),
  );

  app.get(
    '/rate-schedules/:id/versions/diff',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['rates'],
        summary:
          'What changed between two versions (default: the latest and the one before): components added, removed, and each changed price',
        params: IdParams,
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ maxLength: 64 })),
            to: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('rate_version_diff'),
            from: Type.Object({ id: Type.String(), effectiveFrom: Type.String() }),
            to: Type.Object({ id: Type.String(), effectiveFrom: Type.String() }),
            fields: Type.Array(Change),
            added: Type.Array(Type.String()),
            removed: Type.Array(Type.String()),
            changed: Type.Array(Type.Object({ component: Type.String(), changes: Type.Array(Change) })),
          }),
        },
      },
    },
    async (req) => ({
      object: 'rate_version_diff' as const,
      ...(await diffRateVersions(sql, req.params.id, req.query)),
    }),
  );

  app.get(
    '/rate-schedules/:id/agreements',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['rates'],
        summary: 'The service agreements (accounts) a schedule prices: open ones unless status is given',
        params: IdParams,
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            status: Type.Optional(
              Type.Union(
                ['pending', 'active', 'suspended_seasonal', 'pending_stop', 'closed'].map((s) =>
                  Type.Literal(s),
                ),
              ),
            ),
          }),
        ]),
        response: {
          200: List(
            Type.Object({
              object: Type.Literal('service_agreement'),
              id: Type.String(),
              accountId: Type.String(),
              accountNumber: Type.String(),
              customerName: Type.String(),
              customerClass: Type.String(),
              status: Type.String(),
              startDate: Type.String(),
              endDate: Nullable(Type.String()),
              addressLine1: Type.String(),
            }),
          ),
        },
      },
    },
    async (req) => {
      const { data, hasMore } = await listScheduleAgreements(sql, req.params.id, {
        status: req.query.status,
        limit: req.query.limit ?? 20,
        startingAfter: req.query.starting_after,
      });
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: data.map((a) => ({ object: 'service_agreement' as const, ...a })),
      };
    },
  );
}
