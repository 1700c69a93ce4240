// Exact decimal arithmetic for rating: values are bigint counts of 10^-SCALE units.
// Binary floats never touch money or usage in cisflow.

export const SCALE = 9n;
export const ONE = 10n ** SCALE;

/** A decimal fixed at 9 fractional digits (nano-units): enough for $/kWh prices and meter multipliers. */
export type Dec = bigint & { readonly __dec: unique symbol };

const DEC_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

export function dec(value: string | number | bigint): Dec {
  if (typeof value === 'bigint') return (value * ONE) as Dec;
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new TypeError(`dec(): pass fractional values as strings, not ${value}`);
    return (BigInt(value) * ONE) as Dec;
  }
  const m = DEC_RE.exec(value.trim());
  if (!m) throw new TypeError(`not a decimal number: "${value}"`);
  const frac = m[3] ?? '';
  if (frac.length > Number(SCALE) && /[1-9]/.test(frac.slice(Number(SCALE)))) {
    throw new RangeError(`"${value}" has more than ${SCALE} significant fractional digits`);
  }
  const units = BigInt(m[2]!) * ONE + BigInt(frac.slice(0, Number(SCALE)).padEnd(Number(SCALE), '0'));
  return (m[1] === '-' ? -units : units) as Dec;
}

export const ZERO = 0n as Dec;

const constants = new Map<string, Dec>();
/** dec() for values that repeat (tariff prices, tier starts): parsed once, then looked up. */
export function decConst(value: string): Dec {
  let d = constants.get(value);
  if (d === undefined) {
    if (constants.size > 10_000) constants.clear();
    d = dec(value);
    constants.set(value, d);
  }
  return d;
}

export const add = (a: Dec, b: Dec) => (a + b) as Dec;
export const sub = (a: Dec, b: Dec) => (a - b) as Dec;
export const neg = (a: Dec) => -a as Dec;
export const min = (a: Dec, b: Dec) => (a < b ? a : b);
export const max = (a: Dec, b: Dec) => (a > b ? a : b);

/** Divides and rounds half away from zero ("half-up" on magnitudes, as money is usually rounded). */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return neg ? -q : q;
}

/** Divides and rounds half to even (R's and IEEE's round()), used where a reference calculator does. */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  const r2 = (an % ad) * 2n;
  if (r2 > ad || (r2 === ad && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** Product at full precision, rounded half-up back to 9 digits. */
export function mul(a: Dec, b: Dec): Dec {
  return divRoundHalfUp(a * b, ONE) as Dec;
}

export function div(a: Dec, b: Dec): Dec {
  return divRoundHalfUp(a * ONE, b) as Dec;
}

/**
 * The cents rule: a line's amount is rounded half-up (away from zero) to the cent, once, at the line.
 * Totals are sums of already-rounded lines, so a bill always adds up on paper.
 */
export function toCents(a: Dec): number {
  const cents = divRoundHalfUp(a, ONE / 100n);
  return Number(cents);
}

/** Exact product of two decimals rounded to cents in one step (no intermediate rounding). */
export function mulToCents(a: Dec, b: Dec): number {
  return Number(divRoundHalfUp(a * b, ONE * (ONE / 100n)));
}

export function fromCents(cents: number): Dec {
  return (BigInt(cents) * (ONE / 100n)) as Dec;
}

export function decToString(a: Dec): string {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const int = abs / ONE;
  const frac = (abs % ONE).toString().padStart(Number(SCALE), '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Cents as a plain decimal string ("1234.05"), for files and JSON: no float division involved. */
export function centsToDecimal(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export { formatCents } from './money-format.js';
