/**
 * Columns for extras (fields of a newer upstream schema, `@healthstream/shared/domain` extras.ts):
 * an extra `deviceModel` of kind `string` is the optional column `device_model` of type string,
 * added to `health_data_raw` by schema evolution the first time a row brings it. Pure.
 *
 * An extra's column says so in its doc (`healthstream.extra=<kind>`): that is how a column of our own
 * (or one someone else added) is told apart from an extra's, and how a kind that changed is noticed.
 */
import type { IcebergType, NestedField, NewColumn, Schema } from '@healthstream/iceberg'
import type { Extras, ExtraType, ExtraValue } from '@healthstream/shared/domain'
import type { TableDef } from './tables.ts'

const ICEBERG_TYPE: Readonly<Record<ExtraType, IcebergType>> = {
  string: 'string',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  'array<string>': { type: 'list', elementId: 0, element: 'string', elementRequired: true },
  json: 'string',
}

/** The Iceberg type of an extra's column (`json`: the JSON document in a string column). */
export const icebergTypeOf = (type: ExtraType): IcebergType => ICEBERG_TYPE[type]

/** The column of an extra: snake_case like the table's own (`deviceModel` → `device_model`, `HRVScore` → `hrv_score`). */
export function columnName(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
}

const MARK = /healthstream\.extra=([a-z<>]+)/

/** The doc of an extra's column: where it came from and its kind. */
export const extraDoc = (field: string, type: ExtraType): string =>
  `upstream field ${field} (healthstream.extra=${type})`

/** The kind of an extra's column; undefined for any other column. */
export function extraTypeOfColumn(field: NestedField): ExtraType | undefined {
  const m = field.doc === undefined ? null : MARK.exec(field.doc)
  return m === null ? undefined : (m[1] as ExtraType)
}

/** What a row's extras need of the table's schema. */
export type ExtrasFit =
  /** Every extra has its column: these are the row's values for them, by column. */
  | { readonly kind: 'fit'; readonly values: Readonly<Record<string, unknown>> }
  /** Columns to add first (schema evolution); the row then fits. */
  | { readonly kind: 'missing'; readonly columns: readonly NewColumn[] }
  /** An extra clashes with a column (ours, or an extra's of another kind) or with another extra. */
  | { readonly kind: 'conflict'; readonly detail: string }

/** An extra's value as its column holds it. */
function columnValue(v: ExtraValue): unknown {
  if (v.value === null || v.value === undefined) return null
  if (v.type === 'json') return JSON.stringify(v.value)
  if (v.type === 'double' && typeof v.value === 'string') return Number(v.value) // NaN, ±Infinity
  return v.value
}

const byName = new WeakMap<Schema, ReadonlyMap<string, NestedField>>()

function fieldsByName(schema: Schema): ReadonlyMap<string, NestedField> {
  let map = byName.get(schema)
  if (map === undefined) {
    map = new Map(schema.fields.map((f) => [f.name, f]))
    byName.set(schema, map)
  }
  return map
}

/** How a row's extras fit the table's schema: their values, the columns missing, or a conflict. */
export function fitExtras(extras: Extras, schema: Schema): ExtrasFit {
  const fields = fieldsByName(schema)
  const values: Record<string, unknown> = {}
  const missing: NewColumn[] = []
  const from = new Map<string, string>()
  for (const [name, v] of Object.entries(extras)) {
    const column = columnName(name)
    const other = from.get(column)
    if (other !== undefined) return conflict(`extras ${other} and ${name} both map to column ${column}`)
    from.set(column, name)
    const field = fields.get(column)
    if (field === undefined) {
      missing.push({ name: column, type: icebergTypeOf(v.type), doc: extraDoc(name, v.type) })
      continue
    }
    const has = extraTypeOfColumn(field)
    if (has === undefined)
      return conflict(`extra ${name} would be column ${column}, a column not made for extras`)
    if (has !== v.type) return conflict(`extra ${name} is ${v.type}, its column ${column} holds ${has}`)
    values[column] = columnValue(v)
  }
  return missing.length > 0 ? { kind: 'missing', columns: missing } : { kind: 'fit', values }
}

const conflict = (detail: string): ExtrasFit => ({ kind: 'conflict', detail })

/**
 * The schema rows of `def`'s table are buffered with: its own columns in their order (the direct
 * read fills them by position), then every other column the table has (extras' columns, and columns
 * another writer added), which rows without them leave null.
 */
export function bufferSchema(def: TableDef, current: Schema): Schema {
  const own = new Set(def.schema.fields.map((f) => f.name))
  const others = current.fields.filter((f) => !own.has(f.name))
  if (others.length === 0) return def.schema
  return { ...def.schema, schemaId: current.schemaId, fields: [...def.schema.fields, ...others] }
}
