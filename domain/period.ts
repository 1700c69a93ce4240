// Billing periods are calendar months keyed "YYYY-MM"; dates are ISO (UTC) strings.

export interface Period {
  key: string;
  start: string; // first day, inclusive
  end: string; // last day, inclusive
}

export function monthlyPeriod(key: string): Period {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (!m) throw new RangeError(`period must look like 2026-10 (got "${key}")`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { key, start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
