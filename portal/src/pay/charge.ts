// The API and Stripe steps behind the pay card: a saved method charged at once, or a new one confirmed in
// Stripe's Payment Element (the dev outbox records it at once), and autopay enrolled with what was used.
import type { Static } from '@sinclair/typebox';
import type { Payment } from '../../../api/routes/payments.schema';
import { api, newKey } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { portalConfig } from '../lib/portal-config';
import { loadStripe, type SavedMethod, type StripeJs } from '../lib/stripe';

export type PayMethod = 'card' | 'ach';
export interface StripeSession {
  js: StripeJs;
  elements: ReturnType<StripeJs['elements']>;
}

/** Pays at once with a saved method: Stripe charges it off-session, the balance moves when it posts. */
export async function payWithSaved(
  accountId: string,
  cents: number,
  m: SavedMethod,
): Promise<{ note: string; paymentId: string }> {
  const p = await api<Static<typeof Payment>>(`/accounts/${accountId}/payments`, {
    method: 'POST',
    body: { amountCents: cents, method: m.type, paymentMethodRef: m.id },
    idempotencyKey: newKey(),
  });
  if (p.status === 'failed') throw new Error(p.failureCode ?? 'declined');
  return { note: p.status === 'succeeded' ? t('paymentDone') : t('paymentProcessing'), paymentId: p.id };
}

/** Starts a payment with a new method: Stripe's session to confirm it in, or the note to show at once. */
export async function startPayment(
  accountId: string,
  cents: number,
  method: PayMethod,
  saveMethod: boolean,
): Promise<({ stripe: StripeSession } | { note: string }) & { paymentId: string }> {
  const cfg = await portalConfig();
  const p = await api<Static<typeof Payment>>(`/accounts/${accountId}/payments`, {
    method: 'POST',
    body: { amountCents: cents, method, ...(saveMethod ? { saveMethod: true } : {}) },
    idempotencyKey: newKey(),
  });
  if (p.provider === 'stripe' && p.clientSecret && cfg.stripePublishableKey) {
    const js = await loadStripe(cfg.stripePublishableKey, locale().slice(0, 2));
    const elements = js.elements({ clientSecret: p.clientSecret, locale: locale().slice(0, 2) });
    return { stripe: { js, elements }, paymentId: p.id };
  }
  return {
    note: p.provider === 'outbox' ? `${t('devOutbox')} ${t('paymentDone')}` : t('paymentProcessing'),
    paymentId: p.id,
  };
}

/** The Payment Element, mounted once its container is on the page. */
export function mountPaymentElement(s: StripeSession) {
  requestAnimationFrame(() => {
    const box = document.getElementById('payment-element');
    if (box) s.elements.create('payment', { layout: 'tabs' }).mount(box);
  });
}

/** Confirms the payment in Stripe: the method it used, and whether it has already succeeded. */
export async function confirmInStripe(s: StripeSession) {
  const r = await s.js.confirmPayment({
    elements: s.elements,
    redirect: 'if_required',
    confirmParams: { return_url: `${location.origin}/portal#payments` },
  });
  if (r.error) throw new Error(r.error.message ?? r.error.code ?? 'declined');
  const pm = r.paymentIntent?.payment_method;
  return {
    methodId: typeof pm === 'string' ? pm : pm?.id,
    succeeded: r.paymentIntent?.status === 'succeeded',
  };
}

export const enrolAutopay = (accountId: string, method: PayMethod, paymentMethodRef: string) =>
  api(`/accounts/${accountId}/autopay`, { method: 'PUT', body: { method, paymentMethodRef } });
