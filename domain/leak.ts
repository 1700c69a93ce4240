// Leak and continuous-use detection for water meters (the daily leak check, workflows/leak-check.ts). Two
// signals, both read from hourly interval data in gallons, within the current account's tenure only:
//
// - continuous: water ran every hour for at least `continuousHours` (24, or 48 by policy). An hour "ran"
//   when its flow is above `zeroFlowGallons`; a missing hour breaks the run (no data is no evidence). Homes
//   nearly always have hours with no use at all (night, or nobody home); a run of 24 hours means a
//   running toilet, a dripping fixture or a broken pipe, or someone using water without a break.
// - night_flow: the lowest hourly flow of last night's window (local `nightStartHour`..`nightEndHour`, 1–5 am
//   by default) is at least `nightFloorGallons` an hour and more than `nightFactor` times the median of
//   the same figure over the previous `baselineNights` nights (at least `minBaselineNights` complete ones).
//   The lowest hour, not the total: a flush, a sprinkler cycle or a late shower fills one hour, a leak
//   fills all of them. A complete night is one with data for every hour of the window (a spring-forward
//   night has 3 hours, not 4).
//
// One episode per meter and account: opened (and alerted once) when either signal is first seen, kept while
// the checks still see one, closed when a check with complete data for the episode's kind sees neither. A later signal opens a
// new episode and alerts again.

export interface LeakPolicy {
  /** how often the Temporal Schedule runs the check */
  interval: string;
  continuousHours: 24 | 48;
  zeroFlowGallons: string;
  nightStartHour: number;
  nightEndHour: number;
  nightFactor: string;
  nightFloorGallons: string;
  baselineNights: number;
  minBaselineNights: number;
  /** data older than this is no news: the meter is neither flagged nor cleared */
  maxDataLagHours: number;
  /** how far back a continuous run is traced to say since when water ran */
  runLookbackDays: number;
}

export const DEFAULT_LEAK_POLICY: LeakPolicy = {
  interval: '1 day',
  continuousHours: 24,
  zeroFlowGallons: '0',
  nightStartHour: 1,
  nightEndHour: 5,
  nightFactor: '3',
  nightFloorGallons: '1',
  baselineNights: 30,
  minBaselineNights: 14,
  maxDataLagHours: 36,
  runLookbackDays: 14,
};

export function leakPolicy(p: Partial<LeakPolicy> = {}): LeakPolicy {
  return { ...DEFAULT_LEAK_POLICY, ...p };
}

/** Gallons per unit of a water meter's register (meter.unit). */
export const GALLONS_PER_UNIT = { gal: '1', kgal: '1000', cf: '7.48052', ccf: '748.052' } as const;

export type LeakKind = 'continuous' | 'night_flow';

/** What one check found for one meter (db/leaks.ts findLeakSignals). */
export interface LeakSignal {
  continuous: { runHours: number; since: string; atLeast: boolean; lowestHourly: string } | null;
  night: { night: string; since: string; lowest: string; normal: string } | null;
  /** the check had complete data to say there was no continuous run, or no night flow */
  continuousCovered: boolean;
  nightCovered: boolean;
}

export type EpisodeStep =
  | { action: 'open'; kind: LeakKind; startedAt: string }
  | { action: 'continue' }
  | { action: 'close' }
  | { action: 'none' };

/**
 * The episode rule: what one check's signal does to the meter's open episode (`open`: its kind, if any). An
 * episode closes only on the evidence of its own kind: a night-flow leak may leave daytime hours at zero.
 */
export function episodeStep(signal: LeakSignal, open: LeakKind | null): EpisodeStep {
  if (signal.continuous || signal.night) {
    if (open) return { action: 'continue' };
    return signal.continuous
      ? { action: 'open', kind: 'continuous', startedAt: signal.continuous.since }
      : { action: 'open', kind: 'night_flow', startedAt: signal.night!.since };
  }
  if (open === 'continuous' && signal.continuousCovered) return { action: 'close' };
  if (open === 'night_flow' && signal.nightCovered) return { action: 'close' };
  return { action: 'none' };
}

/** The figures an episode keeps and its alert shows (strings: exact decimals, in gallons). */
export interface LeakEvidence {
  unit: 'gal';
  /** hours water ran without a dry hour (continuous) */
  hours: number | null;
  /** the run began before the hours the check looked at */
  atLeast: boolean;
  lowestHourly: string | null;
  /** the night checked (local date), its lowest hour, and the meter's usual lowest night hour */
  night: string | null;
  nightLowest: string | null;
  nightNormal: string | null;
}

export function leakEvidence(s: LeakSignal): LeakEvidence {
  return {
    unit: 'gal',
    hours: s.continuous?.runHours ?? null,
    atLeast: s.continuous?.atLeast ?? false,
    lowestHourly: s.continuous?.lowestHourly ?? null,
    night: s.night?.night ?? null,
    nightLowest: s.night?.lowest ?? null,
    nightNormal: s.night?.normal ?? null,
  };
}
