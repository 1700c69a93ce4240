// Calendar correctness, where billing breaks: month ends, the 1st, leap days, year ends and DST changes in
// America/Chicago and America/Denver. Properties run over generated dates; the named cases pin the edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateBill, rateByMonth } from '../../domain/bill-calc.js';
import { finalBillPeriod, pickReads, serviceWindow } from '../../domain/billing-window.js';
import { DEFAULT_COLLECTION_POLICY, inMoratorium } from '../../domain/collections.js';
import { dec, fromCents } from '../../domain/decimal.js';
import { quietDelayMs } from '../../domain/messages/quiet-hours.js';
import { addDays, dayStartsAt, daysBetween, localDate, monthlyPeriod } from '../../domain/period.js';
import { clockToday, msUntilDay, startClock } from '../../domain/policy-clock.js';
import { periodShareCents, rate } from '../../domain/rate-engine.js';
import { estimateRead } from '../../domain/read-validation.js';
import { parseTariff } from '../../domain/tariff.js';
import { simpleTariff } from '../support/tariffs.js';

const ZONES = ['UTC', 'America/Chicago', 'America/Denver'] as const;
// the named edges: both DST changes of 2026-2028 in the US, leap day, month and year ends, the 1st
const EDGES = [
  '2026-03-08',
  '2026-11-01',
  '2027-03-14',
  '2027-11-07',
  '2028-02-29',
  '2028-03-12',
  '2028-11-05',
  '2026-12-31',
  '2027-01-01',
  '2026-11-30',
  '2026-12-01',
  '2027-02-28',
  '2028-02-28',
  '2028-03-01',
];
const DAY0 = Date.parse('2026-01-01T00:00:00Z') / 86_400_000;
const date = fc
  .oneof(
    fc.integer({ min: 0, max: 365 * 3 + 60 }).map((n) => addDays('2026-01-01', n)),
    fc.constantFrom(...EDGES),
  )
  .map((d) => d);
const zone = fc.constantFrom(...ZONES);
const monthKey = (d: string) => d.slice(0, 7);
const nextKey = (k: string) => addDays(monthlyPeriod(k).end, 1).slice(0, 7);

describe('period math', () => {
  it('months tile the calendar: each ends the day before the next begins, with 28 to 31 days', () => {
    fc.assert(
      fc.property(date, (d) => {
        const p = monthlyPeriod(monthKey(d));
        const next = monthlyPeriod(nextKey(p.key));
        expect(addDays(p.end, 1)).toBe(next.start);
        expect(p.start <= d && d <= p.end).toBe(true);
        expect([28, 29, 30, 31]).toContain(daysBetween(p.start, p.end) + 1);
      }),
    );
    expect(monthlyPeriod('2028-02').end).toBe('2028-02-29');
    expect(monthlyPeriod('2027-02').end).toBe('2027-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('a local day starts at local midnight, also on the days the clocks change', () => {
    // 2026-03-08 in Chicago: 00:00 CST (UTC-6); the next day starts at 00:00 CDT (UTC-5), 23 hours later
    expect(dayStartsAt('2026-03-08', 'America/Chicago')).toBe('2026-03-08T06:00:00.000Z');
    expect(dayStartsAt('2026-03-09', 'America/Chicago')).toBe('2026-03-09T05:00:00.000Z');
    expect(dayStartsAt('2026-11-01', 'America/Denver')).toBe('2026-11-01T06:00:00.000Z');
    expect(dayStartsAt('2026-11-02', 'America/Denver')).toBe('2026-11-02T07:00:00.000Z');
    fc.assert(
      fc.property(date, zone, (d, tz) => {
        const start = Date.parse(dayStartsAt(d, tz));
        expect(localDate(start, tz)).toBe(d);
        expect(localDate(start - 1, tz)).toBe(addDays(d, -1));
        const hours = (Date.parse(dayStartsAt(addDays(d, 1), tz)) - start) / 3_600_000;
        expect([23, 24, 25]).toContain(hours);
      }),
    );
  });

  it('due dates are the policy number of calendar days after the bill date', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 60 }), (billDate, dueDays) => {
        expect(daysBetween(billDate, addDays(billDate, dueDays))).toBe(dueDays);
      }),
    );
    expect(addDays('2028-02-09', 20)).toBe('2028-02-29');
    expect(addDays('2026-12-11', 21)).toBe('2027-01-01');
  });
});

