// The pre-validation input checks: NUL characters anywhere (values and keys) and bodies nested too deep,
// each named by its path; and the signature headers that public webhooks check before reading a body.
import { describe, expect, it } from 'vitest';
import { findBadInput, MAX_BODY_DEPTH } from '../../api/input-check.js';
import {
  checkSendgridHeaders,
  checkSignatureHeader,
  SIGNATURE_TOLERANCE_SECONDS,
} from '../../api/signed-headers.js';

describe('findBadInput', () => {
  it('names the first NUL by its path, in values and in keys', () => {
    expect(findBadInput({ a: 'ok', lines: [{ note: 'fine' }, { note: 'x\u0000' }] })).toEqual({
      param: 'lines[1].note',
      kind: 'nul',
    });
    expect(findBadInput({ ['k\u0000']: 1 })).toEqual({ param: 'k\\u0000', kind: 'nul' });
    expect(findBadInput('raw\u0000text')).toEqual({ param: 'body', kind: 'nul' });
    expect(findBadInput({ a: 'ok', n: 1, b: [true, null], c: { d: 'é' } })).toBeNull();
  });

  it(`refuses nesting past ${MAX_BODY_DEPTH} levels, at any depth, without running out of stack`, () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = [v];
    expect(findBadInput({ x: v })).toMatchObject({ kind: 'depth' });
    let ok: unknown = 1;
    for (let i = 0; i < MAX_BODY_DEPTH - 1; i++) ok = { a: ok };
    expect(findBadInput(ok)).toBeNull();
  });
});

describe('signature headers checked before the body', () => {
  const now = 1_800_000_000;
  it('t=,v1= headers: missing, malformed, stale or fresh', () => {
    const v1 = 'a'.repeat(64);
    expect(checkSignatureHeader(undefined, now)).toMatchObject({ code: 'signature_missing' });
    expect(checkSignatureHeader('t=abc,v1=zz', now)).toMatchObject({ code: 'signature_malformed' });
    const old = now - SIGNATURE_TOLERANCE_SECONDS - 1;
    expect(checkSignatureHeader(`t=${old},v1=${v1}`, now)).toMatchObject({ code: 'signature_expired' });
    expect(checkSignatureHeader(`t=${now},v1=${v1}`, now)).toEqual({ ok: true, t: String(now), sigs: [v1] });
  });

  it("SendGrid's timestamp must be fresh", () => {
    const sig = 'M'.repeat(96);
    expect(checkSendgridHeaders(undefined, String(now), now)).toMatchObject({ code: 'signature_missing' });
    expect(checkSendgridHeaders(sig, 'yesterday', now)).toMatchObject({ code: 'signature_malformed' });
    expect(checkSendgridHeaders(sig, String(now - 3600), now)).toMatchObject({ code: 'signature_expired' });
    expect(checkSendgridHeaders(sig, String(now + 3600), now)).toMatchObject({ code: 'signature_expired' });
    expect(checkSendgridHeaders(sig, String(now - 10), now)).toEqual({ ok: true });
  });
});
