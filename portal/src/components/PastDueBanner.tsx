// The past-due banner: how much is past due and since when, the late fees and the disconnect date collections
// has set or will set, and a payment plan within policy the customer accepts with one press. Everything comes
// from one answer, GET /accounts/:id/past-due; accepting posts to /accounts/:id/arrangements, which applies
// the same rules the offer was made by.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { PastDue as PastDueSchema } from '../../../api/routes/past-due.schema';
import { api } from '../lib/api';
import { formatDate, locale, t } from '../lib/i18n';
import { formatCents } from '../lib/money';
import { useAttempt } from '../pay/attempt';
import { ErrorNote, Money, OkNote } from './ui';

export type PastDue = Static<typeof PastDueSchema>;

const money = (cents: number) => formatCents(cents, locale());

/** The account's past-due answer, asked again whenever `version` changes (a payment, a new bill) or on reload. */
export function usePastDue(accountId: string, version: unknown) {
  const [pastDue, setPastDue] = useState<PastDue | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let current = true;
    api<PastDue>(`/accounts/${accountId}/past-due`).then(
      (v) => current && setPastDue(v),
      // the balance card still works without the banner; the banner is only left out
      () => current && setPastDue(null),
    );
    return () => {
      current = false;
    };
  }, [accountId, version, n]);
  return { pastDue, reload: () => setN((x) => x + 1) };
}

export function PastDueBanner({
  p,
  onPay,
  onChanged,
}: {
  p: PastDue;
  onPay: () => void;
  onChanged: () => void;
}) {
  if (p.pastDueCents <= 0) return null;
  const step = p.collections.nextStep;
  const paused = p.collections.blockedBy.some((b) => /moratorium|_hold$/.test(b));
  return (
    <section class="card past-due" aria-labelledby="past-due-title" data-testid="past-due">
      <h2 id="past-due-title">{t('pastDueTitle')}</h2>
      <p class="past-due-amount" data-testid="past-due-amount">
        <Money cents={p.pastDueCents} />
      </p>
      {p.oldestDueDate ? (
        <p>{t('pastDueSince', { date: formatDate(p.oldestDueDate), days: p.daysPastDue })}</p>
      ) : null}
      {p.lateFees.map((f) => (
        <p key={`${f.billId}-${f.chargedOn}`} data-testid="late-fee">
          {t('lateFeeCharged', { amount: money(f.feeCents), date: formatDate(f.chargedOn) })}
        </p>
      ))}
      {step && !p.arrangement ? (
        <p data-testid="next-step" data-kind={step.kind} class={step.kind === 'disconnect' ? 'warning' : ''}>
          {step.kind === 'late_fee'
            ? step.on <= p.asOf
              ? t('lateFeeNow', { amount: money(step.feeCents) })
              : t('lateFeeOn', { amount: money(step.feeCents), date: formatDate(step.on) })
            : step.kind === 'final_notice'
              ? t('finalNoticeOn', { date: formatDate(step.on), disconnect: formatDate(step.disconnectOn) })
              : t('disconnectOn', { date: formatDate(step.on) })}
        </p>
      ) : null}
      {paused && !p.arrangement ? <p class="muted">{t('disconnectPaused')}</p> : null}
      <button type="button" onClick={onPay}>
        {t('payPastDue', { amount: money(p.pastDueCents) })}
      </button>
      {p.arrangement ? <ActivePlan p={p} /> : <PlanOffer p={p} onChanged={onChanged} />}
    </section>
  );
}

function ActivePlan({ p }: { p: PastDue }) {
  const a = p.arrangement!;
  const next = a.installments.find((i) => i.dueDate >= p.asOf);
  return (
    <div class="plan" data-testid="plan-active">
      <p>{t('planActive', { amount: money(a.totalCents) })}</p>
      {next ? (
        <p>{t('planNext', { amount: money(next.amountCents), date: formatDate(next.dueDate) })}</p>
      ) : null}
    </div>
  );
}

function PlanOffer({ p, onChanged }: { p: PastDue; onChanged: () => void }) {
  const offer = p.offer;
  const options = offer.eligible ? offer.options : [];
  const [count, setCount] = useState(
    () => options.find((o) => o.installments === 3)?.installments ?? options[0]?.installments ?? 0,
  );
  const { busy, err, attempt } = useAttempt();
  const [done, setDone] = useState(false);
  if (!offer.eligible)
    return offer.reason === 'broken_recently' ? <p class="muted">{t('planBroken')}</p> : null;
  const chosen = options.find((o) => o.installments === count) ?? options[0]!;
  const accept = () =>
    attempt(async () => {
      await api(`/accounts/${p.accountId}/arrangements`, {
        method: 'POST',
        body: { installments: chosen.installments },
      });
      setDone(true);
      onChanged();
    });
  return (
    <div class="plan" data-testid="plan-offer">
      <h3>{t('planTitle')}</h3>
      <p>{t('planHelp', { amount: money(offer.totalCents) })}</p>
      <label for="plan-count">{t('planCount')}</label>
      <select
        id="plan-count"
        value={chosen.installments}
        onChange={(e) => setCount(Number((e.target as HTMLSelectElement).value))}
      >
        {options.map((o) => (
          <option key={o.installments} value={o.installments}>
            {t('planCountOption', { n: o.installments })}
          </option>
        ))}
      </select>
      <ul class="plan-schedule" data-testid="plan-schedule">
        {chosen.plan.map((i) => (
          <li key={i.seq}>
            {t('planPayment', { seq: i.seq, amount: money(i.amountCents), date: formatDate(i.dueDate) })}
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" disabled={busy || done} onClick={() => void accept()}>
        {t('planAccept', { n: chosen.installments, amount: money(chosen.plan[0]!.amountCents) })}
      </button>
      <OkNote message={done ? t('planDone') : null} testid="plan-done" />
      <ErrorNote error={err} />
    </div>
  );
}
