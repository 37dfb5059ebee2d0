/**
 * The five tables, on every start: the namespace and the tables created when missing, and optional
 * columns that `tables.ts` gained added to existing tables. Several instances start at once, so
 * "already exists" means another one was first, and a busy catalog is asked again.
 */
import { isIcebergError, Table } from '@healthstream/iceberg'
import { SchemaEvolutionError } from './errors.ts'
import type { Lake } from './open-lake.ts'
import { TABLE_PROPERTIES, type TableDef } from './tables.ts'

/** Runs `fn` again after errors that say so (a busy catalog), up to `attempts` times. */
async function retrying<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (error) {
      if (!isIcebergError(error) || !error.canRetry || i >= attempts) throw error
      await new Promise((r) => setTimeout(r, 200 * 2 ** i))
    }
  }
}

async function loadOrCreate(lake: Lake, def: TableDef): Promise<Table> {
  const id = { namespace: lake.namespace, name: def.name }
  try {
    return await Table.load(lake.catalog, lake.store, id)
  } catch (error) {
    if (!isIcebergError(error, 'NO_SUCH_TABLE')) throw error
  }
  const request = { schema: def.schema, partitionSpec: def.spec, properties: TABLE_PROPERTIES }
  return Table.create(lake.catalog, lake.store, id, request).catch(async (e: unknown) => {
    // Another instance created it first: use that one.
    if (isIcebergError(e, 'ALREADY_EXISTS')) return Table.load(lake.catalog, lake.store, id)
    throw e
  })
}

/** Loads each table, creating the namespace and the tables that do not exist yet. */
export async function ensureTables(lake: Lake, defs: readonly TableDef[]): Promise<Map<string, Table>> {
  await retrying(() =>
    lake.catalog.createNamespace(lake.namespace).catch((error: unknown) => {
      if (!isIcebergError(error, 'ALREADY_EXISTS')) throw error
    }),
  )
  const out = new Map<string, Table>()
  for (const def of defs) {
    const table = await retrying(() => loadOrCreate(lake, def))
    out.set(def.name, await retrying(() => addMissingColumns(table, def)))
  }
  return out
}

/**
 * Schema evolution: optional columns that `tables.ts` gained since the table was created are added
 * (old files read them as null); nothing is ever rewritten, renamed or dropped.
 */
export async function addMissingColumns(table: Table, def: TableDef): Promise<Table> {
  const have = new Set(table.schema.fields.map((f) => f.name))
  const missing = def.schema.fields.filter((f) => !have.has(f.name))
  const required = missing.filter((f) => f.required).map((f) => f.name)
  if (required.length > 0) throw new SchemaEvolutionError(def.name, required)
  if (missing.length === 0) return table
  const columns = missing.map((f) => ({ name: f.name, type: f.type, ...(f.doc ? { doc: f.doc } : {}) }))
  return table.addColumns(columns, { ifNotExists: true })
}
