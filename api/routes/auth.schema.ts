// The signed-in user as /me and /auth/login answer it: shared with the portal and staff console (type-only).
import { Type } from '@sinclair/typebox';

export const Me = Type.Object({
  id: Type.String(),
  object: Type.Literal('user'),
  email: Type.String(),
  displayName: Type.String(),
  kind: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  accounts: Type.Array(Type.Object({ id: Type.String(), accountNumber: Type.String() })),
});

export const LoginAnswer = Type.Object({ user: Me, token: Type.String(), csrfToken: Type.String() });
