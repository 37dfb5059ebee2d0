import type { OffsetGroup } from './windows/store.ts'

/**
 * How a batch [first, last] of one partition relates to the last applied group [from, to].
 *
 * The facts it rests on: a batch always starts at the group's committed Kafka position (the loop reads
 * from there after a start, a rebalance or an aborted transaction), and the state store is only
 * written by the partition's owner, in offset order. So:
 * - `fresh` (first > to): the group's transaction committed; everything in the batch is new.
 * - `replay` (first = from): the transaction that carried the group's outputs did not commit (it
 *   aborted, or the process died); the records up to `to` are already applied and must not be applied
 *   again, but the group's outputs must be produced again, in this transaction. Records after `to`
 *   are new; the group grows to cover them, and its outbox keeps the old outputs followed by the new.
 * - `after-replay` (from < first ≤ to): a replay that was cut short (fewer records fetched than the
 *   first time) re-emitted the whole group and committed, so the group's outputs are out; only the
 *   records after `to` are new.
 * - `rewound` (first < from): the consumer group was moved back by an operator. Records up to `to`
 *   are already in the state: they are skipped, never counted twice, and not re-emitted.
 */
export type ReplayMode = 'fresh' | 'replay' | 'after-replay' | 'rewound'

/** What to do with a batch. */
export interface ReplayPlan {
  readonly mode: ReplayMode
  /** Emit the stored outbox of the group before anything new. */
  readonly reemit: boolean
  /** Records with an offset above this are applied; the others are already in the state. */
  readonly appliedThrough: number
  /** The group to store when the batch applies new records. */
  readonly nextGroup: OffsetGroup
}

/** Decides how a batch from offset `first` to `last` is applied, given the stored `group`. */
export function replayPlan(group: OffsetGroup | null, first: number, last: number): ReplayPlan {
  if (first > last) throw new RangeError(`batch offsets must be ascending, got ${first}..${last}`)
  if (group === null || first > group.to) {
    return { mode: 'fresh', reemit: false, appliedThrough: first - 1, nextGroup: { from: first, to: last } }
  }
  const appliedThrough = group.to
  if (first === group.from) {
    const nextGroup = { from: group.from, to: Math.max(last, group.to) }
    return { mode: 'replay', reemit: true, appliedThrough, nextGroup }
  }
  const mode = first > group.from ? 'after-replay' : 'rewound'
  return { mode, reemit: false, appliedThrough, nextGroup: { from: first, to: last } }
}
