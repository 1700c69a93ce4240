// The receipt shown after paying (GET /payments/:id/receipt): confirmation number, amount, method, when it was
// received and posted on the utility's clock, and the new balance. Asked again for a short while until the
// payment posts, since a card posts a moment after the customer confirms it.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { PaymentReceipt } from '../../../api/routes/payments.schema';
import { ErrorNote, Money, Skeleton } from '../components/ui';
import { api } from '../lib/api';
import { t } from '../lib/i18n';
import { formatDateTime, paymentMethodWords, paymentStatusWord } from '../lib/payment-words';

type Receipt = Static<typeof PaymentReceipt>;
const settling = (s: string) => s === 'pending' || s === 'processing';

export function ReceiptView({ paymentId, onAnother }: { paymentId: string; onAnother: () => void }) {
  const [r, setR] = useState<Receipt | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (left: number) =>
      api<Receipt>(`/payments/${paymentId}/receipt`).then(
        (v) => {
          if (stop) return;
          setR(v);
          if (settling(v.status) && left > 0) timer = setTimeout(() => void load(left - 1), 1000);
        },
        (e) => !stop && setErr(e),
      );
    void load(20);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [paymentId]);
  return (
    <section class="receipt" aria-labelledby="receipt-title" data-testid="receipt" data-status={r?.status}>
      <h3 id="receipt-title">{t('receiptTitle')}</h3>
      <ErrorNote error={err} />
      {r ? (
        <dl class="receipt-fields">
          <dt>{t('confirmationNumber')}</dt>
          <dd data-testid="receipt-confirmation">{r.confirmationNumber}</dd>
          <dt>{t('amount')}</dt>
          <dd data-testid="receipt-amount">
            <Money cents={r.amountCents} />
          </dd>
          <dt>{t('method')}</dt>
          <dd data-testid="receipt-method">{paymentMethodWords(r)}</dd>
          <dt>{t('status')}</dt>
          <dd data-testid="receipt-status">{paymentStatusWord(r.status)}</dd>
          <dt>{t('receivedOn')}</dt>
          <dd>{formatDateTime(r.receivedAt, r.timeZone)}</dd>
          <dt>{t('postedOn')}</dt>
          <dd data-testid="receipt-posted">
            {r.postedAt ? formatDateTime(r.postedAt, r.timeZone) : t('notPostedYet')}
          </dd>
          <dt>{t('newBalance')}</dt>
          <dd data-testid="receipt-balance">
            {r.newBalanceCents === null ? t('balanceWhenPosted') : <Money cents={r.newBalanceCents} />}
          </dd>
        </dl>
      ) : (
        <Skeleton lines={4} />
      )}
      <button type="button" onClick={onAnother} data-testid="pay-another">
        {t('anotherPayment')}
      </button>
    </section>
  );
}
