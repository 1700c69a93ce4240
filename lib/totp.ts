// TOTP (RFC 6238) through otplib: 6 digits, 30-second steps, SHA-1 (what every authenticator app reads).
// Time always comes from the caller's injected clock, so tests compute codes for a fixed, named instant.
import { generate, generateSecret, generateURI, verify } from 'otplib';

/** How far a code may be from now: one step either side, for a phone clock a little off. */
const TOLERANCE_SECONDS = 30;
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

export const newTotpSecret = (): string => generateSecret();

/** The otpauth:// URI an authenticator app scans (as a QR code) or takes typed in. */
export const totpUri = (secret: string, account: string, issuer: string) =>
  generateURI({ issuer, label: account, secret });

/** The code an authenticator shows at `at`. */
export const totpCode = (secret: string, at: Date) => generate({ secret, epoch: seconds(at) });

/** The time step the code belongs to if it is right at `now` (±1 step), else null. */
export async function totpStep(secret: string, code: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const r = await verify({ secret, token: code, epoch: seconds(now), epochTolerance: TOLERANCE_SECONDS });
  return r.valid ? Math.floor(seconds(now) / 30) + r.delta : null;
}
