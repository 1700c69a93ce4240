// Staff logins as the admin screen and GET /users show them.
import { Type } from '@sinclair/typebox';
import type { ROLES } from '../../domain/roles.js';
import { Nullable } from '../schemas.js';

export const RoleName = Type.Union([
  Type.Literal('csr'),
  Type.Literal('billing_admin'),
  Type.Literal('supervisor'),
  Type.Literal('admin'),
]) satisfies { anyOf: { const: (typeof ROLES)[number] }[] };
export const StaffStatus = Type.Union([
  Type.Literal('invited'),
  Type.Literal('active'),
  Type.Literal('deactivated'),
]);

export const StaffUser = Type.Object({
  id: Type.String(),
  object: Type.Literal('staff_user'),
  email: Type.String(),
  displayName: Type.String(),
  role: RoleName,
  status: StaffStatus,
  /** off, pending (set up, not yet confirmed with a code) or on */
  totp: Type.Union([Type.Literal('off'), Type.Literal('pending'), Type.Literal('on')]),
  lastSignInAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  deactivatedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const StaffSignInSettings = Type.Object({
  object: Type.Literal('staff_sign_in_settings'),
  requireTotp: Type.Boolean(),
  /** whether TOTP can be used at all: TOTP_ENCRYPTION_KEY is set */
  totpAvailable: Type.Boolean(),
  /** whether single sign-on (OIDC_*) is configured */
  ssoAvailable: Type.Boolean(),
});
