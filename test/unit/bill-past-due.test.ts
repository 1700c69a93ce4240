// The past-due rule the banner and the bill share (oldest charges paid first, due before the day asked
// about), and a collections case's trail read for its disconnect: on fixed, named dates.
import { describe, expect, it } from 'vitest';
import { disconnectState, pastDueOn, unpaidByCharge } from '../../domain/collections.js';

const SEP_22 = '2026-09-22';
const OCT_22 = '2026-10-22';
const NOV_22 = '2026-11-22';
const OCT_2 = '2026-10-02';
const NOV_2 = '2026-11-02';
const DEC_2 = '2026-12-02';

describe('pastDueOn', () => {
  // three bills of $100.00, $80.00 and $60.00, due Sep 22, Oct 22 and Nov 22; $150.00 paid in all
  const charges = unpaidByCharge(9_000, [
    { billId: 'b1', dueDate: SEP_22, amountCents: 10_000 },
    { billId: 'b2', dueDate: OCT_22, amountCents: 8_000 },
    { billId: 'b3', dueDate: NOV_22, amountCents: 6_000 },
  ]);

  it('counts the unpaid part of each charge due before the day, the oldest paid first', () => {
    // the $150.00 paid the Sep bill and $50.00 of Oct's: $30.00 of Oct and all of Nov are unpaid
    expect(charges.map((c) => c.unpaidCents)).toEqual([0, 3_000, 6_000]);
    expect(pastDueOn(charges, OCT_2)).toMatchObject({ pastDueCents: 0, oldestDueDate: null });
    expect(pastDueOn(charges, NOV_2)).toMatchObject({ pastDueCents: 3_000, oldestDueDate: OCT_22 });
    expect(pastDueOn(charges, DEC_2)).toMatchObject({ pastDueCents: 9_000, oldestDueDate: OCT_22 });
  });

  it('a charge due on the day itself is not yet past due', () => {
    expect(pastDueOn(charges, OCT_22).pastDueCents).toBe(0);
    expect(pastDueOn(charges, '2026-10-23').pastDueCents).toBe(3_000);
  });

  it('nothing is past due on an account in credit', () => {
    const paid = unpaidByCharge(-500, [{ billId: 'b1', dueDate: SEP_22, amountCents: 10_000 }]);
    expect(pastDueOn(paid, DEC_2)).toEqual({ pastDueCents: 0, oldestDueDate: null, charges: [] });
  });
});

describe('disconnectState', () => {
  const notice = (on: string) => ({ event: 'final_notice', detail: { disconnectOn: on } });
  it('a final notice schedules the disconnect on its date; a later notice moves it', () => {
    expect(disconnectState([])).toEqual({ allowedOn: null, disconnected: false });
    expect(disconnectState([{ event: 'late_fee', detail: {} }, notice(DEC_2)])).toEqual({
      allowedOn: DEC_2,
      disconnected: false,
    });
    expect(disconnectState([notice(NOV_22), notice(DEC_2)]).allowedOn).toBe(DEC_2);
  });
  it('a disconnect turns service off; a reconnect turns it on and needs a new final notice', () => {
    expect(disconnectState([notice(NOV_22), { event: 'disconnect', detail: {} }])).toEqual({
      allowedOn: NOV_22,
      disconnected: true,
    });
    expect(
      disconnectState([
        notice(NOV_22),
        { event: 'disconnect', detail: {} },
        { event: 'reconnect', detail: {} },
      ]),
    ).toEqual({ allowedOn: null, disconnected: false });
  });
});
