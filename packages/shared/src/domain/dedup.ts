import type { HealthSample } from './records.ts'

/**
 * Key under which a sample is remembered for duplicate detection: one per (user, sampleId).
 * The user id is length-prefixed so no pair of ids can produce the same key ("a:b"+"c" vs
 * "a"+"b:c"). Store adapters add their own namespace prefix.
 */
export function dedupKey(userId: string, sampleId: string): string {
  return `${userId.length}:${userId}:${sampleId}`
}

/**
 * Identity of one occurrence of a sample: its provenance in `health-data-raw`. A validator that
 * re-reads the same record after an aborted transaction presents the same owner and so is not
 * fooled by the mark its own aborted attempt left behind; a re-uploaded batch has a new offset.
 */
export function dedupOwner(
  sample: Pick<HealthSample, 'sourceTopic' | 'sourcePartition' | 'sourceOffset' | 'sourceIndex'>,
): string {
  return `${sample.sourceTopic}:${sample.sourcePartition}:${sample.sourceOffset}:${sample.sourceIndex}`
}

/**
 * Port for duplicate detection (implemented on Redis by the validator; in memory for tests).
 *
 * `seen` checks and marks each key atomically, in order: it answers `true` when the key is already
 * present (a duplicate: drop and count it) and `false` when it was absent, marking it for
 * `horizonMs` of processing time. When `owners` is given (same length as `keys`), a key already
 * marked by the same owner answers `false`: that is a replay of the same input, not a duplicate.
 * Without owners, a crash between marking and committing would make the replay drop the sample.
 * Keys repeated within one call see the marks of earlier entries of the same call.
 */
export interface DedupStore {
  seen(keys: readonly string[], horizonMs: number, owners?: readonly string[]): Promise<boolean[]>
}
