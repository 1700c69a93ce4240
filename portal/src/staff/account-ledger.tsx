// The 360's bills (each with its PDF) and payments, where staff also record a payment taken at the counter.
import { useState } from 'preact/hooks';
import { BillExplanationView, ExplainBillButton } from '../components/BillExplanation';
import { BillPdfLink, Card, Money, num, Table } from '../components/ui';
import type { AccountSummary } from '../lib/api';
import { formatDate } from '../lib/i18n';
import { paymentMethodWords, paymentStatusWord } from '../lib/payment-words';
import { CounterPayment } from './counter-payment';

export function BillsCard({ a }: { a: AccountSummary }) {
  const [explaining, setExplaining] = useState<string | null>(null);
  return (
    <Card title="Bills">
      <Table testid="bills" head={['Period', 'Due', num('Amount'), 'PDF', 'Why']}>
        {a.bills.map((b) => (
          <tr key={b.id} data-period={b.period}>
            <td>{b.period}</td>
            <td>{formatDate(b.dueDate)}</td>
            <td class="num">
              <Money cents={b.totalCents} />
            </td>
            <td>
              <BillPdfLink billId={b.id} label="PDF" hint={`for ${b.period}`} />
            </td>
            <td>
              <ExplainBillButton
                label="Explain"
                hint={`the ${b.period} bill`}
                onClick={() => setExplaining(b.id)}
              />
            </td>
          </tr>
        ))}
      </Table>
      {explaining ? (
        <BillExplanationView
          key={explaining}
          billId={explaining}
          level={2}
          onClose={() => setExplaining(null)}
        />
      ) : null}
    </Card>
  );
}

export function PaymentsCard({ a }: { a: AccountSummary }) {
  return (
    <Card title="Payments">
      <Table
        testid="payments"
        head={['Received', 'Posted', 'Confirmation', 'Method', 'Status', num('Amount')]}
      >
        {a.payments.slice(0, 24).map((p) => (
          <tr key={p.id} data-status={p.status} data-payment={p.id}>
            <td>{formatDate(String(p.receivedAt))}</td>
            <td>{p.postedAt ? formatDate(String(p.postedAt)) : '—'}</td>
            <td class="ref">{p.confirmationNumber}</td>
            <td>{paymentMethodWords(p)}</td>
            {/* the customer's words for it, the same mapping the portal uses */}
            <td>{paymentStatusWord(p.status)}</td>
            <td class="num">
              <Money cents={p.amountCents} />
            </td>
          </tr>
        ))}
      </Table>
      <CounterPayment accountId={a.id} />
    </Card>
  );
}
