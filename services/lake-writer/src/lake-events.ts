/** What the lake loop tells its owner (logs, metrics), what it is built from, and what it shows. */
import type { GroupSession, PartitionOffset } from '@healthstream/shared/kafka'
import type { LakeConsumer } from './kafka.ts'
import type { StateSource } from './offsets.ts'
import type { TopicRoute } from './routes.ts'
import type { CommitResult, TableSink } from './table-sink.ts'

/** What the loop tells its owner (logs, metrics). */
export type LakeEvent =
  | { readonly type: 'assigned'; readonly session: GroupSession; readonly positions: PartitionOffset[] }
  | { readonly type: 'consumed'; readonly topic: string; readonly records: number }
  | { readonly type: 'committed'; readonly result: CommitResult; readonly watermark: bigint | undefined }
  | {
      readonly type: 'skipped'
      readonly topic: string
      readonly partition: number
      readonly offset: bigint
      readonly reason: string
      readonly detail: string
    }
  | { readonly type: 'resync'; readonly error: unknown; readonly attempt: number }
  | {
      readonly type: 'recorded'
      readonly table: string
      readonly watermark: bigint | undefined
      /** Where the table's position came from; `rows` means it had been lost and was recovered. */
      readonly source: StateSource
    }

/** Options of the loop. */
export interface LakeLoopOptions {
  readonly consumer: LakeConsumer
  readonly sinks: readonly TableSink[]
  readonly routes: readonly TopicRoute[]
  readonly commitIntervalMs: number
  readonly commitMaxRows: number
  readonly fetchMaxBytes?: number
  readonly onEvent?: (event: LakeEvent) => void
}

/** What /readyz and /admin/status show. */
export interface LakeStats {
  readonly state: 'created' | 'running' | 'stopping' | 'stopped'
  readonly paused: boolean
  readonly assignment: readonly { topic: string; partition: number }[]
  readonly synced: boolean
  readonly lastCommitAt: number
  readonly lastProgressAt: number
  readonly commits: number
  readonly resyncs: number
  readonly buffered: Readonly<Record<string, number>>
  /** Tables whose position was recovered from their rows, with when (epoch ms). */
  readonly recoveredPositions: Readonly<Record<string, number>>
  readonly lastError?: string
}
