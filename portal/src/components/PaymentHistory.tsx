// The portal's payment history: each payment's confirmation number (the one on its receipt), when it was
// received and when it posted or settled, the method, and its status in the words staff see too.
import type { AccountSummary } from '../lib/api';
import { formatDate, t } from '../lib/i18n';
import { paymentMethodWords, paymentStatusWord } from '../lib/payment-words';
import { Card, EmptyState, Money, num, Table } from './ui';

export function PaymentHistory({ a }: { a: AccountSummary }) {
  return (
    <Card title={t('paymentHistory')} id="payment-history">
      {a.payments.length === 0 ? (
        <EmptyState title={t('noPayments')} next={t('noPaymentsNext')} testid="no-payments" />
      ) : (
        // four columns, so that the table fits a phone without scrolling sideways
        <Table testid="payments" head={[t('date'), t('confirmationNumber'), t('status'), num(t('amount'))]}>
          {a.payments.map((p) => (
            <tr key={p.id} data-status={p.status} data-payment={p.id}>
              <td>
                <span class="line" data-testid="received">
                  {t('receivedOn')} {formatDate(String(p.receivedAt))}
                </span>
                <span class="line muted" data-testid="posted">
                  {p.postedAt ? `${t('postedOn')} ${formatDate(String(p.postedAt))}` : t('notPostedYet')}
                </span>
              </td>
              <td>
                <span class="line ref">{p.confirmationNumber}</span>
                <span class="line muted">{paymentMethodWords(p)}</span>
              </td>
              <td>{paymentStatusWord(p.status)}</td>
              <td class="num">
                <Money cents={p.amountCents} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
