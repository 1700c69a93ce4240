// Dates and billing periods as a bill prints them, in English or Spanish. Spelled-out month names never
// leave a reader guessing which number is the month; the names are fixed here rather than taken from Intl,
// whose Spanish abbreviations differ between ICU versions ("sept" / "sep."), so a stored PDF is reproducible.
export type BillLanguage = 'en' | 'es';

const MONTHS: Record<BillLanguage, string[]> = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  es: ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'],
};

const parts = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return { y, mon: m - 1, d };
};

/** "2026-11-04" -> "Nov 4, 2026" / "4 nov 2026" */
export function formatDay(iso: string, lang: BillLanguage = 'en'): string {
  const { y, mon, d } = parts(iso);
  return lang === 'es' ? `${d} ${MONTHS.es[mon]} ${y}` : `${MONTHS.en[mon]} ${d}, ${y}`;
}

/**
 * A billing period, both ends inclusive: "Oct 1 – Oct 31, 2026" / "1 oct – 31 oct 2026"; the year is
 * written once when both ends share it, at each end when the period crosses a new year.
 */
export function formatPeriod(start: string, end: string, lang: BillLanguage = 'en'): string {
  const a = parts(start);
  const b = parts(end);
  if (a.y !== b.y) return `${formatDay(start, lang)} – ${formatDay(end, lang)}`;
  return lang === 'es'
    ? `${a.d} ${MONTHS.es[a.mon]} – ${b.d} ${MONTHS.es[b.mon]} ${b.y}`
    : `${MONTHS.en[a.mon]} ${a.d} – ${MONTHS.en[b.mon]} ${b.d}, ${b.y}`;
}

/** A chart's month: "2026-10" -> "Oct 26" / "oct 26" */
export function formatMonthShort(period: string, lang: BillLanguage = 'en'): string {
  return `${MONTHS[lang][Number(period.slice(5, 7)) - 1]} ${period.slice(2, 4)}`;
}

/**
 * An instant as the utility's clock on the wall shows it: "Dec 1, 2026, 10:05 AM PST" / "1 dic 2026, 10:05 PST".
 * The local parts come from Intl (numbers only, which do not vary between ICU versions); the month names are
 * this file's.
 */
export function formatLocalDateTime(
  instant: Date | string,
  timeZone: string,
  lang: BillLanguage = 'en',
): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const day = formatDay(
    `${parts.year}-${parts.month!.padStart(2, '0')}-${parts.day!.padStart(2, '0')}`,
    lang,
  );
  const h = Number(parts.hour) % 24;
  const zone = parts.timeZoneName ?? timeZone;
  if (lang === 'es') return `${day}, ${String(h).padStart(2, '0')}:${parts.minute} ${zone}`;
  return `${day}, ${h % 12 || 12}:${parts.minute} ${h < 12 ? 'AM' : 'PM'} ${zone}`;
}
