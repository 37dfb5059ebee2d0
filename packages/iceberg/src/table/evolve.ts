/** Schema evolution: adding optional columns (never rewriting data; old files read them as null). */
import { IcebergError } from '../errors.ts'
import { isPrimitive } from '../spec/schema.ts'
import type { IcebergType, NestedField, TableMetadata } from '../spec/types.ts'
import type { TableRequirement, TableUpdate } from '../spec/updates.ts'
import { currentSchema } from './write.ts'

/** A column to add; nested types may use any ids, they are reassigned. */
export interface NewColumn {
  readonly name: string
  readonly type: IcebergType
  readonly doc?: string
  /** Dotted path of a struct to add the column into (default: top level). */
  readonly parent?: string
}

/** Gives a type fresh field ids from `next()`, parents before children. */
function assignIds(type: IcebergType, next: () => number): IcebergType {
  if (isPrimitive(type)) return type
  if (type.type === 'struct') {
    const ids = type.fields.map(() => next())
    return {
      type: 'struct',
      fields: type.fields.map((f, i) => ({ ...f, id: ids[i]!, type: assignIds(f.type, next) })),
    }
  }
  if (type.type === 'list') {
    const elementId = next()
    return { ...type, elementId, element: assignIds(type.element, next) }
  }
  const keyId = next()
  const valueId = next()
  return { ...type, keyId, valueId, key: assignIds(type.key, next), value: assignIds(type.value, next) }
}

function insert(fields: readonly NestedField[], path: readonly string[], field: NestedField): NestedField[] {
  if (path.length === 0) return [...fields, field]
  const [head, ...rest] = path
  const parent = fields.find((f) => f.name === head)
  if (!parent || isPrimitive(parent.type) || parent.type.type !== 'struct') {
    throw new IcebergError('INVALID_ARGUMENT', `cannot add ${field.name}: ${head} is not a struct column`)
  }
  const type = { type: 'struct' as const, fields: insert(parent.type.fields, rest, field) }
  return fields.map((f) => (f === parent ? { ...f, type } : f))
}

function siblings(fields: readonly NestedField[], path: readonly string[]): readonly NestedField[] {
  let level = fields
  for (const name of path) {
    const f = level.find((x) => x.name === name)
    level = f && !isPrimitive(f.type) && f.type.type === 'struct' ? f.type.fields : []
  }
  return level
}

/**
 * The updates that add optional columns to the current schema. Columns whose name already exists
 * are skipped when `ifNotExists`, else rejected with `ALREADY_EXISTS`.
 */
export function addColumnsUpdates(
  m: TableMetadata,
  columns: readonly NewColumn[],
  ifNotExists = false,
): { requirements: TableRequirement[]; updates: TableUpdate[] } {
  const schema = currentSchema(m)
  let last = m.lastColumnId
  const next = (): number => ++last
  let fields = [...schema.fields]
  for (const c of columns) {
    const path = c.parent ? c.parent.split('.') : []
    if (siblings(fields, path).some((f) => f.name === c.name)) {
      if (ifNotExists) continue
      throw new IcebergError('ALREADY_EXISTS', `column ${[...path, c.name].join('.')} already exists`)
    }
    const id = next()
    const field: NestedField = {
      id,
      name: c.name,
      required: false,
      type: assignIds(c.type, next),
      ...(c.doc ? { doc: c.doc } : {}),
    }
    fields = insert(fields, path, field)
  }
  if (last === m.lastColumnId) return { requirements: [], updates: [] }
  return {
    requirements: [
      { type: 'assert-current-schema-id', currentSchemaId: m.currentSchemaId },
      { type: 'assert-last-assigned-field-id', lastAssignedFieldId: m.lastColumnId },
    ],
    updates: [
      {
        action: 'add-schema',
        schema: { ...schema, schemaId: Math.max(...m.schemas.map((s) => s.schemaId)) + 1, fields },
        lastColumnId: last,
      },
      { action: 'set-current-schema', schemaId: -1 },
    ],
  }
}
