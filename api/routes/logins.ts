// The portal logins linked to an account: the account's holders and staff see who can reach it, and either can
// remove a login (say one linked by someone who guessed their way in). Staff removals are audited.
import { Type } from '@sinclair/typebox';
import { linkedLogins, unlinkLogin } from '../../db/portal-logins.js';
import { notFound } from '../errors.js';
import { staffOrOwner } from '../plugins/auth.js';
import { List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const When = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const LinkedLogin = Type.Object({
  id: Type.String({ description: 'the login (user) id' }),
  object: Type.Literal('linked_login'),
  email: Type.String(),
  displayName: Type.String(),
  linkedAt: When,
  emailVerified: Type.Boolean(),
  you: Type.Boolean({ description: 'this is the signed-in login' }),
});
const Params = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  userId: Type.String({ minLength: 1, maxLength: 64 }),
});

export default async function loginRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.get(
    '/accounts/:id/logins',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['auth'],
        summary: 'The portal logins that can see this account',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: List(LinkedLogin),
        },
      },
    },
    async (req) => ({
      object: 'list' as const,
      data: (await linkedLogins(sql, req.params.id)).map((l) => ({
        id: l.userId,
        object: 'linked_login' as const,
        email: l.email,
        displayName: l.displayName,
        linkedAt: l.linkedAt,
        emailVerified: l.emailVerified,
        you: l.userId === req.user!.id,
      })),
      has_more: false,
    }),
  );

  app.delete(
    '/accounts/:id/logins/:userId',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['auth'],
        summary:
          'Remove a portal login from this account; it can no longer see it (staff removals are audited)',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      if (!(await unlinkLogin(sql, req.params.id, req.params.userId)))
        throw notFound('linked login', req.params.userId, 'userId');
      req.auditResource = {
        type: 'portal_login',
        id: req.params.userId,
        detail: { accountId: req.params.id, unlinked: true },
      };
      return reply.status(204).send(null);
    },
  );
}
