/** One table's commits in unit tests: the sink of a table, the work of one commit, raw rows. */
import type { CommitWork } from '../../src/committing/commit-work.ts'
import type { TableSink } from '../../src/committing/table-sink.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { validatedSample } from './records.ts'

/** The sink of table `name`. */
export const sinkOf = (sinks: TableSink[], name: string) => sinks.find((s) => s.def.name === name)!

/** One commit of topic `t`, partition `partition`: from `from` (the fence) to `to`. */
export function work(
  rows: CommitWork['rows'],
  partition: number,
  from: bigint | null,
  to: bigint,
): CommitWork {
  return {
    rows,
    batch: undefined,
    rowCount: rows.length,
    expected: [{ topic: 't', partition, offset: from }],
    next: [{ topic: 't', partition, offset: to }],
    added: [{ topic: 't', partition, rows: rows.length }],
    watermark: undefined,
  }
}

/** Raw rows of samples `from` to `to` (exclusive), read from `partition` at their own offsets. */
export const raws = (from: number, to: number, partition = 0) =>
  Array.from({ length: to - from }, (_, i) =>
    rawRow(validatedSample(from + i), { partition, offset: BigInt(from + i) }),
  )
