/**
 * A SQL catalog with the table layout of Iceberg's JDBC catalog (and pyiceberg's SqlCatalog), so
 * both read what this one writes. A commit writes a new metadata file, then swaps the pointer with
 * `UPDATE … WHERE metadata_location = <the location it was based on>`; zero rows changed means
 * another writer won, reported as a retryable `CommitConflictError`.
 */
import { CommitConflictError, IcebergError } from '../errors.ts'
import { joinLocation, type ObjectStore } from '../io/object-store.ts'
import { applyUpdates, checkRequirements, withMetadataLog } from '../spec/apply.ts'
import { decodeTableMetadata, serializeTableMetadata } from '../spec/metadata-json.ts'
import { newTableMetadata } from '../spec/new-table.ts'
import type { TableIdentifier, TableMetadata } from '../spec/types.ts'
import type { TableRequirement, TableUpdate } from '../spec/updates.ts'
import {
  type Catalog,
  type CreateTableRequest,
  identifierToString,
  type LoadedTable,
  metadataFileName,
  metadataVersion,
  noSuchNamespace,
  noSuchTable,
} from './catalog.ts'
import type { SqlDatabase } from './sql-database.ts'

const TABLES_DDL = `CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name))`

const NAMESPACES_DDL = `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255),
  property_value VARCHAR(1000),
  PRIMARY KEY (catalog_name, namespace, property_key))`

// Rows written by catalogs that predate views have no iceberg_type; they are tables too.
const IS_TABLE = `(iceberg_type = 'TABLE' OR iceberg_type IS NULL)`

/** Options of the SQL catalog. */
export interface SqlCatalogOptions {
  /** The `catalog_name` column value (pyiceberg's catalog name; Java's catalog name). */
  readonly name: string
  readonly db: SqlDatabase
  /** Where metadata files are written. */
  readonly store: ObjectStore
  /** Root of default table locations: `<warehouse>/<namespace>.db/<table>`, as pyiceberg. */
  readonly warehouse: string
}

/** The catalog on a SQL database. */
export class SqlCatalog implements Catalog {
  readonly name: string
  readonly #db: SqlDatabase
  readonly #store: ObjectStore
  readonly #warehouse: string

  constructor(options: SqlCatalogOptions) {
    this.name = options.name
    this.#db = options.db
    this.#store = options.store
    this.#warehouse = options.warehouse
    this.#db.exec(TABLES_DDL)
    this.#db.exec(NAMESPACES_DDL)
    this.#migrate()
  }

  /** Adds `iceberg_type` to a table made by an older catalog (as pyiceberg and Java do). */
  #migrate(): void {
    try {
      this.#db.all(`SELECT iceberg_type FROM iceberg_tables LIMIT 0`)
    } catch {
      this.#db.exec(`ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)`)
    }
  }

  #namespaceExists(ns: string): boolean {
    const like = `${ns.replace(/[!_%]/g, '!$&')}.%`
    const q = (table: string, col: string): boolean =>
      this.#db.all(
        `SELECT 1 FROM ${table} WHERE catalog_name = ? AND (${col} = ? OR ${col} LIKE ? ESCAPE '!') LIMIT 1`,
        [this.name, ns, like],
      ).length > 0
    return q('iceberg_namespace_properties', 'namespace') || q('iceberg_tables', 'table_namespace')
  }

  async createNamespace(
    namespace: readonly string[],
    properties: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const ns = namespace.join('.')
    if (this.#namespaceExists(ns)) throw new IcebergError('ALREADY_EXISTS', `namespace ${ns} already exists`)
    const props = Object.keys(properties).length > 0 ? properties : { exists: 'true' }
    this.#db.transaction(() => {
      for (const [k, v] of Object.entries(props)) {
        this.#db.run(
          `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)`,
          [this.name, ns, k, v],
        )
      }
    })
  }

  async loadNamespace(namespace: readonly string[]): Promise<Record<string, string>> {
    const ns = namespace.join('.')
    if (!this.#namespaceExists(ns)) throw noSuchNamespace(namespace)
    const rows = this.#db.all(
      `SELECT property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?`,
      [this.name, ns],
    )
    return Object.fromEntries(rows.map((r) => [String(r.property_key), String(r.property_value)]))
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const rows = this.#db.all(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND ${IS_TABLE}`,
      [this.name, namespace.join('.')],
    )
    return rows.map((r) => ({ namespace: [...namespace], name: String(r.table_name) }))
  }

  #location(id: TableIdentifier): string | undefined {
    const rows = this.#db.all(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${IS_TABLE}`,
      [this.name, id.namespace.join('.'), id.name],
    )
    return rows[0] ? String(rows[0].metadata_location) : undefined
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return this.#location(id) !== undefined
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const metadataLocation = this.#location(id)
    if (!metadataLocation) throw noSuchTable(id)
    const metadata = decodeTableMetadata(await this.#store.get(metadataLocation))
    return { identifier: id, metadata, metadataLocation }
  }

  async #writeMetadata(metadata: TableMetadata, version: number): Promise<string> {
    const location = joinLocation(metadata.location, 'metadata', metadataFileName(version))
    await this.#store.put(location, new TextEncoder().encode(serializeTableMetadata(metadata)))
    return location
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable> {
    if (!this.#namespaceExists(id.namespace.join('.'))) throw noSuchNamespace(id.namespace)
    if (await this.tableExists(id))
      throw new IcebergError('ALREADY_EXISTS', `table ${identifierToString(id)} already exists`)
    const location =
      request.location ?? joinLocation(this.#warehouse, `${id.namespace.join('.')}.db`, id.name)
    const metadata = newTableMetadata({ ...request, location })
    const metadataLocation = await this.#writeMetadata(metadata, 0)
    try {
      this.#db.run(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')`,
        [this.name, id.namespace.join('.'), id.name, metadataLocation],
      )
    } catch (err) {
      await this.#store.delete(metadataLocation).catch(() => undefined)
      throw new IcebergError('ALREADY_EXISTS', `table ${identifierToString(id)} already exists`, {
        cause: err,
      })
    }
    return { identifier: id, metadata, metadataLocation }
  }

  async commit(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable> {
    const base = await this.loadTable(id)
    checkRequirements(base.metadata, requirements)
    if (updates.length === 0) return base
    const next = withMetadataLog(applyUpdates(base.metadata, updates), base.metadata, base.metadataLocation)
    const metadataLocation = await this.#writeMetadata(next, metadataVersion(base.metadataLocation) + 1)
    const changed = this.#db.run(
      `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?`,
      [
        metadataLocation,
        base.metadataLocation,
        this.name,
        id.namespace.join('.'),
        id.name,
        base.metadataLocation,
      ],
    )
    if (changed !== 1) {
      await this.#store.delete(metadataLocation).catch(() => undefined)
      throw new CommitConflictError(
        `table ${identifierToString(id)} changed since ${base.metadataLocation} was read`,
      )
    }
    return { identifier: id, metadata: next, metadataLocation }
  }

  async dropTable(id: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const loaded = options.purge ? await this.loadTable(id) : undefined
    const changed = this.#db.run(
      `DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${IS_TABLE}`,
      [this.name, id.namespace.join('.'), id.name],
    )
    if (changed === 0) throw noSuchTable(id)
    if (loaded)
      for (const o of await this.#store.list(`${loaded.metadata.location}/`))
        await this.#store.delete(o.location)
  }
}
