/** Partition specs and sort orders: JSON both ways, partition tuples, and partition paths. */

import type { PrimitiveValue } from '@healthstream/parquet'
import { IcebergError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json/lossless.ts'
import { applyTransform, parseTransform, transformResultType } from '../transforms/transforms.ts'
import { humanString } from './human.ts'
import { fieldById, isPrimitive } from './schema.ts'
import type { PartitionField, PartitionSpec, PrimitiveType, Schema, SortOrder } from './types.ts'

/** Partition field ids start here (the reference implementation's convention). */
export const FIRST_PARTITION_FIELD_ID = 1000

/** The spec with id 0 and no fields. */
export const UNPARTITIONED: PartitionSpec = { specId: 0, fields: [] }

/** The unsorted order (id 0). */
export const UNSORTED: SortOrder = { orderId: 0, fields: [] }

function num(v: JsonValue | undefined, what: string): number {
  if (typeof v !== 'number') throw new IcebergError('INVALID_METADATA', `${what} must be a number`)
  return v
}

/** Reads the fields array of a partition spec. */
export function partitionFieldsFromJson(json: JsonValue): PartitionField[] {
  if (!Array.isArray(json)) throw new IcebergError('INVALID_METADATA', 'partition fields must be a list')
  return json.map((f) => {
    const o = f as JsonObject
    return {
      sourceId: num(o['source-id'], 'source-id'),
      fieldId: num(o['field-id'], 'partition field-id'),
      name: String(o.name),
      transform: String(o.transform),
    }
  })
}

/** Reads a partition spec object. */
export function partitionSpecFromJson(json: JsonValue): PartitionSpec {
  const o = json as JsonObject
  return { specId: num(o['spec-id'], 'spec-id'), fields: partitionFieldsFromJson(o.fields ?? []) }
}

/** Writes the fields array of a partition spec (also the manifest's `partition-spec` metadata). */
export function partitionFieldsToJson(fields: readonly PartitionField[]): JsonObject[] {
  return fields.map((f) => ({
    'source-id': f.sourceId,
    'field-id': f.fieldId,
    name: f.name,
    transform: f.transform,
  }))
}

/** Writes a partition spec object. */
export function partitionSpecToJson(spec: PartitionSpec): JsonObject {
  return { 'spec-id': spec.specId, fields: partitionFieldsToJson(spec.fields) }
}

/** Reads a sort order object. */
export function sortOrderFromJson(json: JsonValue): SortOrder {
  const o = json as JsonObject
  const fields = (o.fields ?? []) as JsonObject[]
  return {
    orderId: num(o['order-id'], 'order-id'),
    fields: fields.map((f) => ({
      sourceId: num(f['source-id'], 'sort source-id'),
      transform: String(f.transform),
      direction: f.direction === 'desc' ? 'desc' : 'asc',
      nullOrder: f['null-order'] === 'nulls-last' ? 'nulls-last' : 'nulls-first',
    })),
  }
}

/** Writes a sort order object. */
export function sortOrderToJson(order: SortOrder): JsonObject {
  return {
    'order-id': order.orderId,
    fields: order.fields.map((f) => ({
      transform: f.transform,
      'source-id': f.sourceId,
      direction: f.direction,
      'null-order': f.nullOrder,
    })),
  }
}

/** A partition field with its resolved source and result types. */
export interface BoundPartitionField {
  readonly field: PartitionField
  readonly sourceType: PrimitiveType
  readonly resultType: PrimitiveType
  /** Names from the schema root to the source column (the source may sit inside structs). */
  readonly sourcePath: readonly string[]
}

/** Resolves each partition field against a schema; rejects non-primitive sources and bad transforms. */
export function bindPartitionSpec(spec: PartitionSpec, schema: Schema): BoundPartitionField[] {
  return spec.fields.map((field) => {
    const source = fieldById(schema, field.sourceId)
    if (!isPrimitive(source.type)) {
      throw new IcebergError('INVALID_ARGUMENT', `partition source ${source.name} must be a primitive column`)
    }
    const resultType = transformResultType(parseTransform(field.transform), source.type)
    return { field, sourceType: source.type, resultType, sourcePath: sourcePathOf(schema, field.sourceId) }
  })
}

function sourcePathOf(schema: Schema, id: number): string[] {
  const walk = (fields: Schema['fields'], path: string[]): string[] | undefined => {
    for (const f of fields) {
      if (f.id === id) return [...path, f.name]
      if (!isPrimitive(f.type) && f.type.type === 'struct') {
        const found = walk(f.type.fields, [...path, f.name])
        if (found) return found
      }
    }
    return undefined
  }
  const path = walk(schema.fields, [])
  if (!path)
    throw new IcebergError('INVALID_ARGUMENT', `partition source ${id} is not reachable through structs`)
  return path
}

/** A partition tuple: one value per partition field, in spec order. */
export type PartitionValues = readonly (PrimitiveValue | null)[]

/** Computes the partition tuple of a row (an object keyed by column name). */
export function partitionOf(
  bound: readonly BoundPartitionField[],
  row: Readonly<Record<string, unknown>>,
): PartitionValues {
  return bound.map((b) => {
    let v: unknown = row
    for (const name of b.sourcePath)
      v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[name]
    return applyTransform(
      parseTransform(b.field.transform),
      b.sourceType,
      v as PrimitiveValue | null | undefined,
    )
  })
}

/**
 * A key equal for equal partition tuples whatever form their values came in: a long computed from a
 * row (a number) and the same long read back from a manifest (a bigint), bytes as Buffer or Uint8Array.
 */
export function partitionTupleKey(values: PartitionValues): string {
  let key = ''
  for (const v of values) {
    if (v === null) key += '|null'
    else if (typeof v === 'string') key += `|s${JSON.stringify(v)}`
    else if (v instanceof Uint8Array) key += `|b${Array.from(v).join(',')}`
    else if (Object.is(v, -0))
      key += '|-0' // a partition of its own, as in Java (Float.equals)
    else key += `|${String(v)}` // numbers and bigints alike; a field's values all have its one type
  }
  return key
}

/** Java's `URLEncoder.encode(s, UTF_8)`: keeps `A-Za-z0-9.-*_`, space becomes `+`. */
export function urlEncode(s: string): string {
  let out = ''
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte)
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The partition directory, like Java's `PartitionSpec.partitionToPath`: `day=2026-11-25/bucket=3`. */
export function partitionPath(bound: readonly BoundPartitionField[], values: PartitionValues): string {
  return bound
    .map((b, i) => {
      const t = parseTransform(b.field.transform)
      return `${urlEncode(b.field.name)}=${urlEncode(humanString(t, b.resultType, values[i] ?? null))}`
    })
    .join('/')
}
