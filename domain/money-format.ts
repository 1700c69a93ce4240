// Money shown to people: integer cents formatted without ever dividing a float (whole dollars and cents are
// split with BigInt; only the grouping and currency sign come from Intl), and amounts typed by a customer.
// One module for the server (bills, PDFs, messages) and the portal, so they print a balance alike.
const formatters = new Map<string, Intl.NumberFormat>();
function dollars(locale: string) {
  let f = formatters.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      minimumFractionDigits: 0,
      maximumFractionDigits: 0,
    });
    formatters.set(locale, f);
  }
  return f;
}

/** 123405 -> "$1,234.05" (en-US) or "1234,05 US$"-style per locale; exact for any integer. */
export function formatCents(cents: number | bigint, locale = 'en-US'): string {
  const c = BigInt(cents);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  const parts = dollars(locale).formatToParts(whole);
  const decimal =
    new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  let out = '';
  for (const p of parts) {
    out += p.value;
    if (p.type === 'integer' && parts.filter((x) => x.type === 'integer').at(-1) === p) out += decimal + frac;
  }
  return neg ? `-${out}` : out;
}

/** "12.3" / "12,30" / "$1,234.05" typed by a customer -> 1230 / 123405 cents; null when it is not an amount. */
export function parseDollars(input: string): number | null {
  const s = input.replace(/[$\s\u00a0US]/g, '');
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(s.replace(/,(?=\d{3}(\D|$))/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
