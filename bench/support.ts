// What the benchmarks share in running and reporting: main with its clean-ups, and quantiles of timings.

/** Clean-ups a benchmark registers as it goes; they run last first when it ends, however it ends. */
export type Stops = (() => Promise<unknown>)[];

/**
 * Runs a benchmark's main: an error is printed and fails the process, then the stops run. `exit` then ends
 * the process, for a benchmark whose handles (a child process's pipes, sockets) would otherwise keep it alive.
 */
export function runBench(main: (stops: Stops) => Promise<void>, o: { exit?: boolean } = {}) {
  const stops: Stops = [];
  main(stops)
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      for (const s of stops.reverse()) await s().catch(() => {});
      if (o.exit) process.exit();
    });
}

/** The p-quantile of the values: the one at floor(p × n) in ascending order, so p = 0.5 is the median. */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
