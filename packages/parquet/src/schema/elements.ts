/**
 * Schema → Parquet schema elements (flattened, depth-first, as the Parquet footer stores them), with
 * the field id on every element and 3-level lists/maps as Parquet's LogicalTypes spec requires.
 */
import type { SchemaElement } from 'hyparquet'
import type { Field, FieldType, PrimitiveType, Schema } from './types.ts'
import { isPrimitive } from './values.ts'

type Repetition = 'REQUIRED' | 'OPTIONAL' | 'REPEATED'

function primitiveElement(type: PrimitiveType): Omit<SchemaElement, 'name'> {
  switch (type) {
    case 'boolean':
      return { type: 'BOOLEAN' }
    case 'int':
      return { type: 'INT32' }
    case 'long':
      return { type: 'INT64' }
    case 'float':
      return { type: 'FLOAT' }
    case 'double':
      return { type: 'DOUBLE' }
    case 'date':
      return { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }
    case 'time':
      return {
        type: 'INT64',
        converted_type: 'TIME_MICROS',
        logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' },
      }
    case 'string':
      return { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }
    case 'uuid':
      return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } }
    case 'binary':
      return { type: 'BYTE_ARRAY' }
  }
  if (type.startsWith('timestamp')) {
    const utc = type.includes('tz')
    const unit = type.endsWith('_ns') ? 'NANOS' : 'MICROS'
    // The legacy converted type means "adjusted to UTC", so it is only set for timestamptz.
    const converted = utc && unit === 'MICROS' ? { converted_type: 'TIMESTAMP_MICROS' as const } : {}
    return { type: 'INT64', ...converted, logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: utc, unit } }
  }
  const fixed = /^fixed\[(\d+)\]$/.exec(type)
  if (fixed) return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: Number(fixed[1]) }
  const [, p, s] = /^decimal\((\d+),(\d+)\)$/.exec(type) ?? []
  const precision = Number(p)
  const scale = Number(s)
  const decimal = {
    converted_type: 'DECIMAL' as const,
    precision,
    scale,
    logical_type: { type: 'DECIMAL' as const, precision, scale },
  }
  if (precision <= 9) return { type: 'INT32', ...decimal }
  if (precision <= 18) return { type: 'INT64', ...decimal }
  return {
    type: 'FIXED_LEN_BYTE_ARRAY',
    type_length: Math.ceil((Math.log2(10 ** precision) + 1) / 8),
    ...decimal,
  }
}

function elements(name: string, type: FieldType, repetition: Repetition, fieldId: number): SchemaElement[] {
  if (isPrimitive(type))
    return [{ name, repetition_type: repetition, field_id: fieldId, ...primitiveElement(type) }]
  if (type.type === 'struct') {
    return [
      { name, repetition_type: repetition, num_children: type.fields.length, field_id: fieldId },
      ...type.fields.flatMap(fieldElements),
    ]
  }
  if (type.type === 'list') {
    return [
      {
        name,
        repetition_type: repetition,
        converted_type: 'LIST',
        logical_type: { type: 'LIST' },
        num_children: 1,
        field_id: fieldId,
      },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...elements('element', type.element, type.elementRequired ? 'REQUIRED' : 'OPTIONAL', type.elementId),
    ]
  }
  return [
    {
      name,
      repetition_type: repetition,
      converted_type: 'MAP',
      logical_type: { type: 'MAP' },
      num_children: 1,
      field_id: fieldId,
    },
    { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
    ...elements('key', type.key, 'REQUIRED', type.keyId),
    ...elements('value', type.value, type.valueRequired ? 'REQUIRED' : 'OPTIONAL', type.valueId),
  ]
}

function fieldElements(field: Field): SchemaElement[] {
  return elements(field.name, field.type, field.required ? 'REQUIRED' : 'OPTIONAL', field.id)
}

/** The Parquet schema elements of a schema: the root `table`, then every field depth-first. */
export function parquetSchemaOf(schema: Schema): SchemaElement[] {
  return [{ name: 'table', num_children: schema.fields.length }, ...schema.fields.flatMap(fieldElements)]
}
