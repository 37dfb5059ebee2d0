// Aggregation of validated samples into daily, weekly and monthly windows on event time: window
// assignment, statistics, watermarks, the per-batch step and the state-store port. Pure; the
// aggregator service and the Redis adapter do the I/O.

export {
  type CivilDate,
  civilFromDays,
  dateLabel,
  dayNumber,
  isoWeek,
  isoWeekday,
  isoWeekStart,
  monthLabel,
  weekLabel,
} from './calendar.ts'
export {
  DEFAULT_RESET_AFTER,
  earlyFireDue,
  InMemoryAggregateStore,
  loadWatermark,
  matches,
} from './memory-store.ts'
export { type AggregateRecord, aggregateRecord } from './record.ts'
export { type ReplayMode, type ReplayPlan, replayPlan } from './replay.ts'
export {
  type AggregationOptions,
  type AggregationSpec,
  aggregationSpec,
  DEFAULT_ALLOWED_LATENESS,
  DEFAULT_OUT_OF_ORDERNESS,
} from './spec.ts'
export {
  type AggregateQuery,
  type AggregateStore,
  AggregateStoreError,
  type AggregateStoreErrorCode,
  type CommitRequest,
  decodeWindowState,
  emptyMeta,
  encodeWindowState,
  type LoadRequest,
  type LoadResult,
  type OffsetGroup,
  type PartitionMeta,
  type WindowState,
} from './state.ts'
export {
  addValue,
  initStats,
  mergeStats,
  type Stats,
  type StatsResult,
  statsOf,
  statsResult,
  type TimedValue,
} from './stats.ts'
export {
  type AggregationSample,
  type AssignedWindow,
  applyBatch,
  assignWindows,
  type BatchPlan,
  type Delta,
  planBatch,
  type StepInput,
  type StepResult,
} from './step.ts'
export {
  firingWatermark,
  NO_WATERMARK,
  partitionWatermark,
  UNBOUNDED,
  WatermarkTracker,
  type WindowPhase,
  windowPhase,
} from './watermark.ts'
export {
  type DailyZone,
  dailyWindow,
  GRANULARITIES,
  type Granularity,
  monthlyWindow,
  type Window,
  weeklyWindow,
  windowId,
  windowsOf,
} from './windows.ts'
export { canonicalZone, type LocalDay, localDay, UTC } from './zones.ts'