// ---- the window rule: consecutive bills and a final bill, simulated over one meter's daily reads
interface Read {
  id: string;
  readAt: string;
  value: number;
}

/** One read a day at a local hour (AMI), the register rising by a day's use. */
function dailyReads(from: string, to: string, tz: string, hour: number, use: (i: number) => number): Read[] {
  const out: Read[] = [];
  let v = 1000;
  for (let i = 0, d = from; d <= to; i++, d = addDays(d, 1)) {
    const at = new Date(Date.parse(dayStartsAt(d, tz)) + hour * 3_600_000).toISOString();
    out.push({ id: `r${i}`, readAt: at, value: v });
    v += use(i);
  }
  return out;
}

/** The on-demand final read, taken late on the stop date after the day's AMI read. */
function withFinalRead(reads: Read[], stop: string, tz: string, extra: number): Read[] {
  const at = new Date(Date.parse(dayStartsAt(addDays(stop, 1), tz)) - 60_000).toISOString();
  const before = reads.filter((r) => r.readAt < at);
  const v = (before.at(-1)?.value ?? 1000) + extra;
  return [
    ...before,
    { id: 'final', readAt: at, value: v },
    ...reads.filter((r) => r.readAt > at).map((r) => ({ ...r, value: r.value + extra })),
  ];
}

/**
 * Bills month by month from the service start (until `monthlyUntil`, when the monthly runs stop short, as
 * when a move-out comes before the last month was billed), then the final bill to the stop date.
 */
function billUntilStop(o: { start: string; stop: string; tz: string; reads: Read[]; monthlyUntil?: string }) {
  const bills: { from: string; to: string; usage: number; opening: Read; closing: Read }[] = [];
  let billedThrough: string | null = null;
  let lastRead: Read | null = null;
  // a monthly bill is issued before the move-out's final read exists; the final bill sees every read
  const bill = (period: { start: string; end: string }, reads = o.reads.filter((r) => r.id !== 'final')) => {
    const w = serviceWindow({ period, serviceStart: o.start, serviceEnd: o.stop, billedThrough }, o.tz);
    if (!w) return;
    const { opening, closing } = pickReads(reads, w, lastRead);
    expect(opening, `opening read for ${w.from}`).not.toBeNull();
    expect(closing, `closing read for ${w.to}`).not.toBeNull();
    bills.push({
      from: w.from,
      to: w.to,
      usage: closing!.value - opening!.value,
      opening: opening!,
      closing: closing!,
    });
    billedThrough = period.end < o.stop ? period.end : o.stop;
    lastRead = closing;
  };
  // monthly bills for every month that ended before the stop date
  const until = o.monthlyUntil ?? o.stop;
  for (let k = monthKey(o.start); monthlyPeriod(k).end < until; k = nextKey(k)) bill(monthlyPeriod(k));
  const final = finalBillPeriod({ stopDate: o.stop, billedThrough, serviceStart: o.start });
  if ('refused' in final) throw new Error(final.refused);
  bill(final, o.reads);
  return bills;
}

