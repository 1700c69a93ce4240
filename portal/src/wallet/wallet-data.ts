// What the payment-method and autopay screens both read: the saved methods, the autopay enrolment (with its
// next debit) and whether this site takes online payments at all (the dev outbox saves no methods).
import type { Static } from '@sinclair/typebox';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AutopayStatus } from '../../../api/routes/autopay.schema';
import type { SavedMethod as SavedMethodSchema } from '../../../api/routes/payments.schema';
import { api, type ListOf } from '../lib/api';
import { type PortalConfig, portalConfig } from '../lib/portal-config';
import type { SavedMethod } from '../lib/stripe';

export type Autopay = Static<typeof AutopayStatus>;

export function useWallet(accountId: string) {
  const [methods, setMethods] = useState<SavedMethod[] | null>(null);
  const [autopay, setAutopay] = useState<Autopay | null>(null);
  const [config, setConfig] = useState<PortalConfig | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      const [m, a, c] = await Promise.all([
        api<ListOf<typeof SavedMethodSchema>>(`/accounts/${accountId}/payment-methods`),
        api<Autopay>(`/accounts/${accountId}/autopay`),
        portalConfig(),
      ]);
      setMethods(m.data);
      setAutopay(a);
      setConfig(c);
    } catch (e) {
      setErr(e);
    }
  }, [accountId]);
  useEffect(() => void reload(), [reload]);
  // saving a method needs Stripe.js in the browser, so its publishable key
  const online = !!config?.stripePublishableKey;
  return { methods, autopay, config, online, err, reload };
}

/** Puts autopay on a saved method (enrols, or changes the method or the days before the due date). */
export const enrolWith = (accountId: string, m: SavedMethod, daysBeforeDue: number) =>
  api(`/accounts/${accountId}/autopay`, {
    method: 'PUT',
    body: { method: m.type, paymentMethodRef: m.id, daysBeforeDue },
  });
