/**
 * Files from the columnar writer, read by pyarrow (a reader we do not write): every value of every
 * type, the field ids on every column, nested ones included, and the footer statistics.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { writeParquet } from '../src/index.ts'
import { ALL_TYPES_SCHEMA, allTypesRow } from './fixtures/all-types.ts'

const READ = `
import json, struct, sys
import pyarrow as pa, pyarrow.parquet as pq
path = sys.argv[1]
t = pq.read_table(path)
ids = {}
def walk(field, path):
    ids[path] = int((field.metadata or {}).get(b'PARQUET:field_id', b'-1'))
    if pa.types.is_list(field.type): walk(field.type.value_field, path + '.element')
    elif pa.types.is_map(field.type):
        walk(field.type.key_field, path + '.key'); walk(field.type.item_field, path + '.value')
for f in t.schema: walk(f, f.name)
def enc(v):
    if v is None or isinstance(v, (bool, str)): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, float): return 'nan' if v != v else struct.pack('<d', v).hex()
    if isinstance(v, (bytes, bytearray)): return 'hex:' + bytes(v).hex()
    if hasattr(v, 'bytes'): return 'hex:' + v.bytes.hex()
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    raise TypeError(type(v))
cols = {}
for name in t.column_names:
    col = t.column(name)
    if pa.types.is_timestamp(col.type) or pa.types.is_time(col.type): col = col.cast(pa.int64())
    elif pa.types.is_date(col.type): col = col.cast(pa.int32())
    cols[name] = [enc(v) for v in col.to_pylist()]
meta = pq.ParquetFile(path).metadata
nulls = {}
for g in range(meta.num_row_groups):
    for c in range(meta.num_columns):
        col = meta.row_group(g).column(c)
        nulls[col.path_in_schema] = nulls.get(col.path_in_schema, 0) + col.statistics.null_count
print(json.dumps({'ids': ids, 'cols': cols, 'nulls': nulls, 'groups': meta.num_row_groups}))
`

interface PyarrowView {
  ids: Record<string, number>
  cols: Record<string, unknown[]>
  nulls: Record<string, number>
  groups: number
}

function python(): string {
  return (
    process.env.LAKE_PYTHON ?? join(import.meta.dirname, '..', '..', '..', '.stack', 'venv', 'bin', 'python')
  )
}

function readWithPyarrow(bytes: Uint8Array): Promise<PyarrowView> {
  const dir = mkdtempSync(join(tmpdir(), 'pq-'))
  const file = join(dir, 'data.parquet')
  writeFileSync(file, bytes)
  return new Promise<PyarrowView>((resolve, reject) =>
    execFile(python(), ['-c', READ, file], { maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`pyarrow: ${stderr || error.message}`)) : resolve(JSON.parse(stdout)),
    ),
  ).finally(() => rmSync(dir, { recursive: true, force: true }))
}

const hex = (b: Uint8Array) => `hex:${Buffer.from(b).toString('hex')}`
const float = (v: number) => {
  if (Number.isNaN(v)) return 'nan'
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, v, true)
  return Buffer.from(b).toString('hex')
}
const long = (v: unknown) => (v === null ? null : String(BigInt(v as number | bigint)))

/** A value as the pyarrow script prints it. */
function expected(name: string, v: unknown): unknown {
  if (v === null) return null
  switch (name) {
    case 'i':
    case 'dt':
      return String(v)
    case 'l':
    case 't':
    case 'ts':
    case 'tz':
    case 'ns':
      return long(v)
    case 'f':
      return float(Math.fround(v as number))
    case 'd':
      return float(v as number)
    case 'u':
      return `hex:${(v as string).replaceAll('-', '')}`
    case 'bin':
    case 'fx':
      return hex(v as Uint8Array)
    case 'll':
      return (v as unknown[]).map(long)
    case 'm':
      return Object.entries(v as object)
    case 'md':
      return [...(v as Map<string, number | null>)].map(([k, x]) => [k, x === null ? null : float(x)])
    default:
      return v
  }
}

describe('columnar Parquet files read by pyarrow', () => {
  const rows = fc.sample(allTypesRow, { numRuns: 400, seed: 7 })
  const written = writeParquet(ALL_TYPES_SCHEMA, rows, { rowGroupRows: 150, pageSize: 512 })

  it('read back to every value written, in three row groups of small pages', async () => {
    const view = await readWithPyarrow(written.bytes)
    assert.equal(view.groups, 3)
    for (const field of ALL_TYPES_SCHEMA.fields) {
      assert.deepEqual(
        view.cols[field.name],
        rows.map((r) => expected(field.name, r[field.name as keyof typeof r])),
        field.name,
      )
    }
  })

  it('carry the field id on every column, list elements and map keys and values included', async () => {
    const view = await readWithPyarrow(written.bytes)
    const top = Object.fromEntries(ALL_TYPES_SCHEMA.fields.map((f) => [f.name, f.id]))
    assert.deepEqual(view.ids, {
      ...top,
      'ls.element': 20,
      'll.element': 21,
      'm.key': 22,
      'm.value': 23,
      'md.key': 24,
      'md.value': 25,
    })
  })

  it('have footer statistics with the null counts the writer reports', async () => {
    const view = await readWithPyarrow(written.bytes)
    for (const field of ALL_TYPES_SCHEMA.fields.slice(0, 15))
      assert.equal(view.nulls[field.name], written.columnStats.get(field.id)?.nulls, field.name)
  })
})
