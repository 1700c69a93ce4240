// Where alerts go: the customer's email addresses and mobile numbers, each confirmed before use (a 6-digit
// code by text, a link by email). Add one (a mobile number with the SMS consent wording shown and agreed to),
// confirm it, send a new code, or remove it (asked first; the last confirmed one alerts need is refused).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { SMS_CONSENT_VERSION } from '../../../domain/messages/sms-consent';
import { Card, ErrorNote, OkNote, Skeleton } from '../components/ui';
import { api } from '../lib/api';
import { formatDate, type Lang, t, useLang } from '../lib/i18n';
import { useAttempt } from '../pay/attempt';

interface Contact {
  id: string;
  kind: 'email' | 'sms';
  value: string;
  verified: boolean;
  status: string;
  flag: string | null;
  optedOut: boolean;
  smsConsent: { textVersion: string; at: string } | null;
}

function contactState(c: Contact): string {
  if (c.status !== 'active') return t('ctProblem');
  if (c.kind === 'sms' && c.optedOut) return t('ctOptedOut');
  return c.verified ? t('ctConfirmed') : t('ctWaiting');
}

/** "+15415550142" → "(541) 555-0142"; other numbers as stored. */
const showValue = (c: Contact) => {
  const m = c.kind === 'sms' ? /^\+1(\d{3})(\d{3})(\d{4})$/.exec(c.value) : null;
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : c.value;
};

