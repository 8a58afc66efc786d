// Latency statistics and a bounded load runner (count AND time limits; stops by itself).

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LoadResult {
  done: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  /** Successful operations per second over the whole run. */
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadOptions {
  concurrency: number;
  count: number;
  maxMs: number;
  /** One operation; throw to count it as an error. */
  task: (i: number, worker: number) => Promise<void>;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const deadline = start + o.maxMs;
  const worker = async (w: number) => {
    for (;;) {
      if (performance.now() > deadline) return;
      const i = next++;
      if (i >= o.count) return;
      const t0 = performance.now();
      try {
        await o.task(i, w);
        lat.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - start;
  lat.sort((a, b) => a - b);
  return {
    done: lat.length,
    errors,
    firstError,
    elapsedMs,
    rate: (lat.length / elapsedMs) * 1000,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
    max: lat.at(-1) ?? NaN,
  };
}

export const round = (n: number, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);
