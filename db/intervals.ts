// The one read of interval data for billing: a page's meters and windows in one set-based query.
import type { MeterIntervals } from '../domain/interval-billing.js';
import type { Sql } from './client.js';

export interface IntervalWindow {
  meterId: string;
  /** instants (ISO): intervals starting at or after `from` and before `to` */
  from: string;
  to: string;
}

/**
 * Each meter's intervals in its window, both channels, in start order. One row per meter and channel with
 * the intervals as arrays (start in epoch minutes, seconds, value, quality): a month of hourly data for a
 * thousand meters is 720,000 intervals, and one row per interval would cost the client more to parse than
 * PostgreSQL takes to find them. The outer bounds let the planner skip partitions outside the page's windows.
 */
export async function intervalsForBilling(
  sql: Sql,
  windows: IntervalWindow[],
): Promise<Map<string, MeterIntervals>> {
  const out = new Map<string, MeterIntervals>();
  if (!windows.length) return out;
  const lo = windows.reduce((m, w) => (w.from < m ? w.from : m), windows[0]!.from);
  const hi = windows.reduce((m, w) => (w.to > m ? w.to : m), windows[0]!.to);
  const rows = await sql<
    {
      meterId: string;
      channel: number;
      starts: number[];
      seconds: number[];
      vals: string;
      quality: number[];
    }[]
  >`
    select w.meter_id, i.channel,
           array_agg((extract(epoch from i.start_at) / 60)::int order by i.start_at) as starts,
           array_agg(i.seconds order by i.start_at) as seconds,
           string_agg(i.value::text, ',' order by i.start_at) as vals,
           array_agg(i.quality::int order by i.start_at) as quality
    from unnest(${windows.map((w) => w.meterId)}::text[], ${windows.map((w) => w.from)}::timestamptz[],
                ${windows.map((w) => w.to)}::timestamptz[]) as w(meter_id, from_at, to_at)
    join meter_interval i on i.meter_id = w.meter_id and i.start_at >= w.from_at and i.start_at < w.to_at
    where i.start_at >= ${lo}::timestamptz and i.start_at < ${hi}::timestamptz
    group by w.meter_id, i.channel`;
  for (const r of rows) {
    const m = out.get(r.meterId) ?? { delivered: null, received: null };
    const ch = { startMinutes: r.starts, seconds: r.seconds, values: r.vals.split(','), quality: r.quality };
    if (r.channel === 0) m.delivered = ch;
    else if (r.channel === 1) m.received = ch;
    out.set(r.meterId, m);
  }
  return out;
}
