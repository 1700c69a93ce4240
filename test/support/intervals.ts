// Interval data for tests: bulk insert of hourly rows, and a seeded generator of homes' hourly water use
// with realistic dry hours (nights, workdays), some homes with irrigation cycles at night, and planted
// leaks of two kinds: continuous (a steady flow every hour since a known hour) and night flow (a steady
// flow through the small hours of the last nights only, the days still having dry hours).
import type { Sql } from '../../db/client.js';
import { ensureIntervalPartitions } from '../../db/interval-partitions.js';
import { monthOf } from '../../domain/intervals/partitions.js';

export interface IntervalRow {
  meterId: string;
  startAt: string;
  seconds: number;
  value: string;
}

/** Inserts interval rows in chunks, one statement each (channel 0, delivered), into their months' partitions. */
export async function insertIntervals(sql: Sql, rows: IntervalRow[]) {
  await ensureIntervalPartitions(sql, [...new Set(rows.map((r) => monthOf(r.startAt)))]);
  for (let i = 0; i < rows.length; i += 20_000) {
    const c = rows.slice(i, i + 20_000);
    await sql`
      insert into meter_interval (meter_id, start_at, seconds, value)
      select * from unnest(${c.map((r) => r.meterId)}::text[], ${c.map((r) => r.startAt)}::timestamptz[],
                           ${c.map((r) => r.seconds)}::int[], ${c.map((r) => r.value)}::numeric[])`;
  }
}

/** Hourly rows for one meter from `fromIso` (an hour boundary), `hours` long, value by hour index. */
export function hourlyRows(
  meterId: string,
  fromIso: string,
  hours: number,
  value: (i: number, startAt: string) => string,
): IntervalRow[] {
  const t0 = Date.parse(fromIso);
  return Array.from({ length: hours }, (_, i) => {
    const startAt = new Date(t0 + i * 3_600_000).toISOString();
    return { meterId, startAt, seconds: 3600, value: value(i, startAt) };
  });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same homes on every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type HomeKind = 'normal' | 'irrigation' | 'continuous' | 'night';

export interface GeneratedHome {
  kind: HomeKind;
  /** leaks: the first leaking hour (index into the hours) and the steady flow, gal an hour */
  leak?: { fromHour: number; gallonsPerHour: number };
  /** gallons per hour, one decimal, oldest first */
  gallons: string[];
}

const localHour = (ms: number, timeZone: string) =>
  Number(
    new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .find((p) => p.type === 'hour')!.value,
  ) % 24;

/**
 * `homes` homes' hourly use over the `hours` hours from `fromIso`. The first `continuous` homes get a steady
 * leak over the last `continuousLeakHours` (different per home: 31 + i hours), the next `night` homes a
 * night-only leak (0–6 am local) over the last `nightLeakNights` nights; a tenth of the rest water the
 * garden at 4 am every third day (one wet night hour, not a leak).
 */
export function generateHomes(o: {
  homes: number;
  fromIso: string;
  hours: number;
  timeZone: string;
  seed: number;
  continuous: number;
  night: number;
  nightLeakNights?: number;
}): GeneratedHome[] {
  const rnd = prng(o.seed);
  const t0 = Date.parse(o.fromIso);
  const hourOf = Array.from({ length: o.hours }, (_, i) => localHour(t0 + i * 3_600_000, o.timeZone));
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  return Array.from({ length: o.homes }, (_, n) => {
    const kind: HomeKind =
      n < o.continuous
        ? 'continuous'
        : n < o.continuous + o.night
          ? 'night'
          : n % 10 === 3
            ? 'irrigation'
            : 'normal';
    const leak =
      kind === 'continuous'
        ? { fromHour: o.hours - (31 + n), gallonsPerHour: Math.round(between(0.6, 4) * 10) / 10 }
        : kind === 'night'
          ? {
              fromHour: o.hours - 24 * (o.nightLeakNights ?? 2) - 12,
              gallonsPerHour: Math.round(between(3, 8) * 10) / 10,
            }
          : undefined;
    const gallons = hourOf.map((h, i) => {
      let g = 0;
      if (h < 6)
        g = rnd() < 0.04 ? 1.6 : 0; // a night-time flush now and then
      else if (h < 9) g = rnd() < 0.9 ? between(8, 40) : 0;
      else if (h < 17) g = rnd() < 0.35 ? between(1, 10) : 0;
      else if (h < 22) g = rnd() < 0.8 ? between(3, 25) : 0;
      else g = rnd() < 0.3 ? between(1, 5) : 0;
      if (kind === 'irrigation' && h === 4 && Math.floor(i / 24) % 3 === 0) g += 80;
      if (leak && i >= leak.fromHour && (kind === 'continuous' || h < 6)) g += leak.gallonsPerHour;
      return (Math.round(g * 10) / 10).toFixed(1);
    });
    return { kind, ...(leak ? { leak } : {}), gallons };
  });
}
