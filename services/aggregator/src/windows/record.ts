// The row a window emits: its state and statistics in the shape of the `health-data-aggregates`
// contract (`AggregateRecord`, shared with the lake-writer that reads it).
import type { AggregateRecord, Micros } from '@healthstream/shared/domain'
import { statsResult } from './stats.ts'
import type { WindowState } from './store.ts'
import { NO_WATERMARK } from './watermark.ts'

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
