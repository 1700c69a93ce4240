// The pay card's first step: how much, a saved method or a new card or bank account, and whether to keep it.
import { t } from '../lib/i18n';
import type { SavedMethod } from '../lib/stripe';
import type { PayMethod } from './charge';
import { SavedMethods } from './saved-methods';

export interface PayChoices {
  amount: string;
  method: PayMethod;
  autopay: boolean;
  saveMethod: boolean;
}

export function PayForm(props: {
  choices: PayChoices;
  onChange: (patch: Partial<PayChoices>) => void;
  saved: SavedMethod[];
  busy: boolean;
  onSubmit: (e: Event) => void;
  onPaySaved: (m: SavedMethod) => void;
}) {
  const { choices, onChange, busy } = props;
  const checked = (e: Event) => (e.target as HTMLInputElement).checked;
  return (
    <form onSubmit={props.onSubmit}>
      <label for="amount">{t('amountToPay')}</label>
      <input
        id="amount"
        inputMode="decimal"
        value={choices.amount}
        onInput={(e) => onChange({ amount: (e.target as HTMLInputElement).value })}
        required
      />
      {props.saved.length ? <SavedMethods saved={props.saved} busy={busy} onPay={props.onPaySaved} /> : null}
      <fieldset>
        <legend>{t('method')}</legend>
        {(['card', 'ach'] as const).map((m) => (
          <label class="inline" key={m}>
            <input
              type="radio"
              name="method"
              checked={choices.method === m}
              onChange={() => onChange({ method: m })}
            />{' '}
            {t(m)}
          </label>
        ))}
      </fieldset>
      <label class="inline">
        <input
          type="checkbox"
          checked={choices.autopay}
          onChange={(e) => onChange({ autopay: checked(e) })}
        />{' '}
        {t('paySaveAutopay')}
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={choices.saveMethod}
          onChange={(e) => onChange({ saveMethod: checked(e) })}
        />{' '}
        {t('paySaveMethod')}
      </label>
      <button type="submit" disabled={busy}>
        {t('continue')}
      </button>
    </form>
  );
}
