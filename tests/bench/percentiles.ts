/** Timing helpers shared by the benchmarks. */
import { performance } from 'node:perf_hooks';

/** The p-th percentile (0–100) of ascending samples; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs fn five times to warm up, then times it `iterations` times; p50 and p99 in milliseconds. */
export function measure(fn: () => void, iterations: number): { p50: number; p99: number } {
  for (let i = 0; i < 5; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}
