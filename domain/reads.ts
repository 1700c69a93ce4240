// Consumption between two register reads. Flags problems; never silently "fixes" a read.
import { type Dec, dec, decToString, mul, sub } from './decimal.js';

export interface RegisterRead {
  id: string;
  value: string; // register value as read, before the multiplier
  readAt: string; // ISO timestamp
  source: 'ami' | 'amr' | 'manual' | 'customer' | 'estimated';
  /** a bidirectional meter's received (export) register at the same read; absent on import-only meters */
  received?: string | null;
}

/** A read found wrong, and the register value it should have had (a rebill supersedes the read with it). */
export interface ReadCorrection {
  readId: string;
  value: string;
}

export interface MeterSpec {
  dialCount: number;
  multiplier: string;
}

export type Consumption =
  | { ok: true; quantity: Dec; rollover: boolean; trace: ConsumptionTrace }
  | { ok: false; reason: 'negative_consumption' | 'out_of_order'; message: string };

export interface ConsumptionTrace {
  startReadId: string;
  endReadId: string;
  startValue: string;
  endValue: string;
  multiplier: string;
  rollover: boolean;
  estimated: boolean;
  /** the parts of a period with a meter exchange */
  exchange?: { startReadId: string; endReadId: string }[];
}

/**
 * A register that passes its maximum (10^dials - 1) wraps to zero. A lower end read is taken as a rollover
 * only when the wrapped usage is under half the register's range; otherwise it is negative consumption.
 */
export function consumption(start: RegisterRead, end: RegisterRead, meter: MeterSpec): Consumption {
  if (Date.parse(end.readAt) <= Date.parse(start.readAt)) {
    return { ok: false, reason: 'out_of_order', message: `read ${end.id} is not after read ${start.id}` };
  }
  const a = dec(start.value);
  const b = dec(end.value);
  let raw = sub(b, a);
  let rollover = false;
  if (raw < 0n) {
    const range = dec(10n ** BigInt(meter.dialCount));
    const wrapped = (range + raw) as Dec;
    if (wrapped * 2n >= range) {
      return {
        ok: false,
        reason: 'negative_consumption',
        message: `register went from ${start.value} to ${end.value} on a ${meter.dialCount}-dial meter`,
      };
    }
    raw = wrapped;
    rollover = true;
  }
  return {
    ok: true,
    quantity: mul(raw, dec(meter.multiplier)),
    rollover,
    trace: {
      startReadId: start.id,
      endReadId: end.id,
      startValue: decToString(a),
      endValue: decToString(b),
      multiplier: meter.multiplier,
      rollover,
      estimated: start.source === 'estimated' || end.source === 'estimated',
    },
  };
}
