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

/** Sign-in's answer when the password was right but a TOTP code is still needed (POST /auth/login/totp). */
export const MfaChallenge = Type.Object({
  object: Type.Literal('mfa_challenge'),
  mfaRequired: Type.Literal(true),
  /** totp: enter a code; totp_enrolment: TOTP is required and not set up yet (POST /auth/login/totp/setup) */
  method: Type.Union([Type.Literal('totp'), Type.Literal('totp_enrolment')]),
  challenge: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const TotpEnrolment = Type.Object({
  object: Type.Literal('totp_enrolment'),
  /** base32, for typing into an authenticator app */
  secret: Type.String(),
  /** otpauth://totp/… for a QR code */
  otpauthUri: Type.String(),
});

export const TotpCode = Type.String({ pattern: '^\\d{6}$', description: 'the 6-digit code the app shows' });
