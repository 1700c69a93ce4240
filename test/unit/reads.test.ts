import { describe, expect, it } from 'vitest';
import { decToString } from '../../domain/decimal.js';
import { consumption, type RegisterRead } from '../../domain/reads.js';

const read = (id: string, value: string, readAt: string): RegisterRead => ({
  id,
  value,
  readAt,
  source: 'ami',
});

describe('consumption between reads', () => {
  it('applies the meter multiplier', () => {
    const c = consumption(
      read('a', '100', '2026-01-01T00:00:00Z'),
      read('b', '112.5', '2026-02-01T00:00:00Z'),
      { dialCount: 6, multiplier: '10' },
    );
    expect(c.ok && decToString(c.quantity)).toBe('125');
  });

  it('treats a lower read on a nearly full register as a rollover', () => {
    const c = consumption(
      read('a', '9990', '2026-01-01T00:00:00Z'),
      read('b', '15', '2026-02-01T00:00:00Z'),
      { dialCount: 4, multiplier: '1' },
    );
    expect(c).toMatchObject({ ok: true, rollover: true });
    expect(c.ok && decToString(c.quantity)).toBe('25');
  });

  it('flags a drop that is not a plausible rollover instead of guessing', () => {
    const c = consumption(
      read('a', '5000', '2026-01-01T00:00:00Z'),
      read('b', '1000', '2026-02-01T00:00:00Z'),
      { dialCount: 4, multiplier: '1' },
    );
    expect(c).toMatchObject({ ok: false, reason: 'negative_consumption' });
  });

  it('flags reads out of order', () => {
    const c = consumption(read('a', '1', '2026-02-01T00:00:00Z'), read('b', '2', '2026-01-01T00:00:00Z'), {
      dialCount: 4,
      multiplier: '1',
    });
    expect(c).toMatchObject({ ok: false, reason: 'out_of_order' });
  });
});
