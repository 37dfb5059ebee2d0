import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DataTypeTable, parseDataTypesCsv } from './data-types.ts'

/** The team's data-type table shipped in this package: `shared/contracts/data-types.csv`. */
export const BUILTIN_DATA_TYPES_PATH = join(import.meta.dirname, '..', '..', 'contracts', 'data-types.csv')

let builtin: DataTypeTable | undefined

/**
 * The built-in data-type table, read from the contract file on first use (not at import, so
 * importing the domain does no I/O) and cached. The contract file is the single source of truth;
 * there is deliberately no TypeScript copy that could drift from it.
 */
export function builtinDataTypes(): DataTypeTable {
  builtin ??= parseDataTypesCsv(readFileSync(BUILTIN_DATA_TYPES_PATH, 'utf8'))
  return builtin
}
