// The dunning rules as a pure function: each step on its day, holds and moratoria, fees exact and once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CollectionFacts,
  DEFAULT_COLLECTION_POLICY,
  decideCollections,
  inMoratorium,
  installmentPlan,
  lateFeeCents,
  parseCollectionPolicy,
  unpaidByCharge,
} from '../../domain/collections.js';
import { addDays } from '../../domain/period.js';
import { clockToday, msUntilDay, startClock } from '../../domain/policy-clock.js';

const policy = { ...DEFAULT_COLLECTION_POLICY, moratoria: [] };
const due = '2026-06-10';
const facts = (today: string, over: Partial<CollectionFacts> = {}): CollectionFacts => ({
  today,
  bills: [{ billId: 'bill_1', dueDate: due, openCents: 10_000, disputed: false, arranged: false }],
  autopay: false,
  done: new Set(),
  disconnectAllowedOn: null,
  holds: [],
  serviceState: 'connected',
  ...over,
});
const kinds = (f: CollectionFacts, p = policy) => decideCollections(f, p).actions.map((a) => a.kind);

describe('decideCollections', () => {
  it('takes each step on its day, and says when to look again', () => {
    expect(kinds(facts('2026-06-06'))).toEqual([]);
    expect(decideCollections(facts('2026-06-06'), policy).nextReview).toBe('2026-06-07');
    expect(kinds(facts('2026-06-07'))).toEqual(['reminder']);
    const reminded = new Set(['reminder:bill_1']);
    expect(decideCollections(facts('2026-06-08', { done: reminded }), policy).nextReview).toBe('2026-06-11');
    expect(kinds(facts('2026-06-11', { done: reminded }))).toEqual(['past_due_notice']);
    const noticed = new Set([...reminded, 'past_due_notice:bill_1']);
    expect(kinds(facts('2026-06-15', { done: noticed }))).toEqual(['late_fee']);
    const feed = new Set([...noticed, 'late_fee:bill_1']);
    expect(decideCollections(facts('2026-06-16', { done: feed }), policy).nextReview).toBe('2026-06-30');
    const final = decideCollections(facts('2026-06-30', { done: feed }), policy).actions;
    expect(final).toEqual([{ kind: 'final_notice', amountCents: 10_000, disconnectOn: '2026-07-10' }]);
    expect(kinds(facts('2026-07-09', { done: feed, disconnectAllowedOn: '2026-07-10' }))).toEqual([]);
    expect(kinds(facts('2026-07-10', { done: feed, disconnectAllowedOn: '2026-07-10' }))).toEqual([
      'disconnect',
    ]);
  });

  it('reconnects once the past-due amount is paid, and settles when nothing collectible is owed', () => {
    const paid = facts('2026-07-12', {
      serviceState: 'disconnected',
      bills: [{ billId: 'bill_1', dueDate: due, openCents: 0, disputed: false, arranged: false }],
    });
    expect(decideCollections(paid, policy).actions).toEqual([{ kind: 'reconnect', feeCents: 2500 }]);
    expect(decideCollections({ ...paid, serviceState: 'connected' }, policy).settled).toBe(true);
  });

  it('skips the reminder for autopay, and holds off the final notice for a hold or a moratorium', () => {
    expect(kinds(facts('2026-06-08', { autopay: true }))).toEqual([]);
    const feed = new Set(['past_due_notice:bill_1', 'late_fee:bill_1']);
    const held = decideCollections(
      facts('2026-06-30', { done: feed, holds: [{ kind: 'medical', endsOn: '2026-07-05' }] }),
      policy,
    );
    expect(held).toMatchObject({ actions: [], blockedBy: ['medical_hold'], nextReview: '2026-07-06' });
    const winter = { ...policy, moratoria: [{ from: '12-01', to: '02-28', reason: 'winter moratorium' }] };
    const dec = decideCollections(
      facts('2026-12-20', {
        done: feed,
        bills: [
          { billId: 'bill_1', dueDate: '2026-11-20', openCents: 10_000, disputed: false, arranged: false },
        ],
      }),
      winter,
    );
    expect(dec).toMatchObject({ actions: [], blockedBy: ['winter moratorium'], nextReview: '2027-03-01' });
    const closed = decideCollections(facts('2026-06-30', { done: feed, accountClosed: true }), policy);
    expect(closed).toMatchObject({ actions: [], blockedBy: ['account_closed'] });
  });

  it('collects only what is not disputed or arranged, and keeps the case open while a dispute is', () => {
    const disputed = facts('2026-06-30', {
      bills: [{ billId: 'bill_1', dueDate: due, openCents: 0, disputed: true, arranged: false }],
    });
    expect(decideCollections(disputed, policy)).toMatchObject({
      actions: [],
      blockedBy: ['dispute'],
      settled: false,
    });
    const arranged = facts('2026-06-30', {
      bills: [{ billId: 'bill_1', dueDate: due, openCents: 10_000, disputed: false, arranged: true }],
    });
    expect(decideCollections(arranged, policy)).toMatchObject({
      actions: [],
      blockedBy: ['payment_arrangement'],
    });
  });

  it('never charges a late fee twice for a bill, whatever day it is looked at', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 10_000_000 }), (day, cents) => {
        const f = facts(addDays(due, day), {
          bills: [{ billId: 'bill_1', dueDate: due, openCents: cents, disputed: false, arranged: false }],
          done: new Set(['late_fee:bill_1']),
        });
        return !kinds(f).includes('late_fee');
      }),
    );
  });
});