describe('billing windows: nothing billed twice, nothing missed', () => {
  const scenario = fc
    .record({
      start: date,
      span: fc.integer({ min: 0, max: 120 }),
      tz: zone,
      hour: fc.integer({ min: 0, max: 21 }), // on every local day, even a 23-hour one
      uses: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }),
      shortBy: fc.integer({ min: 0, max: 70 }),
    })
    .map((s) => ({
      ...s,
      stop: addDays(s.start, s.span),
      monthlyUntil: addDays(s.start, s.span - s.shortBy),
    }));

  it('consecutive bills then a final bill cover every day from move-in to move-out once, and bill the metered total', () => {
    fc.assert(
      fc.property(scenario, ({ start, stop, tz, hour, uses, monthlyUntil }) => {
        const daily = dailyReads(start, addDays(stop, 5), tz, hour, (i) => uses[i % uses.length]!);
        const reads = withFinalRead(daily, stop, tz, 3);
        const bills = billUntilStop({ start, stop, tz, reads, monthlyUntil });
        // days: contiguous, from the start to the stop, no overlap
        expect(bills[0]!.from).toBe(start);
        expect(bills.at(-1)!.to).toBe(stop);
        for (let i = 1; i < bills.length; i++) expect(bills[i]!.from).toBe(addDays(bills[i - 1]!.to, 1));
        // usage: each bill opens on the read the last one closed on; together they bill move-in to final read
        for (let i = 1; i < bills.length; i++) expect(bills[i]!.opening.id).toBe(bills[i - 1]!.closing.id);
        const moveIn = reads.find((r) => localDate(Date.parse(r.readAt), tz) === start)!;
        const finalRead = reads.find((r) => r.id === 'final')!;
        expect(bills[0]!.opening.id).toBe(moveIn.id);
        expect(bills.at(-1)!.closing.id).toBe(finalRead.id);
        expect(bills.reduce((n, b) => n + b.usage, 0)).toBe(finalRead.value - moveIn.value);
      }),
      { numRuns: 300 },
    );
  });

  it('a move-out on the 1st bills from the last bill to the read on the stop date, not an estimate to the month end', () => {
    // the case: October billed, November not yet; the tenant leaves on Dec 1
    const reads = withFinalRead(
      dailyReads('2026-10-01', '2026-12-10', 'UTC', 8, () => 2),
      '2026-12-01',
      'UTC',
      0,
    );
    const bills = billUntilStop({
      start: '2026-10-01',
      stop: '2026-12-01',
      tz: 'UTC',
      reads,
      monthlyUntil: '2026-11-15',
    });
    expect(bills.map((b) => [b.from, b.to])).toEqual([
      ['2026-10-01', '2026-10-31'],
      ['2026-11-01', '2026-12-01'],
    ]);
    // Nov 1 08:00 (October's closing read) to the final read late on Dec 1: the metered use, no estimate
    expect(bills[1]!.opening.readAt).toBe('2026-11-01T08:00:00.000Z');
    expect(bills[1]!.closing.id).toBe('final');
    expect(bills[1]!.usage).toBe(reads.find((r) => r.id === 'final')!.value - bills[1]!.opening.value);
    expect(bills[1]!.usage).toBe(2 * 30);
    // with November billed first, the final bill is the 1st alone, from the Dec 1 read to the final read
    const both = billUntilStop({ start: '2026-10-01', stop: '2026-12-01', tz: 'UTC', reads });
    expect(both.map((b) => [b.from, b.to])).toEqual([
      ['2026-10-01', '2026-10-31'],
      ['2026-11-01', '2026-11-30'],
      ['2026-12-01', '2026-12-01'],
    ]);
  });

  it('a stop on the 1st with no bill since October bills November and the 1st in one final bill', () => {
    const p = finalBillPeriod({
      stopDate: '2026-12-01',
      billedThrough: '2026-10-31',
      serviceStart: '2025-01-01',
    });
    expect(p).toEqual({ key: '2026-12', start: '2026-11-01', end: '2026-12-01' });
    expect(
      finalBillPeriod({ stopDate: '2026-10-31', billedThrough: '2026-10-31', serviceStart: '2025-01-01' }),
    ).toEqual({
      refused: 'the stop date must be after 2026-10-31, the last day already billed',
    });
    // a stop on the 31st, and in a month with no earlier bill
    expect(
      finalBillPeriod({ stopDate: '2026-12-31', billedThrough: '2026-11-30', serviceStart: '2025-01-01' }),
    ).toEqual({ key: '2026-12', start: '2026-12-01', end: '2026-12-31' });
    expect(
      finalBillPeriod({ stopDate: '2026-11-20', billedThrough: null, serviceStart: '2026-11-05' }),
    ).toEqual({
      key: '2026-11',
      start: '2026-11-05',
      end: '2026-11-20',
    });
  });

  it("a move-in mid-month opens on its own read, never on the previous occupant's", () => {
    const reads = dailyReads('2026-11-01', '2026-12-05', 'America/Chicago', 12, () => 3);
    const w = serviceWindow(
      { period: monthlyPeriod('2026-11'), serviceStart: '2026-11-15' },
      'America/Chicago',
    )!;
    const { opening, closing } = pickReads(reads, w);
    expect(localDate(Date.parse(opening!.readAt), 'America/Chicago')).toBe('2026-11-15');
    expect(localDate(Date.parse(closing!.readAt), 'America/Chicago')).toBe('2026-12-01');
    // without a read on the move-in day there is no opening read: the bill is held, never guessed
    const gap = reads.filter((r) => !r.readAt.startsWith('2026-11-15'));
    expect(pickReads(gap, w).opening).toBeNull();
  });

  it("a transfer's old premise closes on the move-date read, not on a later read for the next occupant", () => {
    const reads = dailyReads('2026-11-01', '2026-12-05', 'UTC', 12, () => 5);
    const w = serviceWindow({
      period: monthlyPeriod('2026-11'),
      serviceStart: '2026-01-01',
      serviceEnd: '2026-11-20',
    })!;
    expect(w).toMatchObject({ from: '2026-11-01', to: '2026-11-20', final: true });
    expect(pickReads(reads, w).closing!.readAt).toBe('2026-11-20T12:00:00.000Z');
  });
});

