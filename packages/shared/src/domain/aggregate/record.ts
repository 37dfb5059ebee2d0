import type { Micros } from '../records.ts'
import type { WindowState } from './state.ts'
import { statsResult } from './stats.ts'
import { NO_WATERMARK } from './watermark.ts'
import type { Granularity } from './windows.ts'

/**
 * Value of `health-data-aggregates` (`shared/schemas/aggregate-record.avsc`): the statistics of one
 * window of one (user, data type) series at one revision. The Kafka key is the window id
 * (`windowId`), so a compacted topic, and the lake's upsert, keep the newest revision per window.
 */
export interface AggregateRecord {
  userId: string
  dataType: string
  unit: string
  granularity: Granularity
  windowStart: Micros
  windowEnd: Micros
  /** `UTC`, or the IANA zone of a daily window in the user's zone. */
  zone: string
  windowLabel: string
  count: number
  sum: number
  min: number
  max: number
  mean: number
  stddevPop: number
  stddevSample: number | null
  m2: number
  firstValue: number
  firstEventTime: Micros
  firstSampleId: string
  lastValue: number
  lastEventTime: Micros
  lastSampleId: string
  /** No later revision will follow: allowed lateness has expired. */
  isFinal: boolean
  /** 1, 2, … per window; larger is newer. */
  revision: number
  /** The watermark the row was emitted at; null before the first (an early row). */
  watermark: Micros | null
  /** Processing time of the emission. */
  updatedAt: Micros
}

/** The row for a window state (with the revision and finality it is emitted with). */
export function aggregateRecord(state: WindowState, watermark: Micros, now: Micros): AggregateRecord {
  const result = statsResult(state.stats)
  if (result === undefined) throw new Error(`window ${state.id} has no values to report`)
  const { window } = state
  return {
    userId: state.userId,
    dataType: state.dataType,
    unit: state.unit,
    granularity: window.granularity,
    windowStart: window.start,
    windowEnd: window.end,
    zone: window.zone,
    windowLabel: window.label,
    count: result.count,
    sum: result.sum,
    min: result.min,
    max: result.max,
    mean: result.mean,
    stddevPop: result.stddevPop,
    stddevSample: result.stddevSample,
    m2: result.m2,
    firstValue: result.first.value,
    firstEventTime: result.first.time,
    firstSampleId: result.first.id,
    lastValue: result.last.value,
    lastEventTime: result.last.time,
    lastSampleId: result.last.id,
    isFinal: state.final,
    revision: state.revision,
    watermark: watermark === NO_WATERMARK ? null : watermark,
    updatedAt: now,
  }
}
