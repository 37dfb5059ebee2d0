/**
 * Waiting until the loop has read its partitions up to their last stable offsets as they stood when
 * the wait began: what was committed to the input topics by then is in the buffers or the tables.
 */
import { type PartitionOffset, partitionKey, type TopicPartition } from '@healthstream/shared/kafka'
import type { LakeLoop } from '../lake-loop.ts'

/** The partitions whose read position is still before `ends`, pure. */
export function behindEnds(
  positions: readonly PartitionOffset[],
  ends: readonly PartitionOffset[],
): PartitionOffset[] {
  const at = new Map(positions.map((p) => [partitionKey(p.topic, p.partition), p.offset]))
  return ends.filter((e) => {
    const position = at.get(partitionKey(e.topic, e.partition))
    return position !== undefined && position < e.offset
  })
}

/** The loop read up to the ends of its partitions before the timeout (the partitions it now owns). */
export class CatchUpTimeoutError extends Error {
  readonly code = 'LAKE_CATCH_UP_TIMEOUT'
  /** Ask again: reading goes on. */
  readonly canRetry = true
  constructor(timeoutMs: number, behind: readonly PartitionOffset[]) {
    const where = behind.map((b) => `${b.topic}[${b.partition}] < ${b.offset}`).join(', ')
    super(`reading did not reach the topics' ends within ${timeoutMs} ms: ${where}`)
    this.name = 'CatchUpTimeoutError'
  }
}

/**
 * Resolves once every partition the loop reads is read up to its last stable offset at the call;
 * throws `CatchUpTimeoutError` after `timeoutMs`. Partitions given up meanwhile are left out.
 */
export async function caughtUp(
  loop: Pick<LakeLoop, 'readPositions'>,
  ends: (partitions: readonly TopicPartition[]) => Promise<readonly PartitionOffset[]>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const target = await ends(loop.readPositions().map(({ topic, partition }) => ({ topic, partition })))
  for (;;) {
    const behind = behindEnds(loop.readPositions(), target)
    if (behind.length === 0) return
    if (Date.now() > deadline) throw new CatchUpTimeoutError(timeoutMs, behind)
    await new Promise((r) => setTimeout(r, 100))
  }
}