describe('proration', () => {
  const cents = fc.integer({ min: 1, max: 500_00 });
  it('however a period is split, its shares add up to the whole charge to the cent', () => {
    fc.assert(
      fc.property(
        date,
        cents,
        fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 5 }),
        (d, amountCents, rawCuts) => {
          const p = monthlyPeriod(monthKey(d));
          const len = daysBetween(p.start, p.end) + 1;
          const cuts = [0, ...rawCuts.filter((c) => c < len).sort((a, b) => a - b), len];
          let sum = 0;
          for (let i = 0; i + 1 < cuts.length; i++)
            if (cuts[i + 1]! > cuts[i]!)
              sum += periodShareCents(fromCents(amountCents), cuts[i]!, cuts[i + 1]! - 1, len);
          expect(sum).toBe(amountCents);
        },
      ),
    );
  });

  const tariff = (charge: string) => parseTariff(simpleTariff('water', 'kgal', charge, '4.50'));

  it('a period that spans a rate-version change bills each day once, and the fixed shares add up', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 27 }), (d, cut) => {
        const p = monthlyPeriod(monthKey(d));
        const change = addDays(p.start, cut);
        const r = rate(
          [
            { id: 'v1', effectiveFrom: '2000-01-01', tariff: tariff('12.34') },
            { id: 'v2', effectiveFrom: change, tariff: tariff('12.34') },
          ],
          { periodStart: p.start, periodEnd: p.end, usage: dec('7.5') },
        );
        const fixed = r.lines.filter((l) => l.kind === 'fixed');
        expect(fixed.map((l) => l.rateVersionId)).toEqual(['v1', 'v2']);
        expect(fixed.reduce((n, l) => n + l.amountCents, 0)).toBe(1234);
        expect(fixed[0]!.proration.to).toBe(addDays(change, -1));
        expect(fixed[1]!.proration.from).toBe(change);
        const usage = r.lines
          .filter((l) => l.kind === 'volumetric')
          .reduce((n, l) => n + Number(l.quantity), 0);
        expect(usage).toBeCloseTo(7.5, 9);
      }),
    );
  });

  it('a final bill across months is rated month by month and bills the metered usage exactly', () => {
    const v = [{ id: 'v1', effectiveFrom: '2000-01-01', tariff: tariff('20.00') }];
    // Nov 1 - Dec 1: all of November (20.00) and 1/31 of December (0.65); 50 kgal shared 30:1 by days
    const r = rateByMonth(v, { periodStart: '2026-11-01', periodEnd: '2026-12-01', usage: dec('50') });
    expect(r.lines.map((l) => [l.kind, l.quantity, l.amountCents])).toEqual([
      ['fixed', '1', 2000],
      ['volumetric', '48.387096774', 21774],
      ['fixed', '1/31', 65],
      ['volumetric', '1.612903226', 726],
    ]);
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 10_000 }),
        (start, span, q) => {
          const r2 = rateByMonth(v, { periodStart: start, periodEnd: addDays(start, span), usage: dec(q) });
          const billed = r2.lines
            .filter((l) => l.kind === 'volumetric')
            .reduce((n, l) => n + dec(l.quantity), 0n);
          expect(billed).toBe(dec(q));
        },
      ),
    );
  });

  it('calculateBill bills no agreement for days an earlier bill covered', () => {
    const facts = {
      segments: [
        {
          serviceAgreementId: 'sa1',
          serviceType: 'water',
          status: 'active',
          serviceStart: '2026-01-01',
          billedThrough: '2026-12-01', // a final bill already ran to Dec 1
          meter: null,
          openingRead: null,
          closingRead: null,
          rates: [{ id: 'v1', scheduleCode: 'W', effectiveFrom: '2000-01-01', tariff: tariff('20.00') }],
        },
      ],
    };
    expect(calculateBill(facts, monthlyPeriod('2026-11'))).toEqual({ segments: [], holds: [] });
    const dec2 = calculateBill(facts, monthlyPeriod('2026-12'));
    expect(dec2.segments[0]!.lines[0]).toMatchObject({ quantity: '30/31', amountCents: 1935 });
  });
});

