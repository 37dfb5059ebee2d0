// The aggregator's types, below the modules that use them: pipeline.ts, partition.ts, tick.ts and
// outputs.ts all take `AggregatorDeps`, so it lives here rather than in any of them (where it made
// their imports run in a circle).
import type { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import type { AggregateRecord, ErrorRecord, Micros, ValidatedSample } from '@healthstream/shared/domain'
import type { ReplayMode } from './replay.ts'
import type { AggregationSpec } from './windows/spec.ts'
import type { AggregateStore } from './windows/store.ts'

/** What the aggregator transform needs; built in main.ts, or in memory by tests. */
export interface AggregatorDeps {
  readonly decoder: AvroDeserializer<ValidatedSample>
  readonly aggregates: AvroSerializer<AggregateRecord>
  readonly errors: AvroSerializer<ErrorRecord>
  readonly inputTopic: string
  readonly aggregatesTopic: string
  readonly errorsTopic: string
  readonly store: AggregateStore
  readonly spec: AggregationSpec
  readonly nowMicros: () => Micros
  /** Told about every dead letter produced (also re-produced ones of a replay), for metrics. */
  readonly onDeadLetter?: (reason: string) => void
  /** Told how each partition's share of a batch was applied (for metrics and tests). */
  readonly onBatch?: (info: BatchInfo) => void
  /**
   * Partitions of the aggregates topic that get a watermark mark after each batch whose firing
   * watermark moved (marks.ts); absent or 0: no marks.
   */
  readonly watermarkMarks?: number
}

/** How one partition's share of a batch was applied. */
export interface BatchInfo {
  readonly partition: number
  /** `replay`: the batch redid an applied group whose transaction did not commit (see `replayPlan`). */
  readonly mode: ReplayMode
  readonly records: number
  /** Records applied now (the others were applied by an earlier attempt). */
  readonly applied: number
  /** Outputs produced again from the stored outbox. */
  readonly reemitted: number
}

/** What an operator sees under /admin/status. */
export interface AggregatorStatus {
  readonly generation: number | null
  readonly partitions: readonly number[]
  readonly idlePartitions: readonly number[]
  readonly instanceWatermark: string | null
}
