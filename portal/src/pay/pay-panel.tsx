// The portal's pay card: an amount and a method (or one saved), then Stripe's Payment Element to confirm it.
import { Card, ErrorNote, OkNote } from '../components/ui';
import type { AccountSummary } from '../lib/api';
import { t } from '../lib/i18n';
import { ConfirmForm } from './confirm-form';
import { PayForm } from './pay-form';
import { ReceiptView } from './receipt';
import { usePay } from './use-pay';

export function PayPanel({ a, onAutopay }: { a: AccountSummary; onAutopay: () => void }) {
  const p = usePay(a, onAutopay);
  return (
    <Card title={t('payNow')} id="pay">
      {p.step === 'form' ? (
        <PayForm
          choices={p.choices}
          onChange={p.choose}
          saved={p.saved}
          busy={p.busy}
          onSubmit={p.start}
          onPaySaved={p.paySaved}
        />
      ) : null}
      {p.step === 'element' ? (
        <ConfirmForm cents={p.cents} busy={p.busy} onSubmit={p.confirm} onCancel={() => p.setStep('form')} />
      ) : null}
      <OkNote message={p.step === 'done' ? p.note : null} testid="pay-result" />
      {p.step === 'done' && p.paymentId ? (
        <ReceiptView paymentId={p.paymentId} onAnother={p.another} />
      ) : null}
      <ErrorNote error={p.err} />
    </Card>
  );
}
