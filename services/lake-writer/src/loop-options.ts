/** What the lake loop is built from. */
import type { TableSink } from './committing/table-sink.ts'
import type { LakeConsumer } from './consuming/kafka-consumer.ts'
import type { TopicRoute } from './consuming/routing.ts'
import type { LakeEvent } from './loop-stats.ts'

/** Options of the loop. */
export interface LakeLoopOptions {
  readonly consumer: LakeConsumer
  /** One per table; their commits run one after the other, in this order. */
  readonly sinks: readonly TableSink[]
  /** Which topic feeds which tables (`topicRoutes`). */
  readonly routes: readonly TopicRoute[]
  /** A buffered row waits at most this long for its commit. */
  readonly commitIntervalMs: number
  /** A table buffer this big is committed at once. */
  readonly commitMaxRows: number
  /** Most bytes one fetch asks for (default `DEFAULT_FETCH_MAX_BYTES`). */
  readonly fetchMaxBytes?: number
  /** Events for logs and metrics; a listener that throws is ignored. */
  readonly onEvent?: (event: LakeEvent) => void
}
