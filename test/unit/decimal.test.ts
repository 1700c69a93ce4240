import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dec,
  decToString,
  divRoundHalfUp,
  formatCents,
  mul,
  mulToCents,
  toCents,
} from '../../domain/decimal.js';

describe('exact decimals', () => {
  it('parses and prints without binary-float drift', () => {
    expect(decToString((dec('0.1') + dec('0.2')) as never)).toBe('0.3');
    expect(decToString(mul(dec('1.005'), dec('1000')))).toBe('1005');
    expect(decToString(dec('-12.50'))).toBe('-12.5');
    expect(() => dec('1e3')).toThrow(/not a decimal/);
    expect(() => dec('0.0000000001')).toThrow(/fractional digits/);
    expect(() => dec(0.1)).toThrow(/as strings/);
  });

  it('rounds half-up (away from zero) to the cent, once per line', () => {
    expect(toCents(dec('2.345'))).toBe(235);
    expect(toCents(dec('2.344999'))).toBe(234);
    expect(toCents(dec('-2.345'))).toBe(-235);
    expect(mulToCents(dec('13.37'), dec('4.07'))).toBe(5442); // 54.4159
    expect(mulToCents(dec('0.5'), dec('0.01'))).toBe(1); // 0.005 -> 0.01
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(formatCents(-123456)).toBe('-$1,234.56');
  });

  it('multiplies exactly: qty x price in cents never differs from integer arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (qtyMilli, priceMicro) => {
          const exact = BigInt(qtyMilli) * BigInt(priceMicro); // in 1e-9 dollars
          const expected = Number((exact * 2n + 10_000_000n) / 20_000_000n); // half-up to cents
          const got = mulToCents(
            dec(`${Math.floor(qtyMilli / 1000)}.${String(qtyMilli % 1000).padStart(3, '0')}`),
            dec(`${Math.floor(priceMicro / 1e6)}.${String(priceMicro % 1e6).padStart(6, '0')}`),
          );
          return got === expected;
        },
      ),
    );
  });
});
