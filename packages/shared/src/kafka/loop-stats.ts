import type { KafkaLoopError } from './errors.ts'
import { isKafkaLoopError, KafkaErrorCode } from './errors.ts'
import type { GroupSession, PartitionOffset } from './ports.ts'

/** Where a loop is in its life. */
export type LoopState = 'created' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'failed'

/** A snapshot of the loop for `/readyz`, `/metrics` and the admin status endpoint. */
export interface LoopStats {
  readonly state: LoopState
  /** The group session the loop is working under; undefined while (re)joining. */
  readonly session: GroupSession | undefined
  /** Records read ahead and waiting for a batch. */
  readonly bufferedRecords: number
  /** True while reading ahead is held back (buffer full or paused). */
  readonly throttled: boolean
  /** Input records whose transaction committed. */
  readonly recordsIn: number
  /** Output records whose transaction committed. */
  readonly recordsOut: number
  readonly transactionsCommitted: number
  readonly transactionsAborted: number
  /** Batches retried after a retriable error. */
  readonly retries: number
  /** Group sessions received after the first one. */
  readonly rebalances: number
  /** Last commit, or last time the input was found caught up (ms since the epoch; 0 = never). */
  readonly lastProgressAt: number
  readonly lastCommitAt: number
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | undefined
}

/** What happened, for logs and metrics. Listeners must not throw (errors are swallowed). */
export type LoopEvent =
  | { readonly type: 'state'; readonly state: LoopState }
  | {
      readonly type: 'assigned'
      readonly session: GroupSession
      readonly positions: readonly PartitionOffset[]
    }
  /** Outputs are written in the open transaction; offsets and commit come next. */
  | { readonly type: 'produced'; readonly records: number; readonly outputs: number }
  | {
      readonly type: 'committed'
      readonly records: number
      readonly outputs: number
      readonly offsets: readonly PartitionOffset[]
      readonly durationMs: number
    }
  | { readonly type: 'aborted'; readonly records: number; readonly error: KafkaLoopError }
  | {
      readonly type: 'retrying'
      readonly attempt: number
      readonly delayMs: number
      readonly error: KafkaLoopError
    }
  | { readonly type: 'failed'; readonly error: KafkaLoopError }

/**
 * Ready means: running, member of the group with a session, and progressing (a commit or a caught-up
 * fetch) within `stallTimeoutMs`. A loop that keeps aborting the same batch is alive but not ready.
 */
export function isLoopReady(stats: LoopStats, stallTimeoutMs: number, now: number = Date.now()): boolean {
  if (stats.state !== 'running' && stats.state !== 'paused') return false
  if (stats.session === undefined) return false
  if (stats.state === 'paused') return true
  return now - stats.lastProgressAt <= stallTimeoutMs
}

/** Mutable counters behind `LoopStats`. */
export interface LoopCounters {
  recordsIn: number
  recordsOut: number
  transactionsCommitted: number
  transactionsAborted: number
  retries: number
  rebalances: number
  lastCommitAt: number
  lastError: LoopStats['lastError']
}

/** Counters of a loop that has done nothing yet. */
export function emptyCounters(): LoopCounters {
  return {
    recordsIn: 0,
    recordsOut: 0,
    transactionsCommitted: 0,
    transactionsAborted: 0,
    retries: 0,
    rebalances: 0,
    lastCommitAt: 0,
    lastError: undefined,
  }
}

/** The `lastError` entry for any error. */
export function errorSummary(error: unknown): LoopStats['lastError'] {
  const code = isKafkaLoopError(error) ? error.code : KafkaErrorCode.TRANSIENT
  return { code, message: error instanceof Error ? error.message : String(error), at: Date.now() }
}
