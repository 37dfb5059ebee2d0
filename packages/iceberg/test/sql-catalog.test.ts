import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { sqlCatalogContract } from './support/sql-catalog-contract.ts'

sqlCatalogContract('SQLite (node:sqlite, in memory)', {
  async open(t) {
    const db = openNodeSqlite(':memory:')
    t.after(() => db.close())
    return db
  },
  async columns(db, table) {
    return (await db.all(`PRAGMA table_info(${table})`)).map((r) => `${r.name}:${r.pk}`)
  },
})
