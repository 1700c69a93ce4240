// The portal's payment history: each payment's confirmation number (the one on its receipt), when it was
// received and when it posted or settled, the method, and its status in the words staff see too.
import type { AccountSummary } from '../lib/api';
import { formatDate, t } from '../lib/i18n';
import { paymentMethodWords, paymentStatusWord } from '../lib/payment-words';
import { Card, Money, num, Table } from './ui';

export function PaymentHistory({ a }: { a: AccountSummary }) {
  return (
    <Card title={t('paymentHistory')} id="payment-history">
      {a.payments.length === 0 ? (
        <p>{t('noPayments')}</p>
      ) : (
        <Table
          testid="payments"
          head={[
            t('receivedOn'),
            t('postedOn'),
            t('confirmationNumber'),
            t('method'),
            t('status'),
            num(t('amount')),
          ]}
        >
          {a.payments.map((p) => (
            <tr key={p.id} data-status={p.status} data-payment={p.id}>
              <td>{formatDate(String(p.receivedAt))}</td>
              <td>{p.postedAt ? formatDate(String(p.postedAt)) : t('notPostedYet')}</td>
              <td class="ref">{p.confirmationNumber}</td>
              <td>{paymentMethodWords(p)}</td>
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
