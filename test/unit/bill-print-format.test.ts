// What a bill prints for quantities, averages, the change against last year and the billing period.
import { describe, expect, it } from 'vitest';
import { formatDay, formatMonthShort, formatPeriod } from '../../domain/date-format.js';
import {
  changePercent,
  formatLineQuantity,
  formatPrice,
  formatQuantity,
  perDay,
} from '../../domain/quantity-format.js';

describe('quantities', () => {
  it('drops the stored trailing zeros and groups thousands, keeping every digit', () => {
    expect(formatQuantity('7.140000000')).toBe('7.14');
    expect(formatQuantity('1.000000000')).toBe('1');
    expect(formatQuantity('0.000000000')).toBe('0');
    expect(formatQuantity('-0.000')).toBe('0');
    expect(formatQuantity('12345.678900000')).toBe('12,345.6789');
    expect(formatQuantity('-250.5')).toBe('-250.5');
    expect(formatQuantity('1000', 'es-US')).toBe('1,000');
    expect(formatQuantity('16/31')).toBe('16/31');
  });

  it("prints a line's quantity exactly up to three places, a longer computed share rounded and marked", () => {
    expect(formatLineQuantity('7.140000000')).toBe('7.14');
    expect(formatLineQuantity('1.000000000')).toBe('1');
    expect(formatLineQuantity('812.345000000')).toBe('812.345');
    expect(formatLineQuantity('1234.5')).toBe('1,234.5');
    // a winter average: 3.116666667 ccf -> ~3.12; half-up to the hundredth: 0.1254 -> 0.13, 0.1249 -> 0.12
    expect(formatLineQuantity('3.116666667')).toBe('~3.12');
    expect(formatLineQuantity('0.1254')).toBe('~0.13');
    expect(formatLineQuantity('0.1249')).toBe('~0.12');
    expect(formatLineQuantity('2.0001')).toBe('~2');
    expect(formatLineQuantity('16/31')).toBe('16/31');
  });

  it('averages per day half-up to the hundredth', () => {
    // 7.14 / 31 = 0.2303… ; 650 / 31 = 20.967… ; 0.155 / 1 is exactly half: up
    expect(perDay('7.140000000', 31)).toBe('0.23');
    expect(perDay('650', 31)).toBe('20.97');
    expect(perDay('0.155', 1)).toBe('0.16');
    expect(perDay('0', 30)).toBe('0.00');
    expect(() => perDay('1', 0)).toThrow(RangeError);
  });

  it('compares with last year as a whole percentage', () => {
    // (7.14 - 6.80) / 6.80 = 5%; (5 - 8) / 8 = -37.5% -> -38 (half away from zero); 10 / 0 has none
    expect(changePercent('7.14', '6.80')).toBe(5);
    expect(changePercent('5', '8')).toBe(-38);
    expect(changePercent('8', '8.000000000')).toBe(0);
    expect(changePercent('10', '0')).toBeNull();
  });
});

describe('dates', () => {
  it('labels a period with month names, the year once unless the period crosses it', () => {
    expect(formatPeriod('2026-10-01', '2026-10-31')).toBe('Oct 1 – Oct 31, 2026');
    expect(formatPeriod('2026-10-01', '2026-10-31', 'es')).toBe('1 oct – 31 oct 2026');
    expect(formatPeriod('2025-12-15', '2026-01-14')).toBe('Dec 15, 2025 – Jan 14, 2026');
    expect(formatPeriod('2025-12-15', '2026-01-14', 'es')).toBe('15 dic 2025 – 14 ene 2026');
    expect(formatDay('2026-11-04')).toBe('Nov 4, 2026');
    expect(formatDay('2026-08-04', 'es')).toBe('4 ago 2026');
    expect(formatMonthShort('2025-09', 'es')).toBe('sep 25');
  });
});

describe('formatPrice', () => {
  it('shows a unit price exactly, with at least its cents', () => {
    expect(formatPrice('18.400000000')).toBe('18.40');
    expect(formatPrice('3.62')).toBe('3.62');
    expect(formatPrice('0.123400')).toBe('0.1234');
    expect(formatPrice('24')).toBe('24.00');
    expect(formatPrice('1234.5', 'es-US')).toMatch(/^1.234,50$|^1,234.50$/);
  });
});
