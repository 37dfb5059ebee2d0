/**
 * The header a replayed record carries (`healthstream-replay`): which dead letter it re-drives and in
 * which replay. The stage that takes it again gives a dead letter it produces from it a new id and a
 * link to the first (`replayOf`, see `errorRecord`); the lake-writer keeps replays of aggregator dead letters out of
 * `health_data_raw`, which holds those samples already.
 */
import { Buffer } from 'node:buffer'
import type { Stage } from '../domain/index.ts'

export const REPLAY_HEADER = 'healthstream-replay'

export interface ReplayMark {
  /** The dead letter the record re-drives. */
  readonly errorId: string
  /** The stage that rejected it (and takes the record again). */
  readonly stage: Stage
  readonly replayId: string
}

export function replayHeader(mark: ReplayMark): Buffer {
  return Buffer.from(JSON.stringify(mark), 'utf8')
}

/** The mark of a consumed record, or null (no header, or one this version cannot read). */
export function readReplayMark(headers: ReadonlyMap<string, Buffer> | undefined): ReplayMark | null {
  const raw = headers?.get(REPLAY_HEADER)
  if (raw === undefined) return null
  try {
    const mark = JSON.parse(raw.toString('utf8')) as Partial<ReplayMark>
    return typeof mark.errorId === 'string' &&
      typeof mark.stage === 'string' &&
      typeof mark.replayId === 'string'
      ? (mark as ReplayMark)
      : null
  } catch {
    return null
  }
}
