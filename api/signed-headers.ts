// The parts of a webhook's signature headers that can be checked before the body is read: present, well
// formed, and fresh. Public signed routes run these in onRequest, so an unsigned or replayed request is
// refused without uploading anything; the signature over the body is verified once it has been read.

/** How far a signed request's timestamp may be from the server's clock (as Stripe's default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureRefusal = { ok: false; code: string; message: string };

const expired = (header: string): SignatureRefusal => ({
  ok: false,
  code: 'signature_expired',
  message: `${header}'s timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s from the server's clock`,
});

const fresh = (t: string, nowSeconds: number) =>
  Math.abs(nowSeconds - Number(t)) <= SIGNATURE_TOLERANCE_SECONDS;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`, as Stripe signs and head-ends sign their pushes. */
export function checkSignatureHeader(
  header: string | string[] | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
  name = 'The signature header',
): { ok: true; t: string; sigs: string[] } | SignatureRefusal {
  if (typeof header !== 'string' || !header)
    return { ok: false, code: 'signature_missing', message: `Send the ${name} header` };
  const parts = new Map<string, string[]>();
  for (const p of header.split(',')) {
    const eq = p.indexOf('=');
    if (eq < 1) continue;
    const k = p.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), p.slice(eq + 1).trim()]);
  }
  const t = parts.get('t')?.[0] ?? '';
  const sigs = (parts.get('v1') ?? []).filter((s) => /^[0-9a-f]{64}$/i.test(s));
  if (!/^\d{1,12}$/.test(t) || !sigs.length)
    return {
      ok: false,
      code: 'signature_malformed',
      message: `${name} must look like t=<unix seconds>,v1=<hex HMAC-SHA256>`,
    };
  if (!fresh(t, nowSeconds)) return expired(name);
  return { ok: true, t, sigs };
}

/** SendGrid's signed event webhook: a base64 ECDSA signature and a unix-seconds timestamp header. */
export function checkSendgridHeaders(
  signature: string | string[] | undefined,
  timestamp: string | string[] | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): { ok: true } | SignatureRefusal {
  if (typeof signature !== 'string' || typeof timestamp !== 'string')
    return {
      ok: false,
      code: 'signature_missing',
      message:
        'Send the X-Twilio-Email-Event-Webhook-Signature and X-Twilio-Email-Event-Webhook-Timestamp headers',
    };
  // a DER ECDSA P-256 signature is 70-72 bytes: about 96 base64 characters
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9+/]{40,200}={0,2}$/.test(signature))
    return {
      ok: false,
      code: 'signature_malformed',
      message: 'The SendGrid signature must be base64 and the timestamp unix seconds',
    };
  if (!fresh(timestamp, nowSeconds)) return expired('X-Twilio-Email-Event-Webhook-Timestamp');
  return { ok: true };
}
