// Quantities shown to people (usage, averages, line quantities): exact decimal strings, never floats.
// Stored quantities carry nine fractional digits ("7.140000000"); people read "7.14". One module for the
// server (bill PDF) and the portal, as money-format.ts is for money.
import { type Dec, dec, divRoundHalfUp } from './decimal.js';

const DEC_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;
const grouping = new Map<string, { group: Intl.NumberFormat; decimal: string }>();
function localeParts(locale: string) {
  let g = grouping.get(locale);
  if (!g) {
    const decimal =
      new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    g = { group: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }), decimal };
    grouping.set(locale, g);
  }
  return g;
}

/** "7.140000000" -> "7.14", "1234.5" -> "1,234.5", "1.000000000" -> "1"; exact (the digits are kept, not rounded). */
export function formatQuantity(q: string, locale = 'en-US'): string {
  const m = DEC_RE.exec(q.trim());
  if (!m) return q; // "16/31" and other shapes a line may keep are shown as they are
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const { group, decimal } = localeParts(locale);
  const whole = group.format(BigInt(m[2]!));
  const zero = whole === '0' && !frac;
  return `${m[1] === '-' && !zero ? '-' : ''}${whole}${frac ? decimal + frac : ''}`;
}

/**
 * A line's quantity as its calculation prints it: exact ("7.14", "1,234.567") up to `exact` fractional digits;
 * a computed share with more (a winter average of 3.116666667 ccf) rounded half-up to `places` and marked
 * "~", so the reader knows it is not the whole figure the amount was priced on ("~", not "≈": the PDF's
 * standard fonts have no "≈").
 */
export function formatLineQuantity(q: string, locale = 'en-US', exact = 3, places = 2): string {
  const m = DEC_RE.exec(q.trim());
  if (!m || (m[3] ?? '').replace(/0+$/, '').length <= exact) return formatQuantity(q, locale);
  const shown = formatQuantity(rounded(divRoundHalfUp(dec(q), 10n ** BigInt(9 - places)), places), locale);
  return `~${shown}`;
}

/** A unit price: exact, with at least the cents shown ("18.400000000" -> "18.40", "0.123400" -> "0.1234"). */
export function formatPrice(q: string, locale = 'en-US'): string {
  const shown = formatQuantity(q, locale);
  if (!DEC_RE.test(q.trim())) return shown;
  const { decimal } = localeParts(locale);
  const [whole, frac = ''] = shown.split(decimal);
  return `${whole}${decimal}${frac.padEnd(2, '0')}`;
}

/** `places` fractional digits, half-up: the one rounding a shown average gets. */
function rounded(units: bigint, places: number): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const s = abs.toString().padStart(places + 1, '0');
  const text = places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return `${neg ? '-' : ''}${text}`;
}

/** Usage per day over `days` days, rounded half-up to two places: "7.14" over 31 days -> "0.23". */
export function perDay(usage: string, days: number, places = 2): string {
  if (!Number.isInteger(days) || days <= 0)
    throw new RangeError(`perDay(): days must be positive, not ${days}`);
  return rounded(divRoundHalfUp(dec(usage), BigInt(days) * 10n ** BigInt(9 - places)), places);
}

/**
 * This period's usage against the same period a year before, as a whole percentage (half-up, away from zero):
 * 7.14 against 6.80 is +5. Null when there is nothing to divide by (last year was zero).
 */
export function changePercent(current: string, lastYear: string): number | null {
  const last: Dec = dec(lastYear);
  if (last === 0n) return null;
  return Number(divRoundHalfUp((dec(current) - last) * 100n, last));
}
