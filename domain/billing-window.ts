// Which days a bill covers for one service agreement, and which reads open and close it. Pure.
//
// The rule, one place for every path (bill run, single bill, final bill, rebill, what-if):
// - A bill covers the days from the day after the agreement's last billed day (or its start) to the end
//   of the period, cut to the agreement's end. No day is billed twice; none is skipped.
// - The opening read is the read the last bill ended on, so consecutive bills share a read. Without an
//   earlier bill it is the last read on or before the first day; for an agreement that starts in the
//   window, that read must be taken on its start day (a move-in read), never the previous occupant's.
// - The closing read is the last read on or before the day after the period's last day (the next
//   period's opening read). When the agreement ends in the window it is the last read on or before the
//   end date itself: the final read on the stop date, never a later read taken for the next occupant.
// Days are calendar days in the utility's time zone: read times are instants, compared with local
// midnights, so a DST change never moves a read into the wrong day.
import { addDays, dayStartsAt } from './period.js';

export interface WindowInput {
  period: { start: string; end: string };
  serviceStart: string;
  serviceEnd?: string | null;
  /** the last day already billed for this agreement (the latest issued bill's period end) */
  billedThrough?: string | null;
}

export interface ServiceWindow {
  /** first and last day billed, inclusive */
  from: string;
  to: string;
  /** the opening read is the last before openBefore; for a move-in, the first on its day [openFrom, openBefore) */
  openFrom: string | null;
  openBefore: string;
  /** the closing read is the last after closeAfter (and after the opening read) and before closeBefore */
  closeAfter: string;
  closeBefore: string;
  /** the window ends at the agreement's end: its closing read is the final read */
  final: boolean;
}

const later = (a: string, b: string) => (a > b ? a : b);
const earlier = (a: string, b: string) => (a < b ? a : b);

export function serviceWindow(w: WindowInput, timeZone = 'UTC'): ServiceWindow | null {
  let from = later(w.period.start, w.serviceStart);
  if (w.billedThrough) from = later(from, addDays(w.billedThrough, 1));
  const to = w.serviceEnd ? earlier(w.period.end, w.serviceEnd) : w.period.end;
  if (to < from) return null;
  const startsHere = w.serviceStart === from && !w.billedThrough;
  const final = !!w.serviceEnd && w.serviceEnd <= w.period.end;
  const at = (d: string) => dayStartsAt(d, timeZone);
  return {
    from,
    to,
    openFrom: startsHere ? at(from) : null,
    openBefore: at(addDays(from, 1)),
    // a one-day window (a stop the day after the last bill) closes on the read taken that same day
    closeAfter: at(from === to ? from : addDays(from, 1)),
    closeBefore: at(addDays(to, final ? 1 : 2)),
    final,
  };
}

/** A read as the window rule sees it: an instant, and whether it may bill (valid quality). */
export interface WindowRead {
  id: string;
  readAt: string;
}

/**
 * The opening and closing reads for a window from a meter's reads (sorted or not), the same choice the
 * billing query makes in SQL: used by tests and by code that already holds the reads.
 */
export function pickReads<R extends WindowRead>(
  reads: R[],
  win: ServiceWindow,
  lastBilledRead?: R | null,
): { opening: R | null; closing: R | null } {
  const t = (r: R) => Date.parse(r.readAt);
  const latest = (rs: R[]) => rs.reduce<R | null>((m, r) => (!m || t(r) > t(m) ? r : m), null);
  const earliest = (rs: R[]) => rs.reduce<R | null>((m, r) => (!m || t(r) < t(m) ? r : m), null);
  const opening =
    lastBilledRead ??
    (win.openFrom === null
      ? latest(reads.filter((r) => t(r) < Date.parse(win.openBefore)))
      : earliest(
          reads.filter((r) => t(r) >= Date.parse(win.openFrom!) && t(r) < Date.parse(win.openBefore)),
        ));
  const after = Math.max(Date.parse(win.closeAfter), opening ? t(opening) + 1 : -Infinity);
  const closing = latest(reads.filter((r) => t(r) >= after && t(r) < Date.parse(win.closeBefore)));
  return { opening, closing };
}

/**
 * A final bill's period: from the day after the account's last billed day (or its earliest service
 * start) to the stop date, whatever calendar months that spans. Its key is the stop date's month.
 */
export function finalBillPeriod(a: {
  stopDate: string;
  billedThrough: string | null;
  serviceStart: string;
}): { key: string; start: string; end: string } | { refused: string } {
  const start = a.billedThrough ? addDays(a.billedThrough, 1) : a.serviceStart;
  if (a.stopDate < start)
    return {
      refused: a.billedThrough
        ? `the stop date must be after ${a.billedThrough}, the last day already billed`
        : `the stop date must be on or after the service start, ${a.serviceStart}`,
    };
  return { key: a.stopDate.slice(0, 7), start, end: a.stopDate };
}
