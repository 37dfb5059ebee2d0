import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Table } from '@healthstream/iceberg'
import { addMissingColumns, ensureTables } from '../../src/committing/ensure-tables.ts'
import { TABLES, TableNames } from '../../src/committing/tables.ts'
import { memoryLake } from '../support/memory.ts'

describe('the tables on start', () => {
  it('creates the five tables once, with the schemas and partition specs written down in tables.ts', async () => {
    const lake = await memoryLake()
    const again = await ensureTables(lake, TABLES)
    for (const def of TABLES) {
      const t = again.get(def.name)!
      assert.deepEqual(t.schema.fields, def.schema.fields, def.name)
      assert.deepEqual(t.spec.fields, def.spec.fields, def.name)
    }
    assert.deepEqual(again.get(TableNames.daily)!.schema.identifierFieldIds, [1, 2, 5, 7])
  })

  it('adds an optional column that tables.ts gained, and refuses a required one', async () => {
    const lake = await memoryLake()
    const raw = await Table.load(lake.catalog, lake.store, { namespace: ['health'], name: TableNames.raw })
    const def = TABLES[0]!
    const grown = {
      ...def,
      schema: {
        ...def.schema,
        fields: [...def.schema.fields, { id: 99, name: 'note', type: 'string' as const, required: false }],
      },
    }
    const evolved = await addMissingColumns(raw, grown)
    assert.equal(evolved.schema.fields.at(-1)?.name, 'note')
    assert.equal(evolved.schema.fields.at(-1)?.id, 38, 'the next free id, after the nested ones')
    const strict = {
      ...def,
      schema: {
        ...def.schema,
        fields: [...def.schema.fields, { id: 99, name: 'must', type: 'string' as const, required: true }],
      },
    }
    await assert.rejects(addMissingColumns(evolved, strict), {
      code: 'LAKE_SCHEMA_EVOLUTION',
      message: /must be optional/,
    })
  })
})
