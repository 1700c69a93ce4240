// The pay card's steps and state: the choices made, Stripe's session, and what the customer is told.
import { useState } from 'preact/hooks';
import type { AccountSummary } from '../lib/api';
import { t } from '../lib/i18n';
import { formatCents, parseDollars } from '../lib/money';
import type { SavedMethod } from '../lib/stripe';
import { useAttempt } from './attempt';
import {
  confirmInStripe,
  enrolAutopay,
  mountPaymentElement,
  payWithSaved,
  type StripeSession,
  startPayment,
} from './charge';
import type { PayChoices } from './pay-form';
import { useSavedMethods } from './saved-methods';

export function usePay(a: AccountSummary, onAutopay: () => void) {
  const [step, setStep] = useState<'form' | 'element' | 'done'>('form');
  const [choices, setChoices] = useState<PayChoices>(() => ({
    amount: a.balanceCents > 0 ? formatCents(a.balanceCents).replace(/[$,]/g, '') : '',
    method: 'card',
    autopay: false,
    saveMethod: false,
  }));
  const saved = useSavedMethods(a.id, step);
  const { busy, err, setErr, attempt } = useAttempt();
  const [note, setNote] = useState<string | null>(null);
  const [stripe, setStripe] = useState<StripeSession | null>(null);
  const [cents, setCents] = useState(0);
  // the payment the receipt is for, once one is made
  const [paymentId, setPaymentId] = useState<string | null>(null);

  /** The amount typed, in cents; null (and said so) when it is not one we take. */
  const amount = () => {
    const c = parseDollars(choices.amount);
    if (c !== null && c >= 50) return c;
    setErr(new Error(t('badAmount')));
    return null;
  };
  const finish = (text: string) => {
    setNote(text);
    setStep('done');
  };

  const paySaved = (m: SavedMethod) => {
    const c = amount();
    if (c !== null)
      void attempt(async () => {
        const r = await payWithSaved(a.id, c, m);
        setCents(c);
        setPaymentId(r.paymentId);
        finish(r.note);
      });
  };

  const start = (e: Event) => {
    e.preventDefault();
    const c = amount();
    if (c !== null)
      void attempt(async () => {
        // autopay charges the method later, so it is saved for that too
        const r = await startPayment(a.id, c, choices.method, choices.saveMethod || choices.autopay);
        setCents(c);
        setPaymentId(r.paymentId);
        if ('note' in r) return finish(r.note);
        setStripe(r.stripe);
        setStep('element');
        mountPaymentElement(r.stripe);
      });
  };

  const confirm = (e: Event) => {
    e.preventDefault();
    if (stripe)
      void attempt(async () => {
        const r = await confirmInStripe(stripe);
        if (choices.autopay && r.methodId) {
          await enrolAutopay(a.id, choices.method, r.methodId);
          onAutopay();
        }
        finish(r.succeeded ? t('paymentDone') : t('paymentProcessing'));
      });
  };

  const choose = (patch: Partial<PayChoices>) => setChoices((c) => ({ ...c, ...patch }));
  /** Back to an empty pay form, for another payment after a receipt. */
  const another = () => {
    setNote(null);
    setPaymentId(null);
    setStripe(null);
    setChoices((c) => ({ ...c, amount: '', autopay: false, saveMethod: false }));
    setStep('form');
  };
  return {
    step,
    setStep,
    choices,
    choose,
    saved,
    busy,
    err,
    note,
    cents,
    paymentId,
    paySaved,
    start,
    confirm,
    another,
  };
}
