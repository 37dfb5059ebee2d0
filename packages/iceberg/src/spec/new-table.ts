/** Building the first metadata of a new table, and partition specs from column names. */
import { IcebergError } from '../errors.ts'
import { bindPartitionSpec, FIRST_PARTITION_FIELD_ID, UNPARTITIONED, UNSORTED } from './partition.ts'
import { fieldByName, highestFieldId, validateSchema } from './schema.ts'
import type { NestedField, PartitionField, PartitionSpec, Schema, SortOrder, TableMetadata } from './types.ts'

/** What a new table is made of. */
export interface NewTableOptions {
  readonly location: string
  readonly schema: Schema | readonly NestedField[]
  readonly partitionSpec?: PartitionSpec
  readonly sortOrder?: SortOrder
  readonly properties?: Readonly<Record<string, string>>
  readonly tableUuid?: string
  readonly nowMs?: number
}

/** Normalizes a schema argument (a field list becomes schema 0). */
export function toSchema(schema: Schema | readonly NestedField[]): Schema {
  return 'fields' in schema ? (schema as Schema) : { schemaId: 0, fields: schema as readonly NestedField[] }
}

/** Metadata of an empty format-v2 table (schema 0, spec 0, no snapshot). */
export function newTableMetadata(options: NewTableOptions): TableMetadata {
  const schema = { ...toSchema(options.schema), schemaId: 0 }
  validateSchema(schema)
  const spec = { ...(options.partitionSpec ?? UNPARTITIONED), specId: 0 }
  bindPartitionSpec(spec, schema)
  const order = options.sortOrder ?? UNSORTED
  const sortOrder = { ...order, orderId: order.fields.length === 0 ? 0 : 1 }
  const now = options.nowMs ?? Date.now()
  return {
    formatVersion: 2,
    tableUuid: options.tableUuid ?? crypto.randomUUID(),
    location: options.location.replace(/\/+$/, ''),
    lastSequenceNumber: 0,
    lastUpdatedMs: now,
    lastColumnId: highestFieldId(schema.fields),
    schemas: [schema],
    currentSchemaId: 0,
    partitionSpecs: [spec],
    defaultSpecId: 0,
    lastPartitionId: Math.max(FIRST_PARTITION_FIELD_ID - 1, ...spec.fields.map((f) => f.fieldId)),
    properties: { ...options.properties },
    currentSnapshotId: null,
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [sortOrder],
    defaultSortOrderId: sortOrder.orderId,
    refs: {},
    statistics: [],
    partitionStatistics: [],
  }
}

/** A partition field by source column name: `{ source: 'start', transform: 'day' }`. */
export interface PartitionFieldInput {
  readonly source: string
  readonly transform: string
  /** Defaults to the reference implementation's names: `start_day`, `id_bucket`, `name_trunc`, `id`. */
  readonly name?: string
}

function defaultName(source: string, transform: string): string {
  if (transform === 'identity') return source
  if (transform.startsWith('bucket')) return `${source}_bucket`
  if (transform.startsWith('truncate')) return `${source}_trunc`
  if (transform === 'void') return `${source}_null`
  return `${source}_${transform}`
}

/** Builds a partition spec by column names, assigning field ids from `firstFieldId` (1000). */
export function partitionSpecOf(
  schema: Schema | readonly NestedField[],
  fields: readonly PartitionFieldInput[],
  options: { specId?: number; firstFieldId?: number } = {},
): PartitionSpec {
  const s = toSchema(schema)
  const first = options.firstFieldId ?? FIRST_PARTITION_FIELD_ID
  const out: PartitionField[] = fields.map((f, i) => {
    const source = fieldByName(s, f.source)
    if (!source)
      throw new IcebergError('INVALID_ARGUMENT', `partition source column ${f.source} is not in the schema`)
    return {
      sourceId: source.id,
      fieldId: first + i,
      name: f.name ?? defaultName(f.source, f.transform),
      transform: f.transform,
    }
  })
  const spec = { specId: options.specId ?? 0, fields: out }
  bindPartitionSpec(spec, s)
  return spec
}
