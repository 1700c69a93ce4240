// The pay card's second step: Stripe's Payment Element, and the amount to confirm.
import { locale, t } from '../lib/i18n';
import { formatCents } from '../lib/money';

export function ConfirmForm(props: {
  cents: number;
  busy: boolean;
  onSubmit: (e: Event) => void;
  onCancel: () => void;
}) {
  return (
    <form onSubmit={props.onSubmit}>
      <div id="payment-element" class="payment-element" />
      <button type="submit" disabled={props.busy} data-testid="confirm-pay">
        {t('confirmPay', { amount: formatCents(props.cents, locale()) })}
      </button>{' '}
      <button type="button" class="secondary" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}
