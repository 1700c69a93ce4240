// Autopay as a screen of its own: on or off, which saved method it pays with, how many days before the due
// date, and the next debit (its date and amount, from the API's one rule: domain/autopay.ts). Enrol with a
// chosen method, change it, or stop it (asked first).
import { useEffect, useState } from 'preact/hooks';
import { Card, ErrorNote, Money, OkNote, Skeleton } from '../components/ui';
import { api } from '../lib/api';
import { formatDate, t } from '../lib/i18n';
import { describeMethod, type SavedMethod } from '../lib/stripe';
import { useAttempt } from '../pay/attempt';
import { methodLabel } from './payment-methods';
import { type Autopay, enrolWith, useWallet } from './wallet-data';

const DAY_CHOICES = [0, 1, 2, 3, 5, 7, 10] as const;

function NextDebit({ a }: { a: Autopay }) {
  const n = a.nextDebit;
  if (!n) return null;
  return (
    <p data-testid="next-debit" data-kind={n.kind}>
      {n.kind === 'bill' && n.date && n.amountCents !== null ? (
        <>
          {t('apNextDebit')} <strong>{formatDate(n.date)}</strong> · <Money cents={n.amountCents} />
        </>
      ) : n.kind === 'next_bill' && n.date ? (
        t('apNextBill', { date: formatDate(n.date) })
      ) : (
        t('apFirstBill')
      )}
    </p>
  );
}

export function AutopayScreen({ accountId, onAddMethod }: { accountId: string; onAddMethod: () => void }) {
  const w = useWallet(accountId);
  const { busy, err, attempt } = useAttempt();
  const [note, setNote] = useState<string | null>(null);
  const [methodId, setMethodId] = useState('');
  const [days, setDays] = useState(0);
  const [stopping, setStopping] = useState(false);
  const a = w.autopay;
  const methods = w.methods ?? [];
  // the form starts from the enrolment, or the default method for a new one. It follows what is saved, not
  // each reload: a refetch that brings the same enrolment back must not undo a choice not yet submitted.
  const savedRef = a?.enrolled ? a.paymentMethodRef : null;
  const savedDays = a?.daysBeforeDue ?? 0;
  const fallbackRef = methods.find((m) => m.isDefault)?.id ?? methods[0]?.id ?? '';
  const loaded = !!a && !!w.methods;
  useEffect(() => {
    if (!loaded) return;
    setMethodId(savedRef ?? fallbackRef);
    setDays(savedDays);
  }, [loaded, savedRef, savedDays, fallbackRef]);
  const current = a?.enrolled ? methods.find((m) => m.id === a.paymentMethodRef) : undefined;

  const save = (e: Event) => {
    e.preventDefault();
    const m = methods.find((x) => x.id === methodId);
    if (!m) return;
    void attempt(async () => {
      setNote(null);
      const was = a?.enrolled;
      await enrolWith(accountId, m, days);
      await w.reload();
      setNote(was ? t('apChanged') : t('apStarted'));
    });
  };
  const stop = () =>
    attempt(async () => {
      setNote(null);
      setStopping(false);
      await api(`/accounts/${accountId}/autopay`, { method: 'DELETE' });
      await w.reload();
      setNote(t('apStopped'));
    });

  const label = (m: SavedMethod) => methodLabel(m);
  return (
    <Card title={t('autopay')} id="autopay-screen">
      <ErrorNote error={w.err} />
      {!a || !w.methods ? (
        <Skeleton lines={3} />
      ) : (
        <>
          <p data-testid="autopay-screen-status">
            {a.enrolled
              ? t('apOnWith', {
                  method: current
                    ? describeMethod(current, t('bankAccount'))
                    : `…${(a.paymentMethodRef ?? '').slice(-4)}`,
                  when: a.daysBeforeDue ? t('apDaysBefore', { days: a.daysBeforeDue }) : t('apOnDueDate'),
                })
              : t('apOffHelp')}
          </p>
          {a.enrolled ? <NextDebit a={a} /> : null}
          {methods.length === 0 ? (
            <>
              <p data-testid="autopay-needs-method">{t('apNeedMethod')}</p>
              <button type="button" onClick={onAddMethod}>
                {t('pmAdd')}
              </button>
            </>
          ) : (
            <form onSubmit={save}>
              <label for="ap-method">{t('apMethod')}</label>
              <select
                id="ap-method"
                value={methodId}
                onChange={(e) => setMethodId((e.target as HTMLSelectElement).value)}
              >
                {methods.map((m) => (
                  <option key={m.id} value={m.id}>
                    {label(m)}
                  </option>
                ))}
              </select>
              <label for="ap-days">{t('apWhen')}</label>
              <select
                id="ap-days"
                value={String(days)}
                onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}
              >
                {DAY_CHOICES.map((d) => (
                  <option key={d} value={String(d)}>
                    {d === 0 ? t('apOnDueDate') : t('apDaysBefore', { days: d })}
                  </option>
                ))}
              </select>
              <button type="submit" disabled={busy || !methodId}>
                {a.enrolled ? t('apSave') : t('apTurnOn')}
              </button>
            </form>
          )}
          {a.enrolled ? (
            stopping ? (
              <div role="alertdialog" aria-labelledby="ap-stop-q" class="confirm">
                <p id="ap-stop-q">{t('apStopAsk')}</p>
                <button type="button" class="danger" disabled={busy} onClick={() => void stop()}>
                  {t('stopAutopay')}
                </button>{' '}
                <button type="button" class="secondary" onClick={() => setStopping(false)}>
                  {t('cancel')}
                </button>
              </div>
            ) : (
              <button type="button" class="secondary" onClick={() => setStopping(true)}>
                {t('stopAutopay')}
              </button>
            )
          ) : null}
        </>
      )}
      <OkNote message={note} testid="autopay-note" />
      <ErrorNote error={err} />
    </Card>
  );
}
