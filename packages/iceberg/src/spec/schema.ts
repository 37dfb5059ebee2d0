/** Schemas: JSON (Appendix C) both ways, and lookups by field id. */
import { IcebergError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json/lossless.ts'
import type { IcebergType, NestedField, PrimitiveType, Schema, StructType } from './types.ts'

const SIMPLE = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'binary',
])
const FIXED = /^fixed\[\s*(\d+)\s*\]$/
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/

function invalid(message: string): IcebergError {
  return new IcebergError('INVALID_METADATA', message)
}

/** Parses a primitive type name, accepting the whitespace the spec allows in parameters. */
export function parsePrimitive(name: string): PrimitiveType {
  if (SIMPLE.has(name)) return name as PrimitiveType
  const fixed = FIXED.exec(name)
  if (fixed) return `fixed[${Number(fixed[1])}]`
  const decimal = DECIMAL.exec(name)
  if (decimal) return `decimal(${Number(decimal[1])},${Number(decimal[2])})`
  throw invalid(`unknown Iceberg type ${JSON.stringify(name)}`)
}

/** True for primitive types (the ones stored in a single column). */
export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return typeof type === 'string'
}

function asObject(json: JsonValue | undefined, what: string): JsonObject {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw invalid(`${what} must be an object`)
  return json as JsonObject
}

function asInt(json: JsonValue | undefined, what: string): number {
  if (typeof json !== 'number' || !Number.isInteger(json)) throw invalid(`${what} must be an integer`)
  return json
}

/** Reads a type from its JSON form. */
export function typeFromJson(json: JsonValue | undefined): IcebergType {
  if (typeof json === 'string') return parsePrimitive(json)
  const o = asObject(json, 'type')
  switch (o.type) {
    case 'struct':
      return structFromJson(o)
    case 'list':
      return {
        type: 'list',
        elementId: asInt(o['element-id'], 'element-id'),
        element: typeFromJson(o.element),
        elementRequired: o['element-required'] === true,
      }
    case 'map':
      return {
        type: 'map',
        keyId: asInt(o['key-id'], 'key-id'),
        key: typeFromJson(o.key),
        valueId: asInt(o['value-id'], 'value-id'),
        value: typeFromJson(o.value),
        valueRequired: o['value-required'] === true,
      }
    default:
      throw invalid(`unknown nested type ${JSON.stringify(o.type)}`)
  }
}

function structFromJson(o: JsonObject): StructType {
  if (!Array.isArray(o.fields)) throw invalid('struct fields must be a list')
  return { type: 'struct', fields: o.fields.map(fieldFromJson) }
}

function fieldFromJson(json: JsonValue): NestedField {
  const o = asObject(json, 'field')
  if (typeof o.name !== 'string') throw invalid('field name must be a string')
  return {
    id: asInt(o.id, 'field id'),
    name: o.name,
    type: typeFromJson(o.type),
    required: o.required === true,
    ...(typeof o.doc === 'string' ? { doc: o.doc } : {}),
    ...(o['initial-default'] !== undefined ? { initialDefault: o['initial-default'] } : {}),
    ...(o['write-default'] !== undefined ? { writeDefault: o['write-default'] } : {}),
  }
}

/** Writes a type in its JSON form. */
export function typeToJson(type: IcebergType): JsonValue {
  if (isPrimitive(type)) return type
  switch (type.type) {
    case 'struct':
      return { type: 'struct', fields: type.fields.map(fieldToJson) }
    case 'list':
      return {
        type: 'list',
        'element-id': type.elementId,
        element: typeToJson(type.element),
        'element-required': type.elementRequired,
      }
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: typeToJson(type.key),
        'value-id': type.valueId,
        value: typeToJson(type.value),
        'value-required': type.valueRequired,
      }
  }
}

function fieldToJson(field: NestedField): JsonObject {
  const out: JsonObject = {
    id: field.id,
    name: field.name,
    required: field.required,
    type: typeToJson(field.type),
  }
  if (field.doc !== undefined) out.doc = field.doc
  if (field.initialDefault !== undefined) out['initial-default'] = field.initialDefault
  if (field.writeDefault !== undefined) out['write-default'] = field.writeDefault
  return out
}

