// The scan line on a bill's remittance stub, read by a lockbox's OCR or a hand scanner:
//   AAAAAAAAAAAA DDDDDDDDDD C
// the account number (12 digits, zero-padded), the amount due in cents (10 digits; a credit prints zero) and a
// mod-10 check digit over both. Only all-digit account numbers up to 12 digits fit; others get no scan line.
import { hasValidCheckDigit, luhnDigit } from './check-digit.js';

const ACCOUNT_DIGITS = 12;
const AMOUNT_DIGITS = 10;

export function scanLine(accountNumber: string, amountDueCents: number): string | null {
  if (!/^\d+$/.test(accountNumber) || accountNumber.length > ACCOUNT_DIGITS) return null;
  if (!Number.isSafeInteger(amountDueCents))
    throw new Error(`amount due must be whole cents: ${amountDueCents}`);
  const account = accountNumber.padStart(ACCOUNT_DIGITS, '0');
  const amount = String(Math.max(0, amountDueCents)).padStart(AMOUNT_DIGITS, '0');
  if (amount.length > AMOUNT_DIGITS)
    throw new Error(`amount due too large for a scan line: ${amountDueCents}`);
  return `${account} ${amount} ${luhnDigit(account + amount)}`;
}

export type ScanLineRead =
  | { ok: true; accountNumber: string; amountDueCents: number }
  | { ok: false; reason: 'format' | 'check_digit' };

/**
 * A scan line as read back (spaces optional): its account number (leading zeros dropped, as printed on the
 * bill) and amount due, or why it cannot be trusted.
 */
export function readScanLine(line: string): ScanLineRead {
  const digits = line.replace(/\s+/g, '');
  if (!/^\d+$/.test(digits) || digits.length !== ACCOUNT_DIGITS + AMOUNT_DIGITS + 1)
    return { ok: false, reason: 'format' };
  if (!hasValidCheckDigit(digits)) return { ok: false, reason: 'check_digit' };
  return {
    ok: true,
    accountNumber: digits.slice(0, ACCOUNT_DIGITS).replace(/^0+(?=\d)/, ''),
    amountDueCents: Number(digits.slice(ACCOUNT_DIGITS, ACCOUNT_DIGITS + AMOUNT_DIGITS)),
  };
}
