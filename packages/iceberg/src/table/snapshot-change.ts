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
  /** Locations of live data files this snapshot removes. */
  readonly deleted?: readonly string[]
  /** Extra summary properties (e.g. Kafka offsets); they cannot override the computed metrics. */
  readonly summary?: Readonly<Record<string, string>>
  /**
   * Table properties set in the same metadata commit as the snapshot: state that must survive the
   * snapshot's expiry by any engine (maintenance keeps properties, not old snapshots).
   */
  readonly properties?: Readonly<Record<string, string>>
}
