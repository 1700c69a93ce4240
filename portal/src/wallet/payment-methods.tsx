// The saved cards and bank accounts, as a screen of their own: each with its brand, last 4 and expiry, which
// is the default and which autopay uses; make one the default, remove one (asked first), or add one with
// Stripe's Payment Element (a SetupIntent, confirmed in the browser). A new card can take over autopay at
// once, so the old one can then be removed: changing a card never needs a call.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { MethodSetup } from '../../../api/routes/payments.schema';
import { Card, ErrorNote, OkNote, Skeleton } from '../components/ui';
import { api } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { describeMethod, loadStripe, type SavedMethod, type StripeJs } from '../lib/stripe';
import { useAttempt } from '../pay/attempt';
import { enrolWith, useWallet } from './wallet-data';

interface Setup {
  js: StripeJs;
  elements: ReturnType<StripeJs['elements']>;
}

/** "Visa …4242, expires 12/2034" */
export function methodLabel(m: SavedMethod): string {
  const name = describeMethod(m, t('bankAccount'));
  return m.expMonth && m.expYear
    ? `${name}, ${t('expires', { month: String(m.expMonth).padStart(2, '0'), year: String(m.expYear) })}`
    : name;
}

export function PaymentMethodsScreen({ accountId }: { accountId: string }) {
  const w = useWallet(accountId);
  const { busy, err, attempt } = useAttempt();
  const [note, setNote] = useState<string | null>(null);
  const [removing, setRemoving] = useState<SavedMethod | null>(null);
  const [kind, setKind] = useState<'card' | 'ach'>('card');
  const [setup, setSetup] = useState<Setup | null>(null);
  const [added, setAdded] = useState<SavedMethod | null>(null);
  const autopayRef = w.autopay?.enrolled ? w.autopay.paymentMethodRef : null;

  const run = (work: () => Promise<string | null>) =>
    attempt(async () => {
      setNote(null);
      const said = await work();
      await w.reload();
      setNote(said);
    });

  const makeDefault = (m: SavedMethod) =>
    run(async () => {
      await api(`/accounts/${accountId}/payment-methods/default`, {
        method: 'PUT',
        body: { methodId: m.id },
      });
      return t('pmDefaultSet', { method: describeMethod(m, t('bankAccount')) });
    });
  const remove = (m: SavedMethod) =>
    run(async () => {
      setRemoving(null);
      await api(`/accounts/${accountId}/payment-methods/${m.id}`, { method: 'DELETE' });
      if (added?.id === m.id) setAdded(null);
      return t('pmRemoved', { method: describeMethod(m, t('bankAccount')) });
    });
  const useForAutopay = (m: SavedMethod) =>
    run(async () => {
      await enrolWith(accountId, m, w.autopay?.daysBeforeDue ?? 0);
      setAdded(null);
      return t('pmAutopayMoved', { method: describeMethod(m, t('bankAccount')) });
    });

  const startAdd = (e: Event) => {
    e.preventDefault();
    void attempt(async () => {
      setNote(null);
      const key = w.config?.stripePublishableKey;
      if (!key) throw new Error(t('pmOffline'));
      const si = await api<Static<typeof MethodSetup>>(`/accounts/${accountId}/payment-methods/setup`, {
        method: 'POST',
        body: { method: kind },
      });
      const js = await loadStripe(key, locale().slice(0, 2));
      const elements = js.elements({ clientSecret: si.clientSecret, locale: locale().slice(0, 2) });
      setSetup({ js, elements });
      requestAnimationFrame(() => {
        const box = document.getElementById('setup-element');
        if (box) elements.create('payment', { layout: 'tabs' }).mount(box);
      });
    });
  };
  const confirmAdd = (e: Event) => {
    e.preventDefault();
    if (!setup) return;
    void run(async () => {
      const r = await setup.js.confirmSetup({
        elements: setup.elements,
        redirect: 'if_required',
        confirmParams: { return_url: `${location.origin}/portal#methods` },
      });
      if (r.error) throw new Error(r.error.message ?? r.error.code ?? t('pmNotSaved'));
      setSetup(null);
      const pm = r.setupIntent?.payment_method;
      const id = typeof pm === 'string' ? pm : pm?.id;
      const list = await api<{ data: SavedMethod[] }>(`/accounts/${accountId}/payment-methods`);
      const m = list.data.find((x) => x.id === id) ?? null;
      setAdded(m);
      return m ? t('pmAdded', { method: describeMethod(m, t('bankAccount')) }) : t('pmAddedPending');
    });
  };

  return (
    <Card title={t('pmTitle')} id="methods">
      <ErrorNote error={w.err} />
      {w.methods === null ? (
        <Skeleton lines={3} />
      ) : w.methods.length === 0 ? (
        <p data-testid="methods-empty">{w.online ? t('pmEmpty') : t('pmOffline')}</p>
      ) : (
        <ul class="saved-methods wallet-list" data-testid="methods">
          {w.methods.map((m) => (
            <li key={m.id} data-method={m.id}>
              <span id={`m-${m.id}`}>
                <strong>{methodLabel(m)}</strong>
                {m.isDefault ? <span class="tag">{t('pmDefault')}</span> : null}
                {m.id === autopayRef ? <span class="tag">{t('pmAutopayUses')}</span> : null}
              </span>
              <span class="wallet-actions">
                {m.isDefault ? null : (
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy}
                    aria-describedby={`m-${m.id}`}
                    onClick={() => void makeDefault(m)}
                  >
                    {t('pmMakeDefault')}
                  </button>
                )}
                {autopayRef && m.id !== autopayRef ? (
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy}
                    aria-describedby={`m-${m.id}`}
                    onClick={() => void useForAutopay(m)}
                  >
                    {t('pmUseForAutopay')}
                  </button>
                ) : null}
                <button
                  type="button"
                  class="secondary"
                  disabled={busy}
                  aria-describedby={`m-${m.id}`}
                  onClick={() => setRemoving(m)}
                >
                  {t('pmRemove')}
                </button>
              </span>
              {removing?.id === m.id ? (
                <div role="alertdialog" aria-labelledby={`rm-${m.id}`} class="confirm">
                  <p id={`rm-${m.id}`}>
                    {m.id === autopayRef
                      ? t('pmRemoveAutopayFirst')
                      : t('pmRemoveAsk', { method: describeMethod(m, t('bankAccount')) })}
                  </p>
                  {m.id === autopayRef ? null : (
                    <button type="button" class="danger" disabled={busy} onClick={() => void remove(m)}>
                      {t('pmRemoveYes')}
                    </button>
                  )}{' '}
                  <button type="button" class="secondary" onClick={() => setRemoving(null)}>
                    {t('cancel')}
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {added && autopayRef && added.id !== autopayRef ? (
        <div role="alertdialog" aria-labelledby="added-autopay" class="confirm" data-testid="offer-autopay">
          <p id="added-autopay">{t('pmOfferAutopay', { method: describeMethod(added, t('bankAccount')) })}</p>
          <button type="button" disabled={busy} onClick={() => void useForAutopay(added)}>
            {t('pmUseForAutopay')}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setAdded(null)}>
            {t('pmNotNow')}
          </button>
        </div>
      ) : null}
      <OkNote message={note} testid="methods-note" />
      <ErrorNote error={err} />
      {w.online ? (
        setup ? (
          <form onSubmit={confirmAdd} aria-labelledby="add-method-title">
            <h3 id="add-method-title">{kind === 'card' ? t('pmAddCard') : t('pmAddBank')}</h3>
            <div id="setup-element" class="payment-element" />
            <button type="submit" disabled={busy} data-testid="confirm-setup">
              {t('pmSave')}
            </button>{' '}
            <button type="button" class="secondary" onClick={() => setSetup(null)}>
              {t('cancel')}
            </button>
          </form>
        ) : (
          <form onSubmit={startAdd}>
            <fieldset>
              <legend>{t('pmAddTitle')}</legend>
              {(['card', 'ach'] as const).map((k) => (
                <label class="inline" key={k}>
                  <input type="radio" name="add-kind" checked={kind === k} onChange={() => setKind(k)} />{' '}
                  {t(k)}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={busy}>
              {t('pmAdd')}
            </button>
          </form>
        )
      ) : null}
    </Card>
  );
}
