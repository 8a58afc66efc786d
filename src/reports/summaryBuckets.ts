// The fixed log-scale buckets of the summary's close-time histogram (migration
// 20261212000100-create-ticket-summary.ts writes the same edges in SQL). Bucket 0 holds
// [0, 0.25 h); bucket i ≥ 1 holds [0.25·1.3^(i-1), 0.25·1.3^i) hours; the last one is open-ended
// (from ≈ 5,400 h, about 7 months). An estimate from the histogram therefore lies within the
// bucket that holds the exact value: within 30 % of it (docs/reports-api.md).
export const HIST_BUCKETS = 40;
export const HIST_BASE_HOURS = 0.25;
export const HIST_RATIO = 1.3;
export const HIST_COLUMNS = Array.from({ length: HIST_BUCKETS }, (_, i) => `h${i}`);

/** [lower, upper) hours of bucket i (the last bucket's upper edge is taken as lower·ratio). */
export function bucketEdges(i: number): [number, number] {
  if (i === 0) return [0, HIST_BASE_HOURS];
  const lo = HIST_BASE_HOURS * HIST_RATIO ** (i - 1);
  return [lo, lo * HIST_RATIO];
}

export function bucketOf(hours: number): number {
  if (!(hours >= HIST_BASE_HOURS)) return 0;
  return Math.min(HIST_BUCKETS - 1, 1 + Math.floor(Math.log(hours / HIST_BASE_HOURS) / Math.log(HIST_RATIO)));
}

/**
 * The p-quantile (0..1) of a histogram, in the manner of percentile_cont: the position
 * p·(n−1) among the sorted values, placed inside its bucket by its rank within the bucket
 * (geometric interpolation in the log-scale buckets, linear in bucket 0). null when empty.
 */
export function histQuantile(counts: number[], p: number): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n <= 0) return null;
  const pos = p * (n - 1);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const k = counts[i]!;
    if (k <= 0) continue;
    if (pos < seen + k) {
      const frac = (pos - seen + 0.5) / k;
      const [lo, hi] = bucketEdges(i);
      return i === 0 ? lo + (hi - lo) * frac : lo * (hi / lo) ** frac;
    }
    seen += k;
  }
  const [lo] = bucketEdges(counts.length - 1);
  return lo;
}
