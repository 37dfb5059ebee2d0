/**
 * A row with extras meets its table's buffer: the extras' values go into their columns; columns the
 * table lacks are added first (the loop catches `MissingColumnsError`, evolves the table and reads the
 * records again); an extra that clashes with a column becomes a `SCHEMA_CONFLICT` dead letter, its
 * record's bytes kept: never a value silently lost.
 */
import { ReasonCode } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { MissingColumnsError } from '../committing/errors.ts'
import { fitExtras } from '../committing/extra-columns.ts'
import { deadLetterRow, type Routed } from './routing.ts'
import type { TableBuffer } from './table-buffer.ts'

/** `routed` with its extras' values in its row, or its dead letter; throws when columns are missing. */
export function withExtras(
  routed: Routed,
  record: ConsumedRecord,
  table: TableBuffer | undefined,
  nowMs: number,
): Routed {
  if (routed.extras === undefined || table === undefined) return routed
  const fit = fitExtras(routed.extras, table.schema)
  if (fit.kind === 'missing') throw new MissingColumnsError(table.def.name, fit.columns)
  if (fit.kind === 'conflict')
    return deadLetterRow(record, { reason: ReasonCode.SCHEMA_CONFLICT, detail: fit.detail }, nowMs)
  return { table: routed.table, row: { ...routed.row, ...fit.values } }
}