export function ContactsScreen({ accountId }: { accountId: string }) {
  const lang = useLang();
  const [rows, setRows] = useState<Contact[] | null>(null);
  const [loadErr, setLoadErr] = useState<unknown>(null);
  const { busy, err, attempt } = useAttempt();
  const [note, setNote] = useState<string | null>(null);
  const [kind, setKind] = useState<'email' | 'sms'>('email');
  const [removing, setRemoving] = useState<string | null>(null);
  const base = `/accounts/${accountId}/contacts`;
  const load = useCallback(
    () => api<{ data: Contact[] }>(base).then((r) => setRows(r.data), setLoadErr),
    [base],
  );
  useEffect(() => void load(), [load]);
  const run = (work: () => Promise<string>) =>
    attempt(async () => {
      setNote(null);
      const said = await work();
      await load();
      setNote(said);
    });

  const add = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const value = String(new FormData(form).get('value') ?? '').trim();
    void run(async () => {
      const c = await api<Contact>(base, {
        method: 'POST',
        body: {
          kind,
          value,
          ...(kind === 'sms'
            ? { consent: { textVersion: SMS_CONSENT_VERSION, language: lang as Lang } }
            : {}),
        },
      });
      form.reset();
      return c.verified
        ? t('ctAddedKnown')
        : kind === 'sms'
          ? t('ctCodeSent', { to: showValue(c) })
          : t('ctLinkSent', { to: c.value });
    });
  };
  const verify = (c: Contact) => (e: Event) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    void run(async () => {
      await api(`${base}/${c.id}/verify`, { method: 'POST', body: { code } });
      return t('ctVerified', { to: showValue(c) });
    });
  };
  const resend = (c: Contact) =>
    run(async () => {
      await api(`${base}/${c.id}/verification`, { method: 'POST' });
      return c.kind === 'sms' ? t('ctCodeSent', { to: showValue(c) }) : t('ctLinkSent', { to: c.value });
    });
  const remove = (c: Contact) =>
    run(async () => {
      setRemoving(null);
      await api(`${base}/${c.id}`, { method: 'DELETE' });
      return t('ctRemoved', { to: showValue(c) });
    });

  return (
    <Card title={t('ctTitle')} id="contacts">
      <p>{t('ctHelp')}</p>
      <ErrorNote error={loadErr} />
      {rows === null ? (
        <Skeleton lines={3} />
      ) : rows.length === 0 ? (
        <p data-testid="contacts-empty">{t('ctEmpty')}</p>
      ) : (
        <ul class="wallet-list" data-testid="contacts">
          {rows.map((c) => (
            <li key={c.id} data-contact={c.id} data-verified={String(c.verified)}>
              <span id={`ct-${c.id}`}>
                {c.kind === 'email' ? t('ctEmail') : t('ctMobile')}: <strong>{showValue(c)}</strong>{' '}
                <span class="tag">{contactState(c)}</span>
              </span>
              {c.kind === 'sms' && c.smsConsent ? (
                <p class="muted">{t('ctConsentOn', { date: formatDate(c.smsConsent.at) })}</p>
              ) : null}
              {!c.verified && c.status === 'active' && c.kind === 'sms' ? (
                <form class="inline-form" onSubmit={verify(c)}>
                  <label for={`code-${c.id}`}>{t('ctCodeLabel', { to: showValue(c) })}</label>
                  <input
                    id={`code-${c.id}`}
                    name="code"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9]{6}"
                    maxLength={6}
                    required
                  />
                  <button type="submit" disabled={busy}>
                    {t('ctConfirm')}
                  </button>
                </form>
              ) : null}
              {!c.verified && c.status === 'active' && c.kind === 'email' ? (
                <p class="muted">{t('ctOpenLink', { to: c.value })}</p>
              ) : null}
              <span class="wallet-actions">
                {!c.verified && c.status === 'active' ? (
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy}
                    aria-describedby={`ct-${c.id}`}
                    onClick={() => void resend(c)}
                  >
                    {c.kind === 'sms' ? t('ctResendCode') : t('ctResendLink')}
                  </button>
                ) : null}
                <button
                  type="button"
                  class="secondary"
                  disabled={busy}
                  aria-describedby={`ct-${c.id}`}
                  onClick={() => setRemoving(c.id)}
                >
                  {t('ctRemove')}
                </button>
              </span>
              {removing === c.id ? (
                <div role="alertdialog" aria-labelledby={`ct-rm-${c.id}`} class="confirm">
                  <p id={`ct-rm-${c.id}`}>{t('ctRemoveAsk', { to: showValue(c) })}</p>
                  <button type="button" class="danger" disabled={busy} onClick={() => void remove(c)}>
                    {t('ctRemoveYes')}
                  </button>{' '}
                  <button type="button" class="secondary" onClick={() => setRemoving(null)}>
                    {t('cancel')}
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <OkNote message={note} testid="contacts-note" />
      <ErrorNote error={err} />
      <form onSubmit={add}>
        <fieldset>
          <legend>{t('ctAddTitle')}</legend>
          {(['email', 'sms'] as const).map((k) => (
            <label class="inline" key={k}>
              <input type="radio" name="ct-kind" checked={kind === k} onChange={() => setKind(k)} />{' '}
              {k === 'email' ? t('ctEmail') : t('ctMobile')}
            </label>
          ))}
        </fieldset>
        <label for="ct-value">{kind === 'email' ? t('ctEmailLabel') : t('ctMobileLabel')}</label>
        {kind === 'email' ? (
          <input
            key="email"
            id="ct-value"
            name="value"
            type="email"
            autoComplete="email"
            maxLength={254}
            required
          />
        ) : (
          <input key="sms" id="ct-value" name="value" type="tel" autoComplete="tel" maxLength={20} required />
        )}
        {kind === 'sms' ? (
          <>
            <p id="sms-consent" class="consent" data-testid="sms-consent" data-version={SMS_CONSENT_VERSION}>
              {t('smsConsentText')}
            </p>
            <label class="inline">
              <input type="checkbox" name="consent" required aria-describedby="sms-consent" />{' '}
              {t('smsConsentAgree')}
            </label>
          </>
        ) : null}
        <button type="submit" disabled={busy}>
          {kind === 'email' ? t('ctAddEmail') : t('ctAddMobile')}
        </button>
      </form>
    </Card>
  );
}

/**
 * The link emailed to confirm an address opens /portal/verify-contact?token=…: its token is posted once,
 * the page says what happened and goes back to /portal.
 */
export function VerifyContactLink() {
  const [state, setState] = useState<{ ok: boolean; error?: unknown } | null>(null);
  useEffect(() => {
    if (!location.pathname.endsWith('/verify-contact')) return;
    const token = new URLSearchParams(location.search).get('token');
    history.replaceState(null, '', '/portal');
    if (!token) return setState({ ok: false, error: new Error(t('ctLinkBroken')) });
    api('/contacts/verify', { method: 'POST', body: { token } }).then(
      () => setState({ ok: true }),
      (e) => setState({ ok: false, error: e }),
    );
  }, []);
  if (!state) return null;
  return state.ok ? (
    <OkNote message={t('ctLinkConfirmed')} testid="contact-link-result" />
  ) : (
    <ErrorNote error={state.error} />
  );
}
