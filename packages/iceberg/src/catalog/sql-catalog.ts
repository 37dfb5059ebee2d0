/**
 * A SQL catalog with the table layout of Iceberg's JDBC catalog (and pyiceberg's SqlCatalog), so
 * both read what this one writes, on SQLite or PostgreSQL. A commit writes a new metadata file, then
 * swaps the pointer with `UPDATE … WHERE metadata_location = <the location it was based on>`; zero
 * rows changed means another writer won, reported as a retryable `CommitConflictError`. (On
 * PostgreSQL a concurrent UPDATE of the same row waits for the first and then re-checks the WHERE
 * against the committed row, so exactly one of two racing writers changes it.)
 */
import { CommitConflictError, CommitStateUnknownError, IcebergError } from '../errors.ts'
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
  readonly #sql: SqlDatabase
  readonly #store: ObjectStore
  readonly #warehouse: string
  #ready: Promise<SqlDatabase> | undefined

  constructor(options: SqlCatalogOptions) {
    this.name = options.name
    this.#sql = options.db
    this.#store = options.store
    this.#warehouse = options.warehouse
  }

  /** The database, once the catalog tables exist (created on first use; tried again after a failure). */
  #db(): Promise<SqlDatabase> {
    this.#ready ??= this.#init().catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })
    return this.#ready
  }

  async #init(): Promise<SqlDatabase> {
    const db = this.#sql
    for (const ddl of [TABLES_DDL, NAMESPACES_DDL]) {
      // Two writers starting at once on PostgreSQL can both pass IF NOT EXISTS; the loser's retry sees the table.
      await db.exec(ddl).catch(async () => db.exec(ddl))
    }
    // Adds `iceberg_type` to a table made by an older catalog (as pyiceberg and Java do).
    try {
      await db.all(`SELECT iceberg_type FROM iceberg_tables LIMIT 0`)
    } catch {
      await db.exec(`ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)`)
    }
    return db
  }

  /** Creates the catalog tables now if they are missing (every other call does it on first use). */
  async initialize(): Promise<void> {
    await this.#db()
  }

  async #namespaceExists(ns: string): Promise<boolean> {
    const db = await this.#db()
    const like = `${ns.replace(/[!_%]/g, '!$&')}.%`
    const q = async (table: string, col: string): Promise<boolean> =>
      (
        await db.all(
          `SELECT 1 FROM ${table} WHERE catalog_name = ? AND (${col} = ? OR ${col} LIKE ? ESCAPE '!') LIMIT 1`,
          [this.name, ns, like],
        )
      ).length > 0
    return (await q('iceberg_namespace_properties', 'namespace')) || q('iceberg_tables', 'table_namespace')
  }

  async createNamespace(
    namespace: readonly string[],
    properties: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const ns = namespace.join('.')
    if (await this.#namespaceExists(ns))
      throw new IcebergError('ALREADY_EXISTS', `namespace ${ns} already exists`)
    const props = Object.keys(properties).length > 0 ? properties : { exists: 'true' }
    const db = await this.#db()
    try {
      await db.transaction(async (tx) => {
        for (const [k, v] of Object.entries(props)) {
          await tx.run(
            `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)`,
            [this.name, ns, k, v],
          )
        }
      })
    } catch (err) {
      // Another client created it between the check and the insert (the primary key refused ours).
      if (await this.#namespaceExists(ns))
        throw new IcebergError('ALREADY_EXISTS', `namespace ${ns} already exists`, { cause: err })
      throw err
    }
  }

  async loadNamespace(namespace: readonly string[]): Promise<Record<string, string>> {
    const ns = namespace.join('.')
    if (!(await this.#namespaceExists(ns))) throw noSuchNamespace(namespace)
    const rows = await (await this.#db()).all(
      `SELECT property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?`,
      [this.name, ns],
    )
    return Object.fromEntries(rows.map((r) => [String(r.property_key), String(r.property_value)]))
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const rows = await (await this.#db()).all(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND ${IS_TABLE}`,
      [this.name, namespace.join('.')],
    )
    return rows.map((r) => ({ namespace: [...namespace], name: String(r.table_name) }))
  }

  async #location(id: TableIdentifier): Promise<string | undefined> {
    const rows = await (await this.#db()).all(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${IS_TABLE}`,
      [this.name, id.namespace.join('.'), id.name],
    )
    return rows[0] ? String(rows[0].metadata_location) : undefined
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.#location(id)) !== undefined
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const metadataLocation = await this.#location(id)
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
    if (!(await this.#namespaceExists(id.namespace.join('.')))) throw noSuchNamespace(id.namespace)
    if (await this.tableExists(id))
      throw new IcebergError('ALREADY_EXISTS', `table ${identifierToString(id)} already exists`)
    const location =
      request.location ?? joinLocation(this.#warehouse, `${id.namespace.join('.')}.db`, id.name)
    const metadata = newTableMetadata({ ...request, location })
    const metadataLocation = await this.#writeMetadata(metadata, 0)
    try {
      await (await this.#db()).run(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')`,
        [this.name, id.namespace.join('.'), id.name, metadataLocation],
      )
    } catch (err) {
      await this.#store.delete(metadataLocation).catch(() => undefined)
      if (!(await this.tableExists(id))) throw err
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
    const changed = await this.#swap(id, base.metadataLocation, metadataLocation)
    if (changed !== 1) {
      await this.#store.delete(metadataLocation).catch(() => undefined)
      throw new CommitConflictError(
        `table ${identifierToString(id)} changed since ${base.metadataLocation} was read`,
      )
    }
    return { identifier: id, metadata: next, metadataLocation }
  }

  /** The compare-and-swap of the pointer; an error leaves it unknown whether the swap landed. */
  async #swap(id: TableIdentifier, expected: string, next: string): Promise<number> {
    const db = await this.#db()
    try {
      return await db.run(
        `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?`,
        [next, expected, this.name, id.namespace.join('.'), id.name, expected],
      )
    } catch (err) {
      // The statement may have committed before the connection failed: keep the metadata file.
      throw new CommitStateUnknownError(
        `table ${identifierToString(id)}: no answer whether ${next} replaced ${expected}`,
        { cause: err },
      )
    }
  }

  async dropTable(id: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const loaded = options.purge ? await this.loadTable(id) : undefined
    const changed = await (await this.#db()).run(
      `DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${IS_TABLE}`,
      [this.name, id.namespace.join('.'), id.name],
    )
    if (changed === 0) throw noSuchTable(id)
    if (loaded)
      for (const o of await this.#store.list(`${loaded.metadata.location}/`))
        await this.#store.delete(o.location)
  }
}
