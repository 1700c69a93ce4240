// Check digits and the stub's scan line, against hand-worked Luhn sums.
import { describe, expect, it } from 'vitest';
import { hasValidCheckDigit, luhnDigit, withCheckDigit } from '../../domain/check-digit.js';
import { readScanLine, scanLine } from '../../domain/scan-line.js';

describe('mod-10 check digits', () => {
  it('match the worked Luhn example and the first demo account number', () => {
    // 7992739871: doubled from the right 2,16→7,6,4,18→9,14→5,… sum 67, check digit 3
    expect(luhnDigit('7992739871')).toBe('3');
    expect(withCheckDigit('100000001')).toBe('1000000016');
    expect(hasValidCheckDigit('1000000016')).toBe(true);
    expect(hasValidCheckDigit('1000000061')).toBe(false); // two digits swapped
    expect(() => luhnDigit('12a4')).toThrow(/digits only/);
  });
});

describe('scan line', () => {
  it('prints the padded account, the amount due in cents and one check digit over both', () => {
    // 001000000018 0000141751: Luhn sum 31, check digit 9 (worked apart from this code)
    expect(scanLine('1000000018', 141_751)).toBe('001000000018 0000141751 9');
    expect(scanLine('1000000018', -2_500)).toBe('001000000018 0000000000 1'); // a credit: nothing to pay
    expect(scanLine('LEG-0042', 1_000)).toBeNull(); // a legacy number that is not all digits
    expect(scanLine('1234567890123', 1_000)).toBeNull();
  });
  it('reads back what it printed, with or without spaces, and refuses a misread', () => {
    expect(readScanLine('001000000018 0000141751 9')).toEqual({
      ok: true,
      accountNumber: '1000000018',
      amountDueCents: 141_751,
    });
    expect(readScanLine('00100000001800001417519')).toMatchObject({ ok: true, amountDueCents: 141_751 });
    expect(readScanLine('001000000018 0000141571 9')).toEqual({ ok: false, reason: 'check_digit' });
    expect(readScanLine('001000000018 0000141751')).toEqual({ ok: false, reason: 'format' });
    expect(readScanLine('0010000000I8 0000141751 9')).toEqual({ ok: false, reason: 'format' });
  });
});
