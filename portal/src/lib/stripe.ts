// Stripe.js is loaded from Stripe, as Stripe requires (never bundled); only what the portal uses is typed.
import type { Static } from '@sinclair/typebox';
import type { SavedMethod as SavedMethodSchema } from '../../../api/routes/payments.schema';

export interface StripeJs {
  elements(opts: { clientSecret: string; appearance?: unknown; locale?: string }): StripeElements;
  confirmPayment(opts: {
    elements: StripeElements;
    redirect: 'if_required';
    confirmParams?: { return_url?: string };
  }): Promise<{
    error?: { message?: string; code?: string };
    paymentIntent?: { id: string; status: string; payment_method?: string | { id: string } | null };
  }>;
  /** confirms a SetupIntent: a new method saved on the customer without a payment */
  confirmSetup(opts: {
    elements: StripeElements;
    redirect: 'if_required';
    confirmParams?: { return_url?: string };
  }): Promise<{
    error?: { message?: string; code?: string };
    setupIntent?: { id: string; status: string; payment_method?: string | { id: string } | null };
  }>;
}
export interface StripeElements {
  create(kind: 'payment', opts?: unknown): { mount(el: HTMLElement): void; destroy(): void };
}

/** A method saved on the account's Stripe customer, as GET /accounts/:id/payment-methods lists it. */
export type SavedMethod = Static<typeof SavedMethodSchema>;

/** "Visa …4242" or "STRIPE TEST BANK …6789" (the bank's own name when it is unknown to us). */
export function describeMethod(m: SavedMethod, bankAccount: string): string {
  const name =
    m.type === 'card'
      ? (m.brand ?? 'card').replace(/^./, (c) => c.toUpperCase())
      : (m.bankName ?? bankAccount);
  return `${name} …${m.last4}`;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string, opts?: { locale?: string }) => StripeJs;
  }
}

let loading: Promise<void> | null = null;

export async function loadStripe(publishableKey: string, locale: string): Promise<StripeJs> {
  loading ??= new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'https://js.stripe.com/v3';
    s.onload = () => resolve();
    s.onerror = () => {
      loading = null;
      reject(new Error('Stripe.js could not be loaded'));
    };
    document.head.append(s);
  });
  await loading;
  if (!window.Stripe) throw new Error('Stripe.js did not start');
  return window.Stripe(publishableKey, { locale });
}
