// A cash or check payment taken at the counter: posted at once, flagged if it looks like a duplicate.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { CounterPayment as CounterPaymentAnswer } from '../../../api/routes/payments.schema';
import { ErrorNote, OkNote } from '../components/ui';
import { api, newKey } from '../lib/api';
import { parseDollars } from '../lib/money';

export function CounterPayment({ accountId }: { accountId: string }) {
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const cents = parseDollars(String(f.get('amount') ?? ''));
    setErr(null);
    if (!cents) return setErr(new Error('Enter an amount such as 25.00'));
    try {
      const r = await api<Static<typeof CounterPaymentAnswer>>(`/accounts/${accountId}/payments/counter`, {
        method: 'POST',
        body: {
          amountCents: cents,
          method: f.get('method'),
          ...(f.get('reference') ? { reference: String(f.get('reference')) } : {}),
        },
        idempotencyKey: newKey(),
      });
      setMsg(`Recorded ${r.id}${r.reviewFlag ? ` — flagged: ${r.reviewFlag}` : ''}`);
      (e.target as HTMLFormElement).reset();
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <details>
      <summary>Record a counter payment</summary>
      <form onSubmit={submit}>
        <label for="cp-amount">Amount</label>
        <input id="cp-amount" name="amount" inputMode="decimal" required />
        <label for="cp-method">Method</label>
        <select id="cp-method" name="method">
          <option value="check">Check</option>
          <option value="cash">Cash</option>
        </select>
        <label for="cp-ref">Check or receipt number</label>
        <input id="cp-ref" name="reference" />
        <button type="submit">Record payment</button>
        <OkNote message={msg} />
        <ErrorNote error={err} />
      </form>
    </details>
  );
}
