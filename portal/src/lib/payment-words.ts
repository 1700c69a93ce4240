// A payment in words, the one mapping the portal and the staff console share: its status ("Posted",
// "Registrado"), the method it used ("Visa ending 4242"), and a date and time on the utility's clock.
import { type Key, locale, t, word } from './i18n';

const STATUS: Record<string, Key> = {
  pending: 'pending',
  processing: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  returned: 'returned',
  refunded: 'refunded',
};

/** A payment status as the customer and staff both read it, in the current language. */
export function paymentStatusWord(status: string): string {
  const key = STATUS[status];
  return key ? t(key) : status;
}

/** "Visa ending 4242", "STRIPE TEST BANK ending 6789", or the method alone ("Cash") when no card is known. */
export function paymentMethodWords(p: {
  method: string;
  methodBrand?: string | null;
  methodLast4?: string | null;
}): string {
  const name = p.methodBrand ? p.methodBrand.replace(/^./, (c) => c.toUpperCase()) : word(p.method);
  return p.methodLast4 ? t('methodEnding', { name, last4: p.methodLast4 }) : name;
}

/** An instant on the utility's clock: "Dec 1, 2026, 3:00 PM UTC". */
export function formatDateTime(iso: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
