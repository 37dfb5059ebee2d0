/**
 * The catalog port: where a table's current metadata location is kept and swapped atomically.
 * `commit` takes the REST protocol's requirements and updates; it throws `CommitConflictError`
 * (canRetry) when the table moved — the caller re-loads, re-applies its change, and commits again.
 */
import { IcebergError } from '../errors.ts'
import type {
  NestedField,
  PartitionSpec,
  Schema,
  SortOrder,
  TableIdentifier,
  TableMetadata,
} from '../spec/types.ts'
import type { TableRequirement, TableUpdate } from '../spec/updates.ts'

/** A table as a catalog returns it. */
export interface LoadedTable {
  readonly identifier: TableIdentifier
  readonly metadata: TableMetadata
  readonly metadataLocation: string
}

/** What a new table is made of. */
export interface CreateTableRequest {
  readonly schema: Schema | readonly NestedField[]
  readonly partitionSpec?: PartitionSpec
  readonly sortOrder?: SortOrder
  readonly properties?: Readonly<Record<string, string>>
  /** Defaults to the catalog's choice under its warehouse. */
  readonly location?: string
}

/** A catalog of namespaces and tables. */
export interface Catalog {
  readonly name: string
  createNamespace(namespace: readonly string[], properties?: Readonly<Record<string, string>>): Promise<void>
  /** The namespace's properties; throws `NO_SUCH_NAMESPACE`. */
  loadNamespace(namespace: readonly string[]): Promise<Record<string, string>>
  listTables(namespace: readonly string[]): Promise<TableIdentifier[]>
  /** Creates a table; throws `ALREADY_EXISTS` if it exists. */
  createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable>
  /** Loads a table; throws `NO_SUCH_TABLE`. */
  loadTable(identifier: TableIdentifier): Promise<LoadedTable>
  tableExists(identifier: TableIdentifier): Promise<boolean>
  /** Applies updates if the requirements hold, atomically; returns the new state. */
  commit(
    identifier: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable>
  /** Removes the table from the catalog (its files stay unless `purge`). */
  dropTable(identifier: TableIdentifier, options?: { purge?: boolean }): Promise<void>
}

/** `ns.sub.table` of an identifier. */
export function identifierToString(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.')
}

/** Parses `ns.table` (last dot separates the table) into an identifier. */
export function parseIdentifier(text: string): TableIdentifier {
  const parts = text.split('.')
  const name = parts.pop()
  if (!name || parts.length === 0)
    throw new IcebergError('INVALID_ARGUMENT', `table identifier ${text} needs a namespace`)
  return { namespace: parts, name }
}

/** The error for a missing table. */
export function noSuchTable(id: TableIdentifier, cause?: unknown): IcebergError {
  return new IcebergError('NO_SUCH_TABLE', `table ${identifierToString(id)} does not exist`, { cause })
}

/** The error for a missing namespace. */
export function noSuchNamespace(namespace: readonly string[], cause?: unknown): IcebergError {
  return new IcebergError('NO_SUCH_NAMESPACE', `namespace ${namespace.join('.')} does not exist`, { cause })
}

/** The file name of metadata version `version`: `00001-<uuid>.metadata.json` (spec "Metastore Tables"). */
export function metadataFileName(version: number): string {
  return `${String(version).padStart(5, '0')}-${crypto.randomUUID()}.metadata.json`
}

/** The version number in a metadata file location (0 when it has none). */
export function metadataVersion(location: string): number {
  const m =
    /(?:^|\/)(\d+)-[^/]*\.metadata\.json$/.exec(location) ?? /\/v(\d+)\.metadata\.json$/.exec(location)
  return m ? Number(m[1]) : 0
}
