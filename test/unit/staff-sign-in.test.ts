// Staff sign-in's pure parts: the SSO role map (strongest mapped value wins, a typo fails loudly), the sealed
// TOTP secret (opens only with its key, a changed byte fails), and TOTP codes at a fixed, named instant.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRoleMap, roleFromClaim } from '../../domain/staff-roles.js';
import { parseKey, secretBox } from '../../lib/secret-box.js';
import { newTotpSecret, totpCode, totpStep } from '../../lib/totp.js';

/** 29 February 2028, 23:59:50 UTC: a leap day, ten seconds before midnight */
const LEAP_NIGHT = new Date('2028-02-29T23:59:50Z');

describe('role map', () => {
  const map = parseRoleMap('cis-csr=csr, Cis.Admin=admin ,cis-billing=billing_admin');
  it('maps a claim to the strongest role among its mapped values', () => {
    expect(roleFromClaim(['cis-csr', 'Cis.Admin', 'other'], map)).toBe('admin');
    expect(roleFromClaim('cis-billing', map)).toBe('billing_admin');
    expect(roleFromClaim(['other'], map)).toBeNull();
    expect(roleFromClaim(undefined, map)).toBeNull();
    expect(roleFromClaim(['toString'], map)).toBeNull();
  });
  it('refuses a role that does not exist, or a pair without "="', () => {
    expect(() => parseRoleMap('x=superuser')).toThrow(/not a role/);
    expect(() => parseRoleMap('justtext')).toThrow(/claimValue=role/);
  });
});

describe('sealed secrets', () => {
  it('open with their key only, and a changed ciphertext fails', () => {
    const key = randomBytes(32);
    const sealed = secretBox(key).seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(secretBox(key).open(sealed)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(() => secretBox(randomBytes(32)).open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = `A${parts[3]!.slice(1)}` === parts[3] ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    expect(() => secretBox(key).open(parts.join('.'))).toThrow();
  });
  it('takes a key as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    const k = randomBytes(32);
    expect(parseKey(k.toString('hex')).equals(k)).toBe(true);
    expect(parseKey(k.toString('base64')).equals(k)).toBe(true);
    expect(() => parseKey('short')).toThrow(/32 bytes/);
  });
});

describe('TOTP', () => {
  it('accepts the code of now and of one step either side, not two', async () => {
    const secret = newTotpSecret();
    const at = (s: number) => new Date(LEAP_NIGHT.getTime() + s * 1000);
    const now = await totpCode(secret, LEAP_NIGHT);
    const step = Math.floor(LEAP_NIGHT.getTime() / 30_000);
    expect(await totpStep(secret, now, LEAP_NIGHT)).toBe(step);
    expect(await totpStep(secret, await totpCode(secret, at(-30)), LEAP_NIGHT)).toBe(step - 1);
    expect(await totpStep(secret, await totpCode(secret, at(30)), LEAP_NIGHT)).toBe(step + 1);
    const far = await totpCode(secret, at(90));
    if (far !== now) expect(await totpStep(secret, far, LEAP_NIGHT)).toBeNull();
    expect(await totpStep(secret, '12345', LEAP_NIGHT)).toBeNull();
  });
});
