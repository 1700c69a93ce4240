// Customer account recovery (api/routes/recovery.ts): shared with the portal (type-only).
import { Type } from '@sinclair/typebox';

const Token = Type.String({ minLength: 10, maxLength: 200, description: 'the token from the emailed link' });
const Password = Type.String({ minLength: 1, maxLength: 200 });

export const PasswordResetBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }) },
  { additionalProperties: false },
);
export const PasswordResetAnswer = Type.Object({
  object: Type.Literal('password_reset'),
  status: Type.Literal('check_your_email'),
});

export const PasswordResetConfirmBody = Type.Object(
  { token: Token, password: Password },
  { additionalProperties: false },
);
export const PasswordResetDone = Type.Object({
  object: Type.Literal('password_reset'),
  status: Type.Literal('done'),
});

export const EmailChangeBody = Type.Object(
  {
    newEmail: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200, description: 'the current password' }),
  },
  { additionalProperties: false },
);
export const EmailChangeAnswer = Type.Object({
  object: Type.Literal('email_change'),
  newEmail: Type.String(),
  status: Type.Union([Type.Literal('check_your_email'), Type.Literal('done')]),
});
export const EmailChangeConfirmBody = Type.Object({ token: Token }, { additionalProperties: false });
