/**
 * Percentiles of a Prometheus histogram as a service exposes it on /metrics, summed over its series
 * (e.g. `healthstream_record_latency_seconds`): what the aggregator's record latency is read from,
 * since its outputs are windows, not one record per input.
 */
import type { Percentiles } from './stats.ts'

/** Cumulative counts by upper bound (seconds), +Inf last; empty when the histogram is absent. */
export function histogramBuckets(metricsText: string, name: string): [number, number][] {
  const byBound = new Map<number, number>()
  const line = new RegExp(`^${name}_bucket\\{([^}]*)\\} ([\\d.e+-]+)$`, 'gm')
  for (const m of metricsText.matchAll(line)) {
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1]
    if (le === undefined) continue
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)
    byBound.set(bound, (byBound.get(bound) ?? 0) + Number(m[2]))
  }
  return [...byBound].sort((a, b) => a[0] - b[0])
}

/** What a cumulative histogram counted after `earlier` was read (bounds as in `later`). */
export function histogramSince(
  later: readonly [number, number][],
  earlier: readonly [number, number][],
): [number, number][] {
  const before = new Map(earlier)
  return later.map(([bound, count]) => [bound, count - (before.get(bound) ?? 0)])
}

/**
 * Percentiles in ms, interpolated linearly inside a bucket as Prometheus' `histogram_quantile` does;
 * a quantile in the +Inf bucket is the largest finite bound, and so is `max` when anything lies there
 * (else the bound of the highest bucket with observations). Undefined without observations.
 */
export function histogramPercentiles(buckets: readonly [number, number][]): Percentiles | undefined {
  const total = buckets.at(-1)?.[1] ?? 0
  if (total <= 0) return undefined
  const finite = buckets.filter(([bound]) => Number.isFinite(bound))
  const largest = finite.at(-1)?.[0] ?? 0
  const quantile = (q: number): number => {
    const rank = q * total
    let lower = 0
    let below = 0
    for (const [bound, cumulative] of buckets) {
      if (cumulative >= rank) {
        if (!Number.isFinite(bound)) return largest * 1000
        const inBucket = cumulative - below
        const share = inBucket > 0 ? (rank - below) / inBucket : 1
        return (lower + (bound - lower) * share) * 1000
      }
      lower = bound
      below = cumulative
    }
    return largest * 1000
  }
  const highest = buckets.find(([, cumulative]) => cumulative >= total)?.[0] ?? largest
  return {
    count: total,
    p50: quantile(0.5),
    p90: quantile(0.9),
    p99: quantile(0.99),
    max: (Number.isFinite(highest) ? highest : largest) * 1000,
  }
}
