import { MICROS_PER_DAY, MICROS_PER_MINUTE } from '@healthstream/shared/domain'
import type { DailyZone, Granularity } from './definitions.ts'

const HOUR = 60 * MICROS_PER_MINUTE

/** Settings of the aggregation, as given; every field has a default. Durations in micros. */
export interface AggregationOptions {
  readonly dailyZone?: DailyZone
  /** Watermark = max event time − this. Default 10 min. */
  readonly outOfOrderness?: number
  /** How long after its end a window still takes late data. Default daily 1 h, weekly 6 h, monthly 12 h. */
  readonly allowedLateness?: Partial<Record<Granularity, number>>
  /** Provisional rows for changed open windows at most this often (processing time); 0 = off. */
  readonly earlyFireInterval?: number
  /** A partition without records for this long (processing time) stops holding the watermark back. */
  readonly idleTimeout?: number
  /** How long a final result stays queryable in the state store. 0 = dropped at once. */
  readonly retention?: number
}

/** Validated, frozen settings of the aggregation. */
export interface AggregationSpec {
  readonly dailyZone: DailyZone
  readonly outOfOrderness: number
  readonly allowedLateness: Readonly<Record<Granularity, number>>
  readonly earlyFireInterval: number
  readonly idleTimeout: number
  readonly retention: number
}

/** Default bound on how far event time may run behind the largest seen: 10 minutes. */
export const DEFAULT_OUT_OF_ORDERNESS = 10 * MICROS_PER_MINUTE
/** Default time a window takes late data after its end: longer for longer windows. */
export const DEFAULT_ALLOWED_LATENESS: Readonly<Record<Granularity, number>> = Object.freeze({
  daily: HOUR,
  weekly: 6 * HOUR,
  monthly: 12 * HOUR,
})

// Upper bounds that catch unit mistakes (milliseconds given as micros or the reverse) early.
const MAX_OUT_OF_ORDERNESS = 7 * MICROS_PER_DAY
const MAX_LATENESS = 31 * MICROS_PER_DAY
const MAX_INTERVAL = MICROS_PER_DAY
const MAX_RETENTION = 400 * MICROS_PER_DAY

/**
 * Applies defaults and checks every duration: a whole number of microseconds within its bound. A bad
 * value throws a RangeError naming the setting and the bound.
 */
export function aggregationSpec(options: AggregationOptions = {}): AggregationSpec {
  const lateness = { ...DEFAULT_ALLOWED_LATENESS, ...options.allowedLateness }
  const spec: AggregationSpec = {
    dailyZone: options.dailyZone ?? 'utc',
    outOfOrderness: within(
      'outOfOrderness',
      options.outOfOrderness ?? DEFAULT_OUT_OF_ORDERNESS,
      MAX_OUT_OF_ORDERNESS,
    ),
    allowedLateness: Object.freeze({
      daily: within('allowedLateness.daily', lateness.daily, MAX_LATENESS),
      weekly: within('allowedLateness.weekly', lateness.weekly, MAX_LATENESS),
      monthly: within('allowedLateness.monthly', lateness.monthly, MAX_LATENESS),
    }),
    earlyFireInterval: within('earlyFireInterval', options.earlyFireInterval ?? 0, MAX_INTERVAL),
    idleTimeout: within('idleTimeout', options.idleTimeout ?? 60 * 1_000_000, MAX_INTERVAL),
    retention: within('retention', options.retention ?? 35 * MICROS_PER_DAY, MAX_RETENTION),
  }
  if (spec.dailyZone !== 'utc' && spec.dailyZone !== 'user') {
    throw new RangeError(`dailyZone must be 'utc' or 'user', got ${JSON.stringify(spec.dailyZone)}`)
  }
  return Object.freeze(spec)
}

function within(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be a whole number of microseconds in 0..${max}, got ${value}`)
  }
  return value
}
