/**
 * Erasing users from every table: `POST /admin/erase` of the lake-writer. The guarantee: every row of
 * those users in a record committed to this instance's input partitions before the erasure started
 * (and so every row it had read) is deleted from all five tables; a record committed later (a later
 * sample) lands as usual.
 *
 * Order: catch up (read the partitions' last stable offsets, wait until reading has passed them) →
 * pause reading → flush twice (commit everything read so far, also the rest of a fetch being taken
 * in slices, so no buffered row of an erased user lands after the deletes) → under the loop's commit
 * mutex, one `delete` snapshot per table (`Table.deleteRows` on `user_id`: position delete files,
 * re-planned when another writer rewrote files meanwhile) → resume (unless an operator had paused the
 * writer). Each delete snapshot carries the recorded offsets and row counts forward (as compaction
 * does: the counts are records taken, so reconciliation stays complete) and the audit in
 * `healthstream.erasure`.
 *
 * A kill in the middle leaves each table either with its delete snapshot or without it (delete files
 * of a commit that never landed are orphans, removed by orphan removal); running the erasure again
 * deletes what is left and counts only rows not deleted before.
 */
import {
  ERASURE_SUMMARY_KEY,
  type ErasureOutcome,
  type ErasureRequest,
  erasureSummary,
  userHash,
} from '@healthstream/shared/erasure'
import type { PartitionOffset, TopicPartition } from '@healthstream/shared/kafka'
import { carriedSummary } from '../committing/offsets.ts'
import { carriedRows } from '../committing/row-counts.ts'
import type { TableSink } from '../committing/table-sink.ts'
import type { LakeLoop } from '../lake-loop.ts'
import { flushWithin } from './admin-http.ts'
import { caughtUp } from './catch-up.ts'

/** The column every table keys its people by. */
export const USER_COLUMN = 'user_id'

/** What an erasure works on. */
export interface LakeErasureDeps {
  readonly loop: Pick<LakeLoop, 'pause' | 'resume' | 'flush' | 'exclusive' | 'stats' | 'readPositions'>
  /** The last stable offsets of these partitions (read_committed end offsets). */
  readonly ends: (partitions: readonly TopicPartition[]) => Promise<readonly PartitionOffset[]>
  readonly sinks: readonly TableSink[]
  /** Written into the delete snapshots' summaries. */
  readonly writer: string
  /** Longest wait to catch up, and for the flush (default 120 s each); on a flush timeout nothing is deleted. */
  readonly flushTimeoutMs?: number
  /** Commit attempts after the first per table (default 10). */
  readonly retries?: number
}

/** Deletes the rows of `request.users` from every table; counts rows newly deleted per table. */
export async function eraseFromLake(
  d: LakeErasureDeps,
  request: ErasureRequest & { readonly erasureId: string },
): Promise<ErasureOutcome> {
  const timeoutMs = d.flushTimeoutMs ?? 120_000
  const pausedBefore = d.loop.stats.paused
  if (!pausedBefore) await caughtUp(d.loop, d.ends, timeoutMs)
  d.loop.pause()
  try {
    await flushWithin(d.loop, timeoutMs)
    await flushWithin(d.loop, timeoutMs)
    const audit = { erasureId: request.erasureId, by: request.by, users: request.users.map(userHash).sort() }
    const counts: Record<string, number> = {}
    await d.loop.exclusive(async () => {
      for (const sink of d.sinks) {
        await sink.table.refresh()
        const result = await sink.table.deleteRows(
          { column: USER_COLUMN, in: [...request.users] },
          {
            retries: d.retries ?? 10,
            summary: (base) => ({
              ...carriedSummary(base, d.writer),
              ...carriedRows(base),
              [ERASURE_SUMMARY_KEY]: erasureSummary(audit, sink.def.name, new Date()),
            }),
          },
        )
        counts[sink.def.name] = result.deletedRows
      }
    })
    return { counts }
  } finally {
    if (!pausedBefore) d.loop.resume()
  }
}