/** Reads a schema (a struct with `schema-id`). */
export function schemaFromJson(json: JsonValue): Schema {
  const o = asObject(json, 'schema')
  const ids = o['identifier-field-ids']
  return {
    schemaId: asInt(o['schema-id'] ?? 0, 'schema-id'),
    fields: structFromJson(o).fields,
    ...(Array.isArray(ids) && ids.length > 0
      ? { identifierFieldIds: ids.map((id) => asInt(id, 'identifier id')) }
      : {}),
  }
}

/** Writes a schema as the spec's JSON object. */
export function schemaToJson(schema: Schema): JsonObject {
  const out: JsonObject = {
    type: 'struct',
    'schema-id': schema.schemaId,
    fields: schema.fields.map(fieldToJson),
  }
  if (schema.identifierFieldIds?.length) out['identifier-field-ids'] = [...schema.identifierFieldIds]
  return out
}

/** A field found by id, with the names leading to it and whether a list or map encloses it. */
export interface IndexedField {
  readonly field: NestedField
  readonly path: readonly string[]
  readonly repeated: boolean
}

/** Indexes every field (nested ones too, list elements and map keys/values included) by id. */
export function indexFields(fields: readonly NestedField[]): Map<number, IndexedField> {
  const index = new Map<number, IndexedField>()
  const visit = (field: NestedField, path: readonly string[], repeated: boolean): void => {
    const here = [...path, field.name]
    index.set(field.id, { field, path: here, repeated })
    for (const child of childFields(field.type)) visit(child, here, repeated || !isStructLike(field.type))
  }
  for (const field of fields) visit(field, [], false)
  return index
}

function isStructLike(type: IcebergType): boolean {
  return !isPrimitive(type) && type.type === 'struct'
}

/** The child fields of a nested type, list elements and map entries as synthetic fields. */
export function childFields(type: IcebergType): NestedField[] {
  if (isPrimitive(type)) return []
  if (type.type === 'struct') return [...type.fields]
  if (type.type === 'list') {
    return [{ id: type.elementId, name: 'element', type: type.element, required: type.elementRequired }]
  }
  return [
    { id: type.keyId, name: 'key', type: type.key, required: true },
    { id: type.valueId, name: 'value', type: type.value, required: type.valueRequired },
  ]
}

/** The highest field id used anywhere in these fields (0 when empty). */
export function highestFieldId(fields: readonly NestedField[]): number {
  let max = 0
  for (const id of indexFields(fields).keys()) max = Math.max(max, id)
  return max
}

/** Finds a field by id or throws naming the id. */
export function fieldById(schema: Schema, id: number): NestedField {
  const found = indexFields(schema.fields).get(id)
  if (!found)
    throw new IcebergError('INVALID_ARGUMENT', `schema ${schema.schemaId} has no field with id ${id}`)
  return found.field
}

/** Finds a top-level or nested (dotted path) field by name. */
export function fieldByName(schema: Schema, name: string): NestedField | undefined {
  for (const { field, path } of indexFields(schema.fields).values()) if (path.join('.') === name) return field
  return undefined
}

/** Rejects duplicate field ids (anywhere) and duplicate names within a struct. */
export function validateSchema(schema: Schema): void {
  const seen = new Set<number>()
  const claim = (id: number): void => {
    if (seen.has(id)) throw new IcebergError('INVALID_ARGUMENT', `duplicate field id ${id}`)
    seen.add(id)
  }
  const visit = (type: IcebergType): void => {
    if (isPrimitive(type)) return
    if (type.type === 'struct') {
      const names = new Set<string>()
      for (const f of type.fields) {
        if (names.has(f.name)) throw new IcebergError('INVALID_ARGUMENT', `duplicate field name ${f.name}`)
        names.add(f.name)
        claim(f.id)
        visit(f.type)
      }
      return
    }
    for (const child of childFields(type)) {
      claim(child.id)
      visit(child.type)
    }
  }
  visit({ type: 'struct', fields: schema.fields })
}