describe('money and dates', () => {
  it('late fees round half-up to the cent, with the minimum and maximum', () => {
    expect(lateFeeCents({ type: 'percent', percent: '1.5', minCents: 0 }, 10_001)).toBe(150); // 150.015
    expect(lateFeeCents({ type: 'percent', percent: '1.5', minCents: 0 }, 10_033)).toBe(150); // 150.495
    expect(lateFeeCents({ type: 'percent', percent: '1.5', minCents: 0 }, 10_034)).toBe(151); // 150.51
    expect(lateFeeCents({ type: 'percent', percent: '1.5', minCents: 500 }, 1_000)).toBe(500);
    expect(lateFeeCents({ type: 'percent', percent: '10', minCents: 0, maxCents: 2_000 }, 50_000)).toBe(
      2_000,
    );
    expect(lateFeeCents({ type: 'fixed', cents: 700 }, 1)).toBe(700);
    expect(lateFeeCents({ type: 'fixed', cents: 700 }, 0)).toBe(0);
  });

  it('credits pay the oldest charges first; what is unpaid sums to the balance', () => {
    const charges = [
      { billId: 'b1', dueDate: '2026-01-10', amountCents: 5_000 },
      { billId: null, dueDate: '2026-01-20', amountCents: 500 },
      { billId: 'b2', dueDate: '2026-02-10', amountCents: 6_000 },
    ];
    expect(unpaidByCharge(7_000, charges).map((c) => c.unpaidCents)).toEqual([500, 500, 6_000]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: -1_000_000, max: 20_000_000 }),
        (amounts, balance) => {
          const ds = amounts.map((a, i) => ({
            billId: `b${i}`,
            dueDate: addDays('2026-01-01', i),
            amountCents: a,
          }));
          const total = amounts.reduce((n, a) => n + a, 0);
          const unpaid = unpaidByCharge(balance, ds).reduce((n, c) => n + c.unpaidCents, 0);
          return unpaid === Math.max(0, Math.min(balance, total));
        },
      ),
    );
  });

  it('instalments add up exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), fc.integer({ min: 1, max: 24 }), (total, n) => {
        const plan = installmentPlan(total, n, '2026-01-31', 30);
        const amounts = plan.map((p) => p.amountCents);
        return (
          amounts.reduce((s, a) => s + a, 0) === total && Math.max(...amounts) - Math.min(...amounts) <= 1
        );
      }),
    );
    expect(() => installmentPlan(0, 2, '2026-01-01', 30)).toThrow(/nothing to arrange/);
  });

  it('moratoria may wrap the new year; policy values are checked', () => {
    const p = { ...policy, moratoria: [{ from: '12-01', to: '02-28', reason: 'winter' }] };
    expect(['2026-12-01', '2027-01-15', '2027-02-28'].map((d) => inMoratorium(p, d))).toEqual([
      'winter',
      'winter',
      'winter',
    ]);
    expect(inMoratorium(p, '2027-03-01')).toBeNull();
    expect(() => parseCollectionPolicy({ minNoticeDays: -1 })).toThrow(/minNoticeDays/);
    expect(() => parseCollectionPolicy({ dayLength: 'soon' })).toThrow(/dayLength/);
    expect(parseCollectionPolicy({ minNoticeDays: 14 }).minNoticeDays).toBe(14);
  });

  it('policy days: real days turn at midnight UTC, shrunk days from the start', () => {
    const start = Date.parse('2026-06-10T15:30:00Z');
    const real = startClock('1 day', start);
    expect(clockToday(real, Date.parse('2026-06-11T00:00:01Z'))).toBe('2026-06-11');
    expect(msUntilDay(real, '2026-06-12', start)).toBe(Date.parse('2026-06-12T00:00:00Z') - start);
    const fast = startClock('2s', start);
    expect(clockToday(fast, start + 5_000)).toBe('2026-06-12');
    expect(msUntilDay(fast, '2026-06-13', start + 5_000)).toBe(1_000);
  });
});
