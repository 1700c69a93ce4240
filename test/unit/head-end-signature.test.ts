// The head-end push signature and its configuration: secrets only from the environment, checked at start-up;
// signatures over the exact body with a timestamp tolerance; any header at all gets an answer, never a crash.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_TOLERANCE_SECONDS, verifyHeadEndSignature } from '../../api/routes/meter-data.js';
import { ConfigError, loadConfig, parseHeadEndSecrets } from '../../lib/config.js';

const SECRET = 'a'.repeat(32);
const sig = (t: number, body: string, secret = SECRET) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('head-end signatures', () => {
  const now = 1_800_000_000;
  const body = '{"batchId":"b1","reads":[]}';

  it('accepts the right HMAC within the tolerance, and any of several v1 signatures (secret rotation)', () => {
    expect(verifyHeadEndSignature(`t=${now},v1=${sig(now, body)}`, body, SECRET, now)).toEqual({ ok: true });
    const t = now - SIGNATURE_TOLERANCE_SECONDS;
    expect(verifyHeadEndSignature(`t=${t},v1=${sig(t, body)}`, body, SECRET, now).ok).toBe(true);
    const rotated = `t=${now},v1=${sig(now, body, 'old-secret-old-secret-old-secret!')},v1=${sig(now, body)}`;
    expect(verifyHeadEndSignature(rotated, body, SECRET, now).ok).toBe(true);
  });

  it('names what is wrong', () => {
    const code = (h: string | undefined, b = body) => {
      const r = verifyHeadEndSignature(h, b, SECRET, now);
      return r.ok ? 'ok' : r.code;
    };
    expect(code(undefined)).toBe('signature_missing');
    expect(code('v1=abc')).toBe('signature_malformed');
    expect(code(`t=${now}`)).toBe('signature_malformed');
    const late = now - SIGNATURE_TOLERANCE_SECONDS - 1;
    expect(code(`t=${late},v1=${sig(late, body)}`)).toBe('signature_expired');
    expect(code(`t=${now},v1=${sig(now, body)}`, `${body} `)).toBe('signature_invalid'); // one byte more
    expect(code(`t=${now},v1=${sig(now + 1, body)}`)).toBe('signature_invalid'); // timestamp not the signed one
  });

  it('fuzz: any header and body give an answer, never an exception; only the true signature passes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (header, b) => {
        const r = verifyHeadEndSignature(header, b, SECRET, now);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
      }),
    );
  });
});

describe('configuration', () => {
  it('HEADEND_SECRETS: name=secret pairs, each secret 32 characters or more', () => {
    expect(parseHeadEndSecrets(undefined)).toEqual({});
    expect(parseHeadEndSecrets(` acme=${SECRET} , sensus_1=${'b'.repeat(40)}`)).toEqual({
      acme: SECRET,
      sensus_1: 'b'.repeat(40),
    });
    expect(() => parseHeadEndSecrets('acme=short')).toThrow(/at least 32 characters/);
    expect(() => parseHeadEndSecrets(`=${SECRET}`)).toThrow(/name=secret pairs/);
  });

  it('start-up refuses a bad time zone or secret list, naming the variable; defaults are UTC and no head-ends', () => {
    const c = loadConfig({});
    expect(c.utilityTimeZone).toBe('UTC');
    expect(c.headEndSecrets).toEqual({});
    expect(c.meterDropDir).toBeUndefined();
    expect(loadConfig({ UTILITY_TIME_ZONE: 'America/Chicago', METER_DROP_DIR: 'drop' }).meterDropDir).toMatch(
      /\/drop$/,
    );
    try {
      loadConfig({ UTILITY_TIME_ZONE: 'Mars/Olympus', HEADEND_SECRETS: 'acme=short' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join('\n')).toMatch(/UTILITY_TIME_ZONE[\s\S]*HEADEND_SECRETS/);
    }
  });
});
