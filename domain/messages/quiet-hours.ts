// SMS quiet hours (pure): a non-urgent text that would arrive in the quiet window waits until it ends.

export interface QuietHours {
  /** local time the quiet window starts, "HH:MM" or "HH:MM:SS" (e.g. "21:00") */
  start: string;
  /** local time it ends (e.g. "08:00"); a window may run past midnight */
  end: string;
  /** the utility's IANA time zone, e.g. "America/Los_Angeles" */
  timeZone: string;
}

const seconds = (hhmm: string) => {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59)
    throw new Error(`quiet hours: "${hhmm}" is not HH:MM[:SS]`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
};

/** Seconds since local midnight at `now` in the time zone. */
export function localSecondOfDay(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}

/**
 * How long (ms) a non-urgent SMS queued at `now` must wait: 0 outside the window, else until it ends.
 * Wall-clock arithmetic: on a daylight-saving change night the wait may be an hour off, which is acceptable
 * for "not before 8 am".
 */
export function quietDelayMs(now: Date, q: QuietHours): number {
  const start = seconds(q.start);
  const end = seconds(q.end);
  if (start === end) return 0;
  const cur = localSecondOfDay(now, q.timeZone);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return 0;
  const wait = (end - cur + 86_400) % 86_400;
  return wait * 1000 - now.getUTCMilliseconds();
}
