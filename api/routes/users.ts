// Staff accounts for admins: list, invite (an emailed single-use link), change role, deactivate (sessions end
// at once), reset TOTP, and whether TOTP is required for everyone. The invitee's own step (set a password)
// is public: the link's secret is the proof. Every change is audited by the onSend hook (auditResource).
import { Type } from '@sinclair/typebox';
import {
  acceptInvitation,
  changeRole,
  deactivateStaff,
  inviteStaff,
  listStaffUsers,
  resetTotp,
  type StaffUserRow,
  setRequireTotp,
  staffAuthSettings,
  staffUser,
} from '../../db/staff-users.js';
import { passwordProblem } from '../../lib/password-rules.js';
import { hashPassword } from '../../lib/passwords.js';
import { ApiError, found } from '../errors.js';
import { PUBLIC_BODY_LIMIT, STAFF } from '../plugins/auth.js';
import { List, ListQuery } from '../schemas.js';
import { authSettings, perIp } from '../throttle.js';
import type { App, AppDeps } from '../types.js';
import { RoleName, StaffSignInSettings, StaffStatus, StaffUser } from './users.schema.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const staffUserAnswer = (u: StaffUserRow) => ({
  ...u,
  object: 'staff_user' as const,
  lastSignInAt: iso(u.lastSignInAt),
  createdAt: u.createdAt.toISOString(),
  deactivatedAt: iso(u.deactivatedAt),
});
const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });

export default async function userRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const { policy, now } = authSettings(deps);
  const admin = { access: { staff: STAFF.admin } };
  const base = deps.publicUrl.replace(/\/$/, '');

  app.get(
    '/users',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['staff accounts'],
        summary: 'Staff logins with role, status, TOTP state and last sign-in (oldest first)',
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({ role: Type.Optional(RoleName), status: Type.Optional(StaffStatus) }),
        ]),
        response: { 200: List(StaffUser) },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await listStaffUsers(sql, {
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
        role: q.role,
        status: q.status,
      });
      return { object: 'list' as const, has_more: r.hasMore, data: r.data.map(staffUserAnswer) };
    },
  );

  app.post(
    '/users/invitations',
    {
      config: admin,
      schema: {
        tags: ['staff accounts'],
        summary: 'Invite a staff member: an email with a single-use link to set their password',
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 254 }),
          displayName: Type.String({ minLength: 1, maxLength: 120 }),
          role: RoleName,
        }),
        response: { 201: StaffUser },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const id = await inviteStaff(sql, {
        ...b,
        invitedBy: req.user!.id,
        expiresAt: new Date(now().getTime() + policy.staff.invitationTtlHours * 3600_000),
        link: (token) => `${base}/staff/#/invitation?token=${encodeURIComponent(token)}`,
      });
      req.auditResource = { type: 'user', id, detail: { invited: b.email, role: b.role } };
      return reply.status(201).send(staffUserAnswer((await staffUser(sql, id))!));
    },
  );

  app.post(
    '/users/invitations/accept',
    {
      config: { access: { public: true }, rateLimit: perIp(policy.login.perIp) },
      bodyLimit: PUBLIC_BODY_LIMIT,
      schema: {
        tags: ['staff accounts'],
        summary: "Use an invitation's link: set the password; the login can then sign in",
        body: Type.Object({
          token: Type.String({ minLength: 10, maxLength: 200 }),
          password: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: { 200: StaffUser },
      },
    },
    async (req) => {
      const problem = passwordProblem(req.body.password, policy.password.minLength);
      if (problem) throw new ApiError(400, 'invalid_request_error', 'password_too_weak', problem, 'password');
      const id = await acceptInvitation(sql, req.body.token, await hashPassword(req.body.password), now());
      return staffUserAnswer((await staffUser(sql, id))!);
    },
  );

  app.post(
    '/users/:id',
    {
      config: admin,
      schema: {
        tags: ['staff accounts'],
        summary: "Change a staff member's role (it takes effect on their next request)",
        params: Id,
        body: Type.Object({ role: RoleName }),
        response: { 200: StaffUser },
      },
    },
    async (req) => {
      const { id } = req.params;
      const before = found(await staffUser(sql, id), 'user', id);
      const u = await changeRole(sql, id, req.body.role);
      req.auditResource = { type: 'user', id, detail: { from: before.role, to: u.role } };
      return staffUserAnswer(u);
    },
  );

  app.post(
    '/users/:id/deactivate',
    {
      config: admin,
      schema: {
        tags: ['staff accounts'],
        summary: 'Deactivate a staff login: its sessions end at once and it can no longer sign in',
        params: Id,
        response: { 200: StaffUser },
      },
    },
    async (req) => {
      const { id } = req.params;
      const u = await deactivateStaff(sql, id, now());
      req.auditResource = { type: 'user', id, detail: { status: u.status } };
      return staffUserAnswer(u);
    },
  );

  app.delete(
    '/users/:id/totp',
    {
      config: admin,
      schema: {
        tags: ['staff accounts'],
        summary: "Reset a staff member's TOTP (a lost phone): they set it up again at their next sign-in",
        params: Id,
        response: { 200: StaffUser },
      },
    },
    async (req) => {
      const { id } = req.params;
      await resetTotp(sql, id);
      req.auditResource = { type: 'user', id, detail: { totp: 'reset' } };
      return staffUserAnswer((await staffUser(sql, id))!);
    },
  );

  const settingsAnswer = (s: { requireTotp: boolean }) => ({
    object: 'staff_sign_in_settings' as const,
    requireTotp: s.requireTotp,
    totpAvailable: !!deps.staffAuth?.totpKey,
    ssoAvailable: !!deps.staffAuth?.oidc,
  });

  app.get(
    '/staff-sign-in-settings',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: { tags: ['staff accounts'], response: { 200: StaffSignInSettings } },
    },
    async () => settingsAnswer(await staffAuthSettings(sql)),
  );

  app.post(
    '/staff-sign-in-settings',
    {
      config: admin,
      schema: {
        tags: ['staff accounts'],
        summary: 'Require TOTP of every staff member (those without it set it up at their next sign-in)',
        body: Type.Object({ requireTotp: Type.Boolean() }),
        response: { 200: StaffSignInSettings },
      },
    },
    async (req) => {
      if (req.body.requireTotp && !deps.staffAuth?.totpKey)
        throw new ApiError(
          400,
          'invalid_request_error',
          'totp_not_configured',
          'TOTP needs TOTP_ENCRYPTION_KEY set on the server first',
          'requireTotp',
        );
      const s = await setRequireTotp(sql, req.body.requireTotp, now());
      req.auditResource = {
        type: 'staff_sign_in_settings',
        id: null,
        detail: { requireTotp: s.requireTotp },
      };
      return settingsAnswer(s);
    },
  );
}
