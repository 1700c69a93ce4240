// Local wall-clock times (as head-end files write them) to UTC instants, in an IANA time zone. Pure.
// Rules: a local time that happens twice (the hour repeated when DST ends) is taken as its first, earlier
// occurrence; a local time that never happens (skipped when DST starts) is an error, never shifted.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Is this an IANA zone name the runtime knows? */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The zone's canonical IANA name ('america/new_york' -> 'America/New_York'), or null if it is no zone. */
export function canonicalTimeZone(tz: string): string | null {
  return isTimeZone(tz) ? formatter(tz).resolvedOptions().timeZone : null;
}

/** The zone's offset from UTC at instant t, in milliseconds (local = UTC + offset). */
export function offsetAt(tz: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(t / 1000) * 1000;
}

const cache = new Map<string, number | null>();

/** UTC epoch ms of a local wall time, or null when that local time does not exist in the zone. */
export function localToUtcMs(
  tz: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms = 0,
): number | null {
  const key = `${tz}|${y}-${mo}-${d}T${h}:${mi}`;
  let off = cache.get(key);
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (off === undefined) {
    const wallMin = Date.UTC(y, mo - 1, d, h, mi, 0);
    const candidates = [...new Set([offsetAt(tz, wallMin - 86_400_000), offsetAt(tz, wallMin + 86_400_000)])]
      .map((o) => wallMin - o)
      .filter((t) => offsetAt(tz, t) === wallMin - t)
      .sort((a, b) => a - b);
    off = candidates.length ? wallMin - candidates[0]! : null;
    if (cache.size > 500_000) cache.clear();
    cache.set(key, off);
  }
  return off === null ? null : wall - off;
}

export type ParsedTime = { ok: true; ms: number } | { ok: false; reason: string };

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const US_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;

function checkFields(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
  if (mo < 1 || mo > 12) return 'month out of range';
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return 'day out of range';
  if (h > 23 || mi > 59 || s > 59) return 'time out of range';
  return null;
}

/**
 * Parses a timestamp: ISO 8601 ("2026-11-02T06:15:00Z", "2026-11-02 06:15:00-06:00", or without an offset),
 * or US style ("11/02/2026 6:15 AM", "11/02/2026 06:15"). Without an offset it is local time in `tz`.
 * A separate time field (Neptune-style Read Date + Read Time) can be passed as `time`.
 */
export function parseTimestamp(text: string, tz: string, time?: string): ParsedTime {
  const raw = (time === undefined ? text : `${text.trim()} ${time.trim()}`).trim();
  let m = ISO_RE.exec(raw);
  let y: number;
  let mo: number;
  let d: number;
  let h: number;
  let mi: number;
  let s: number;
  let ms = 0;
  let offset: string | undefined;
  if (m) {
    [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
    offset = m[8];
  } else {
    m = US_RE.exec(raw);
    if (!m) return { ok: false, reason: `"${raw.slice(0, 40)}" is not a date and time` };
    mo = Number(m[1]);
    d = Number(m[2]);
    y = Number(m[3]);
    h = Number(m[4] ?? '0');
    mi = Number(m[5] ?? '0');
    s = Number(m[6] ?? '0');
    const ampm = m[7]?.toLowerCase();
    if (ampm) {
      if (h < 1 || h > 12) return { ok: false, reason: `"${raw.slice(0, 40)}" has an hour out of range` };
      h = (h % 12) + (ampm === 'pm' ? 12 : 0);
    }
  }
  const bad = checkFields(y, mo, d, h, mi, s);
  if (bad) return { ok: false, reason: `"${raw.slice(0, 40)}": ${bad}` };
  if (offset) {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    if (offset === 'Z') return { ok: true, ms: wall };
    const om = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
    const mins = Number(om[2]) * 60 + Number(om[3]);
    if (Number(om[2]) > 18 || Number(om[3]) > 59)
      return { ok: false, reason: `"${raw.slice(0, 40)}" has an offset out of range` };
    return { ok: true, ms: wall - (om[1] === '-' ? -1 : 1) * mins * 60_000 };
  }
  const t = localToUtcMs(tz, y, mo, d, h, mi, s, ms);
  if (t === null)
    return {
      ok: false,
      reason: `"${raw.slice(0, 40)}" does not exist in ${tz} (skipped when daylight saving time starts)`,
    };
  return { ok: true, ms: t };
}

/** The zone's offset from UTC at an instant, in seconds (local = UTC + offset). */
export function zoneOffsetSeconds(tz: string, ms: number): number {
  return offsetAt(tz, ms) / 1000;
}
