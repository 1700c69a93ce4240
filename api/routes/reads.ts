// Meter reads. Hand entry is for exceptions; head-ends post batches through the AMI push API (later issue).
import { Type } from '@sinclair/typebox';
import { meterReads, recordRead } from '../../db/reads.js';
import { STAFF } from '../plugins/auth.js';
import { created } from '../replies.js';
import { DecimalString, IdParams, IsoDateTime, List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const Read = Type.Object({
  id: Type.String(),
  object: Type.Literal('read'),
  meterId: Type.String(),
  readAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
  value: Type.String(),
  source: Type.String(),
  quality: Type.String(),
});

export default async function readRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.post(
    '/meters/:id/reads',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        summary: 'Record a register read',
        params: IdParams,
        body: Type.Object(
          {
            readAt: IsoDateTime,
            value: DecimalString,
            source: Type.Union(['ami', 'amr', 'manual', 'customer'].map((s) => Type.Literal(s))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Read },
      },
    },
    async (req, reply) => {
      const r = await recordRead(sql, req.params.id, req.body);
      return created(req, reply, 'read', r, { value: r.value, source: r.source });
    },
  );

  app.get(
    '/meters/:id/reads',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        params: IdParams,
        response: {
          200: List(Read),
        },
      },
    },
    async (req) => {
      const { reads, hasMore } = await meterReads(sql, req.params.id);
      return {
        object: 'list' as const,
        data: reads.map((r) => ({ ...r, object: 'read' as const })),
        has_more: hasMore,
      };
    },
  );
}
