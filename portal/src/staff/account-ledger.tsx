// The 360's bills (each with its PDF) and payments, where staff also record a payment taken at the counter.
import { Card, Money } from '../components/ui';
import type { AccountSummary } from '../lib/api';
import { formatDate } from '../lib/i18n';
import { CounterPayment } from './counter-payment';

export function BillsCard({ a }: { a: AccountSummary }) {
  return (
    <Card title="Bills">
      <table data-testid="bills">
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col">Due</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">PDF</th>
          </tr>
        </thead>
        <tbody>
          {a.bills.map((b) => (
            <tr key={b.id} data-period={b.period}>
              <td>{b.period}</td>
              <td>{formatDate(b.dueDate)}</td>
              <td class="num">
                <Money cents={b.totalCents} />
              </td>
              <td>
                <a href={`/bills/${b.id}/document`} target="_blank" rel="noopener">
                  PDF<span class="visually-hidden"> for {b.period}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

export function PaymentsCard({ a }: { a: AccountSummary }) {
  return (
    <Card title="Payments">
      <table data-testid="payments">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Method</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {a.payments.slice(0, 24).map((p) => (
            <tr key={p.id}>
              <td>{formatDate(String(p.receivedAt))}</td>
              <td>{p.method}</td>
              <td>{p.status}</td>
              <td class="num">
                <Money cents={p.amountCents} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CounterPayment accountId={a.id} />
    </Card>
  );
}