describe('policy days: dunning, disputes and service requests', () => {
  it('a real policy day turns at local midnight, 23- and 25-hour DST days included', () => {
    fc.assert(
      fc.property(
        date,
        zone,
        fc.integer({ min: 0, max: 86_399_999 }),
        fc.integer({ min: 0, max: 120 }),
        (d, tz, msIntoDay, n) => {
          const now = Date.parse(dayStartsAt(d, tz)) + msIntoDay;
          if (localDate(now, tz) !== d) return; // past the end of a 23-hour day
          const business = addDays('2027-06-01', 0); // the injected clock's date may differ from the wall's
          const c = startClock('1 day', now, { today: business, timeZone: tz });
          expect(clockToday(c, now)).toBe(business);
          const target = addDays(business, n);
          const at = now + msUntilDay(c, target, now);
          expect(clockToday(c, at)).toBe(target);
          if (n > 0) expect(clockToday(c, at - 1)).toBe(addDays(target, -1));
          expect(localDate(at, tz)).toBe(n > 0 ? addDays(d, n) : d);
        },
      ),
    );
  });

  it('shrunk policy days count from the moment the clock started', () => {
    const c = startClock('100ms', 1_000_000, { today: '2028-02-28' });
    expect(clockToday(c, 1_000_099)).toBe('2028-02-28');
    expect(clockToday(c, 1_000_100)).toBe('2028-02-29');
    expect(clockToday(c, 1_000_200)).toBe('2028-03-01');
    expect(msUntilDay(c, '2028-03-01', 1_000_050)).toBe(150);
  });
});

describe('moratoria', () => {
  it('the default winter moratorium runs from Dec 1 through the end of February, leap day included', () => {
    const p = DEFAULT_COLLECTION_POLICY;
    expect(
      ['2026-11-30', '2026-12-01', '2027-02-28', '2027-03-01', '2028-02-29', '2028-03-01'].map(
        (d) => !!inMoratorium(p, d),
      ),
    ).toEqual([false, true, true, false, true, false]);
  });
});

describe('quiet hours', () => {
  const q = (tz: string) => ({ start: '21:00', end: '08:00', timeZone: tz });
  it('a text queued in the quiet window waits exactly until it ends, on DST nights too', () => {
    fc.assert(
      fc.property(date, zone, fc.integer({ min: 0, max: 86_399 }), (d, tz, s) => {
        const now = new Date(Date.parse(dayStartsAt(d, tz)) + s * 1000);
        const wait = quietDelayMs(now, q(tz));
        const at = new Date(now.getTime() + wait);
        const hm = new Intl.DateTimeFormat('en-GB', {
          timeZone: tz,
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(at);
        if (wait > 0) expect(hm).toBe('08:00');
        else expect(hm >= '08:00' && hm < '21:00').toBe(true);
        expect(wait).toBeLessThanOrEqual(12 * 3_600_000);
      }),
    );
    // the night summer time ends in Chicago (Nov 1, 2026): 21:00 CDT to 08:00 CST is 12 hours
    expect(quietDelayMs(new Date('2026-11-01T02:00:00Z'), q('America/Chicago'))).toBe(12 * 3_600_000);
    // the night it starts (Mar 8, 2026): 21:00 CST to 08:00 CDT is 10 hours
    expect(quietDelayMs(new Date('2026-03-08T03:00:00Z'), q('America/Chicago'))).toBe(10 * 3_600_000);
  });
});

describe('estimation', () => {
  it('an estimate counts calendar days between local-midnight reads, across DST and leap days', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 62 }), zone, (d, n, tz) => {
        const e = estimateRead({
          last: { id: 'r', value: '100', readAt: dayStartsAt(d, tz), source: 'ami' },
          at: dayStartsAt(addDays(d, n), tz),
          history: { recentDaily: '2' },
          meter: { dialCount: 6, multiplier: '1' },
        });
        expect(e?.quantity).toBe(String(2 * n));
      }),
    );
  });
});

// keep the named edge list honest: each is a real edge of the calendar
it('the named edge dates are what they claim', () => {
  expect(dayStartsAt('2026-03-08', 'America/Chicago')).not.toBe(
    new Date(Date.parse(dayStartsAt('2026-03-09', 'America/Chicago')) - 86_400_000).toISOString(),
  );
  expect(monthlyPeriod('2028-02').end).toBe('2028-02-29');
  expect(DAY0).toBeGreaterThan(0);
});
