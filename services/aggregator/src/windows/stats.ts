// Window statistics as `init / add / merge / result`. Mean and M2 (sum of squared deviations) follow
// Welford (add) and Chan et al. (merge), which stay accurate where the textbook Σx² − (Σx)²/n cancels
// catastrophically. All functions are pure and return new objects.
import type { Micros } from '@healthstream/shared/domain'

/** A value at an event time; `id` (the sample id) breaks ties between equal times. */
export interface TimedValue {
  readonly time: Micros
  readonly value: number
  readonly id: string
}

/** Running statistics of a window (what is stored); `count` 0 is the empty state of `initStats`. */
export interface Stats {
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
  readonly mean: number
  readonly m2: number
  readonly first: TimedValue | null
  readonly last: TimedValue | null
}

/** What a window reports. */
export interface StatsResult {
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
  readonly mean: number
  readonly m2: number
  readonly stddevPop: number
  /** Null below two values, where the sample standard deviation is undefined. */
  readonly stddevSample: number | null
  readonly first: TimedValue
  readonly last: TimedValue
}

const EMPTY: Stats = Object.freeze({
  count: 0,
  sum: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
  mean: 0,
  m2: 0,
  first: null,
  last: null,
})

/** The identity of `mergeStats`. */
export function initStats(): Stats {
  return EMPTY
}

/** Adds one value (Welford's update). */
export function addValue(stats: Stats, point: TimedValue): Stats {
  const count = stats.count + 1
  const delta = point.value - stats.mean
  const mean = stats.mean + delta / count
  return {
    count,
    sum: stats.sum + point.value,
    min: Math.min(stats.min, point.value),
    max: Math.max(stats.max, point.value),
    mean,
    m2: stats.m2 + delta * (point.value - mean),
    first: earlier(stats.first, point),
    last: later(stats.last, point),
  }
}

/**
 * Combines the statistics of two disjoint sets of values (Chan's parallel update). Commutative
 * exactly, because the operands are put in a canonical order first; associative up to floating-point
 * rounding (about 1e-15 relative), which the property tests bound.
 */
export function mergeStats(x: Stats, y: Stats): Stats {
  if (x.count === 0) return y
  if (y.count === 0) return x
  const [a, b] = canonicalOrder(x, y)
  const count = a.count + b.count
  const delta = b.mean - a.mean
  return {
    count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + ((delta * delta * a.count) / count) * b.count,
    first: earlier(a.first, b.first),
    last: later(a.last, b.last),
  }
}

/** The reported figures; undefined for the empty state (a window never exists without values). */
export function statsResult(stats: Stats): StatsResult | undefined {
  if (stats.count === 0 || stats.first === null || stats.last === null) return undefined
  return {
    count: stats.count,
    sum: stats.sum,
    min: stats.min,
    max: stats.max,
    mean: stats.mean,
    m2: stats.m2,
    // M2 is never negative in exact arithmetic; clamp the rounding that could make it −1e-300
    stddevPop: Math.sqrt(Math.max(0, stats.m2) / stats.count),
    stddevSample: stats.count < 2 ? null : Math.sqrt(Math.max(0, stats.m2) / (stats.count - 1)),
    first: stats.first,
    last: stats.last,
  }
}

/** The statistics of a list of values, in order (what a batch pre-aggregates). */
export function statsOf(points: Iterable<TimedValue>): Stats {
  let stats = initStats()
  for (const point of points) stats = addValue(stats, point)
  return stats
}

/** Earliest by time; on equal times the smaller id, so the choice does not depend on arrival order. */
function earlier(a: TimedValue | null, b: TimedValue | null): TimedValue | null {
  if (a === null) return b
  if (b === null) return a
  if (a.time !== b.time) return a.time < b.time ? a : b
  return a.id <= b.id ? a : b
}

/** Latest by time; on equal times the larger id. */
function later(a: TimedValue | null, b: TimedValue | null): TimedValue | null {
  if (a === null) return b
  if (b === null) return a
  if (a.time !== b.time) return a.time > b.time ? a : b
  return a.id >= b.id ? a : b
}

function canonicalOrder(x: Stats, y: Stats): [Stats, Stats] {
  const keys = (s: Stats) => [s.count, s.mean, s.m2, s.sum, s.min, s.max]
  const kx = keys(x)
  const ky = keys(y)
  for (let i = 0; i < kx.length; i++) {
    if (kx[i]! !== ky[i]!) return kx[i]! < ky[i]! ? [x, y] : [y, x]
  }
  return [x, y]
}
