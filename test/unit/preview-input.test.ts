// A rate preview refuses a malformed tariff with the field named (found by the API fuzz test as a 500).
import { describe, expect, it } from 'vitest';
import { PreviewError, previewBill } from '../../domain/preview.js';

describe('previewBill input', () => {
  it('a native tariff sent as text that is not JSON is a PreviewError on tariff', () => {
    const run = () => previewBill({ tariff: 'fuzz', format: 'native' } as never, {} as never);
    expect(run).toThrow(PreviewError);
    expect(run).toThrow(/native tariff sent as text must be JSON/);
    try {
      run();
    } catch (e) {
      expect((e as PreviewError).param).toBe('tariff');
    }
  });
});
