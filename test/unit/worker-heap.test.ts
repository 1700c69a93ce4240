import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_HEAP_MB, workerHeapFlag, workerHeapMb } from '../../workers/heap.js';

describe("the worker's heap ceiling", () => {
  it('defaults to 768 MB and takes WORKER_HEAP_MB when it is a usable size', () => {
    expect(workerHeapMb({})).toBe(DEFAULT_WORKER_HEAP_MB);
    expect(workerHeapFlag({})).toBe('--max-old-space-size=768');
    expect(workerHeapFlag({ WORKER_HEAP_MB: ' 2048 ' })).toBe('--max-old-space-size=2048');
  });
  it('refuses a size that is not a whole number of megabytes, or too small for a bill-run page', () => {
    for (const bad of ['abc', '512.5', '128', '-1'])
      expect(() => workerHeapMb({ WORKER_HEAP_MB: bad })).toThrow(/WORKER_HEAP_MB/);
  });
});
