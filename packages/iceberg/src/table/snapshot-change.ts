/**
 * The change a snapshot makes, as callers describe it: the model both the snapshot producer and the
 * summary builder read, so it lives below them both.
 */
import type { DataFile } from '../manifest/types.ts'
import type { SnapshotOperation } from '../spec/types.ts'

/** What a snapshot changes. */
export interface SnapshotChange {
  readonly operation: SnapshotOperation
  readonly added: readonly DataFile[]
  /** Locations of live data files this snapshot removes (their delete files that name them go too). */
  readonly deleted?: readonly string[]
  /**
   * Position delete files this snapshot adds (a row delta). Each must name a data file live in the
   * base (`referencedDataFile`); if one is gone the commit fails with a conflict, to be re-planned.
   */
  readonly addedDeletes?: readonly DataFile[]
  /**
   * The rows of the removed data files were read with their position deletes applied, on this base
   * (`readLiveRows`). Without it, removing a data file that has live position deletes fails: its
   * replacement could bring deleted rows back.
   */
  readonly deletesApplied?: boolean
  /**
   * The snapshot the removed files' rows were read at, when that may be older than the base (a change
   * built once and re-applied on conflict). Deletes added to those files since then fail the commit
   * with a conflict: the rows they delete are in this change's new files.
   */
  readonly readAt?: bigint
  /** Extra summary properties (e.g. Kafka offsets); they cannot override the computed metrics. */
  readonly summary?: Readonly<Record<string, string>>
  /**
   * Table properties set in the same metadata commit as the snapshot: state that must survive the
   * snapshot's expiry by any engine (maintenance keeps properties, not old snapshots).
   */
  readonly properties?: Readonly<Record<string, string>>
}
