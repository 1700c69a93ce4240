// How a route answers with a resource it has just made.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Row } from 'postgres';

/** 201 with the new resource tagged with its object type; the audit log names it under the same type. */
export function created(
  req: FastifyRequest,
  reply: FastifyReply,
  object: string,
  resource: { id: string } | Row,
  detail?: Record<string, unknown>,
) {
  req.auditResource = detail ? { type: object, id: resource.id, detail } : { type: object, id: resource.id };
  return reply.status(201).send({ ...resource, object });
}
