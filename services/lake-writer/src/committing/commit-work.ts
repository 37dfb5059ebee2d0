/**
 * What one commit of a table carries from its buffer (consuming) to its sink. Declared here, beside
 * the sink that takes it, so that committing never imports consuming.
 */
import type { ColumnBatch } from '@healthstream/iceberg'
import type { PartitionOffset } from '@healthstream/shared/kafka'
import type { ExpectedOffset } from './offsets.ts'
import type { PartitionTime } from './partition-times.ts'
import type { PartitionRows } from './row-counts.ts'
import type { Row } from './tables.ts'

/** What one commit of a table carries. */
export interface CommitWork {
  /** The rows of an upsert table (copy-on-write needs them as rows); empty for append tables. */
  readonly rows: Row[]
  /** The rows of an append table, kept as columns from the start (no row objects held). */
  readonly batch: ColumnBatch | undefined
  readonly rowCount: number
  /** Per partition committed: the offset the table must still hold (the fence), null for none. */
  readonly expected: ExpectedOffset[]
  /** Per partition committed: the next offset to read once the rows are in. */
  readonly next: PartitionOffset[]
  /** Per partition committed: the rows its records added (an append table's row counts grow by these). */
  readonly added: readonly PartitionRows[]
  /** Largest event time among `rows`. */
  readonly watermark: bigint | undefined
  /** Per partition committed: the largest event time of its rows, and the watermark marks read. */
  readonly times?: readonly PartitionTime[]
}
