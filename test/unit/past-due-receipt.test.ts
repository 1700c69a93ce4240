// The pure rules behind the past-due banner and the receipt: the next collections step (asked of the dunning
// decision day by day), the confirmation number, a time on the utility's clock, and the emailed receipt.
import { describe, expect, it } from 'vitest';
import {
  type CollectionFacts,
  DEFAULT_COLLECTION_POLICY,
  nextCollectionStep,
} from '../../domain/collections.js';
import { formatLocalDateTime } from '../../domain/date-format.js';
import { render } from '../../domain/messages/templates.js';
import { confirmationNumber } from '../../domain/payment-receipt.js';

const noMoratorium = { ...DEFAULT_COLLECTION_POLICY, moratoria: [] };
const facts = (over: Partial<CollectionFacts> = {}): CollectionFacts => ({
  today: '2026-11-26',
  bills: [{ billId: 'bill_1', dueDate: '2026-11-24', openCents: 141_751, disputed: false, arranged: false }],
  autopay: false,
  done: new Set(),
  disconnectAllowedOn: null,
  holds: [],
  serviceState: 'connected',
  ...over,
});

describe('nextCollectionStep', () => {
  it('names the late fee and the day it falls due (five days after the due date), with its amount', () => {
    expect(nextCollectionStep(facts(), noMoratorium)).toEqual({
      kind: 'late_fee',
      on: '2026-11-29',
      feeCents: 2_126,
    });
  });

  it('after the fee, the final notice on day 20 with the disconnect date it will announce', () => {
    const f = facts({ done: new Set(['late_fee:bill_1', 'past_due_notice:bill_1']) });
    expect(nextCollectionStep(f, noMoratorium)).toEqual({
      kind: 'final_notice',
      on: '2026-12-14',
      disconnectOn: '2026-12-24',
    });
  });

  it('after a final notice, the disconnect on the day it allows; a due step not yet taken is due today', () => {
    const f = facts({
      today: '2026-12-20',
      done: new Set(['late_fee:bill_1']),
      disconnectAllowedOn: '2026-12-24',
    });
    expect(nextCollectionStep(f, noMoratorium)).toEqual({ kind: 'disconnect', on: '2026-12-24' });
    expect(nextCollectionStep({ ...f, today: '2026-12-26' }, noMoratorium)).toEqual({
      kind: 'disconnect',
      on: '2026-12-26',
    });
  });

  it('nothing while the winter moratorium or an arrangement holds, or below the small balance', () => {
    const f = facts({ done: new Set(['late_fee:bill_1']) });
    // the default policy's moratorium runs Dec 1 to Feb 29: the final notice waits until March
    expect(nextCollectionStep(f, DEFAULT_COLLECTION_POLICY)).toEqual({
      kind: 'final_notice',
      on: '2027-03-01',
      disconnectOn: '2027-03-11',
    });
    const arranged = facts({ bills: [{ ...facts().bills[0]!, arranged: true }] });
    expect(nextCollectionStep(arranged, noMoratorium)).toBeNull();
    const small = facts({ bills: [{ ...facts().bills[0]!, openCents: 2_000 }] });
    expect(nextCollectionStep(small, noMoratorium)).toBeNull();
  });
});

describe('receipts', () => {
  it('the confirmation number is the id’s random tail in two groups of five', () => {
    expect(confirmationNumber('pay_01JD0000000000ABCDE12345')).toBe('ABCDE-12345');
    expect(confirmationNumber('pay_autopay_01JD00000000000000Q9RST7XYZW')).toBe('Q9RST-7XYZW');
  });

  it('a time on the utility’s clock, across the DST change, in English and Spanish', () => {
    expect(formatLocalDateTime('2026-12-01T15:05:00Z', 'America/Los_Angeles')).toBe(
      'Dec 1, 2026, 7:05 AM PST',
    );
    expect(formatLocalDateTime('2026-07-01T15:05:00Z', 'America/Los_Angeles')).toBe(
      'Jul 1, 2026, 8:05 AM PDT',
    );
    expect(formatLocalDateTime('2026-12-01T23:30:00Z', 'America/Los_Angeles', 'es')).toBe(
      '1 dic 2026, 15:30 PST',
    );
    expect(formatLocalDateTime('2026-12-02T00:00:00Z', 'UTC')).toBe('Dec 2, 2026, 12:00 AM UTC');
  });

  it('the payment_received email carries the receipt; SMS stays short', () => {
    const data = {
      paymentId: 'pay_x',
      amountCents: 41_751,
      confirmationNumber: 'ABCDE-12345',
      method: 'card',
      methodBrand: 'visa',
      methodLast4: '4242',
      postedAt: '2026-12-01T15:05:00.000Z',
      timeZone: 'America/Los_Angeles',
      newBalanceCents: 100_000,
    };
    const ctx = { accountNumber: '1000000024', publicUrl: 'https://utility.example' };
    const en = render('payment_received', data, { ...ctx, language: 'en' });
    expect(en.subject).toBe('Payment received · confirmation ABCDE-12345');
    for (const line of [
      'We received your payment of $417.51. Thank you.',
      'Confirmation number: ABCDE-12345',
      'Paid with: Visa ending 4242',
      'Date and time: Dec 1, 2026, 7:05 AM PST',
      'Your balance now: $1,000.00',
    ])
      expect(en.text).toContain(line);
    const es = render('payment_received', data, { ...ctx, language: 'es' });
    for (const line of [
      'Recibimos su pago de $417.51. Gracias.',
      'Número de confirmación: ABCDE-12345',
      'Pagado con: Visa terminada en 4242',
      'Fecha y hora: 1 dic 2026, 07:05 PST',
      'Su saldo ahora: $1,000.00',
    ])
      expect(es.text).toContain(line);
    expect(en.smsSegments).toBeLessThanOrEqual(2);
    // without the receipt's fields (an older notice) it still reads
    const bare = render('payment_received', { amountCents: 500 }, { ...ctx, language: 'en' });
    expect(bare.subject).toBe('Payment received');
    expect(bare.text).not.toContain('Confirmation');
  });
});
