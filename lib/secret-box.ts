// Small secrets kept in the database but not readable from it (a staff member's TOTP secret): AES-256-GCM
// with a key from the environment (TOTP_ENCRYPTION_KEY, 32 bytes as base64 or hex). The stored text is
// "v1.<iv>.<tag>.<ciphertext>" (base64url); a changed or foreign ciphertext fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The key as configured: 32 bytes written as 64 hex digits or base64; anything else is refused. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32)
    throw new RangeError('the encryption key must be 32 bytes (64 hex digits or base64)');
  return key;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new RangeError('the encryption key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv, c.getAuthTag(), body]
        .map((x) => (typeof x === 'string' ? x : x.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    },
  };
}
