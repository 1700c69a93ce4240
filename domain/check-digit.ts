// Mod-10 (Luhn) check digits: on account numbers, so a number mistyped on a call is caught, and on the bill
// stub's scan line, so a lockbox operator's or reader's misread is caught before a payment is applied.

/** The Luhn check digit of a string of digits (doubling every second digit from the right). */
export function luhnDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new Error(`a check digit needs digits only, got "${digits}"`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** The digits followed by their check digit. */
export const withCheckDigit = (digits: string) => digits + luhnDigit(digits);

/** True when the last digit is the Luhn check digit of the others. */
export const hasValidCheckDigit = (s: string) =>
  /^\d{2,}$/.test(s) && luhnDigit(s.slice(0, -1)) === s.slice(-1);
