/** What the lake loop tells its owner as it goes (events, for logs and metrics) and what it shows (stats). */
import type { GroupSession, PartitionOffset } from '@healthstream/shared/kafka'
import type { Readiness } from '@healthstream/shared/platform'
import type { StateSource } from './committing/offsets.ts'
import type { CommitResult } from './committing/table-sink.ts'

/** What the loop tells its owner (logs, metrics). */
export type LakeEvent =
  | { readonly type: 'assigned'; readonly session: GroupSession; readonly positions: PartitionOffset[] }
  | { readonly type: 'consumed'; readonly topic: string; readonly records: number }
  /**
   * After a commit: per owned partition, the smallest offset the tables it feeds record (partitions a
   * table has recorded nothing of yet are left out). What the group is told, and what lag counts from.
   */
  | { readonly type: 'progress'; readonly positions: readonly PartitionOffset[] }
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

/** /readyz from the stats: ready once synced with the tables and reading; else why not. */
export function readinessOf(stats: LakeStats): Readiness {
  return {
    connected: stats.state === 'running' && stats.synced,
    assignedPartitions: stats.assignment.length,
    lastProgressAt: stats.lastProgressAt,
    paused: stats.paused,
    // Why it is not reading: e.g. a table whose position cannot be established
    problems:
      stats.synced || stats.lastError === undefined ? [] : [`resyncing from the tables: ${stats.lastError}`],
  }
}

/** The loop's counters and times behind `LakeStats` (the rest of it is the loop's live state). */
export class LoopCounters {
  lastCommitAt = 0
  lastProgressAt = 0
  commits = 0
  resyncs = 0
  lastError: string | undefined
  /** Tables whose lost position was recovered from their rows, with when (kept until the process ends). */
  readonly #recovered = new Map<string, number>()

  progressed(now = Date.now()): void {
    this.lastProgressAt = now
  }

  committed(now = Date.now()): void {
    this.commits++
    this.lastCommitAt = this.lastProgressAt = now
  }

  failed(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error)
  }

  recovered(table: string, now = Date.now()): void {
    this.#recovered.set(table, now)
  }

  /** The counters' part of `LakeStats`. */
  view(): Pick<
    LakeStats,
    'lastCommitAt' | 'lastProgressAt' | 'commits' | 'resyncs' | 'recoveredPositions' | 'lastError'
  > {
    return {
      lastCommitAt: this.lastCommitAt,
      lastProgressAt: this.lastProgressAt,
      commits: this.commits,
      resyncs: this.resyncs,
      recoveredPositions: Object.fromEntries(this.#recovered),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    }
  }
}
