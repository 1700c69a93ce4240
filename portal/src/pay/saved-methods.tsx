// The cards and bank accounts saved on the account, each payable with one press.
import { useEffect, useState } from 'preact/hooks';
import type { SavedMethod as SavedMethodSchema } from '../../../api/routes/payments.schema';
import { api, type ListOf } from '../lib/api';
import { t } from '../lib/i18n';
import { describeMethod, type SavedMethod } from '../lib/stripe';

/** The saved methods, if any (none in dev outbox mode), asked again at each step; the pay form works without. */
export function useSavedMethods(accountId: string, step: string) {
  const [saved, setSaved] = useState<SavedMethod[]>([]);
  useEffect(() => {
    api<ListOf<typeof SavedMethodSchema>>(`/accounts/${accountId}/payment-methods`).then(
      // the default first
      (l) => setSaved([...l.data].sort((a, b) => Number(b.isDefault) - Number(a.isDefault))),
      () => setSaved([]),
    );
  }, [accountId, step]);
  return saved;
}

export function SavedMethods({
  saved,
  busy,
  onPay,
}: {
  saved: SavedMethod[];
  busy: boolean;
  onPay: (m: SavedMethod) => void;
}) {
  return (
    <fieldset data-testid="saved-methods">
      <legend>{t('savedMethods')}</legend>
      <ul class="saved-methods">
        {saved.map((m) => (
          <li key={m.id} data-method={m.id}>
            <span id={`saved-${m.id}`}>
              {describeMethod(m, t('bankAccount'))}
              {m.expMonth && m.expYear
                ? ` (${t('expires', { month: String(m.expMonth).padStart(2, '0'), year: String(m.expYear) })})`
                : ''}
            </span>{' '}
            <button type="button" disabled={busy} aria-describedby={`saved-${m.id}`} onClick={() => onPay(m)}>
              {t('payWithSaved')}
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
