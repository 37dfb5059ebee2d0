/**
 * Table updates and requirements: the change objects of the Iceberg REST protocol
 * (`CommitTableRequest`). A REST catalog sends them as JSON; a SQL catalog applies them locally
 * with `applyUpdates` after `checkRequirements` — both paths share these types.
 */
import { IcebergError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json/lossless.ts'
import { jsonLong, refFromJson, refToJson, snapshotFromJson, snapshotToJson } from './metadata-json.ts'
import {
  partitionSpecFromJson,
  partitionSpecToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from './partition.ts'
import { schemaFromJson, schemaToJson } from './schema.ts'
import type { PartitionSpec, Schema, Snapshot, SnapshotRef, SortOrder } from './types.ts'

/** One change to table metadata; `-1` ids mean "the last one added in this commit". */
export type TableUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly formatVersion: number }
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly lastColumnId?: number }
  | { readonly action: 'set-current-schema'; readonly schemaId: number }
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  | { readonly action: 'set-default-spec'; readonly specId: number }
  | { readonly action: 'add-sort-order'; readonly sortOrder: SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly sortOrderId: number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | ({ readonly action: 'set-snapshot-ref'; readonly refName: string } & SnapshotRef)
  | { readonly action: 'remove-snapshots'; readonly snapshotIds: readonly bigint[] }
  | { readonly action: 'remove-snapshot-ref'; readonly refName: string }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] }

/** A condition the current table must meet for a commit to apply. */
export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly snapshotId: bigint | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly lastAssignedFieldId: number }
  | { readonly type: 'assert-current-schema-id'; readonly currentSchemaId: number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly lastAssignedPartitionId: number }
  | { readonly type: 'assert-default-spec-id'; readonly defaultSpecId: number }
  | { readonly type: 'assert-default-sort-order-id'; readonly defaultSortOrderId: number }

/** Writes an update as REST JSON. */
export function updateToJson(u: TableUpdate): JsonObject {
  switch (u.action) {
    case 'assign-uuid':
      return { action: u.action, uuid: u.uuid }
    case 'upgrade-format-version':
      return { action: u.action, 'format-version': u.formatVersion }
    case 'add-schema':
      return {
        action: u.action,
        schema: schemaToJson(u.schema),
        'last-column-id': u.lastColumnId,
      } as JsonObject
    case 'set-current-schema':
      return { action: u.action, 'schema-id': u.schemaId }
    case 'add-spec':
      return { action: u.action, spec: partitionSpecToJson(u.spec) }
    case 'set-default-spec':
      return { action: u.action, 'spec-id': u.specId }
    case 'add-sort-order':
      return { action: u.action, 'sort-order': sortOrderToJson(u.sortOrder) }
    case 'set-default-sort-order':
      return { action: u.action, 'sort-order-id': u.sortOrderId }
    case 'add-snapshot':
      return { action: u.action, snapshot: snapshotToJson(u.snapshot) }
    case 'set-snapshot-ref':
      return { action: u.action, 'ref-name': u.refName, ...refToJson(u) }
    case 'remove-snapshots':
      return { action: u.action, 'snapshot-ids': [...u.snapshotIds] }
    case 'remove-snapshot-ref':
      return { action: u.action, 'ref-name': u.refName }
    case 'set-location':
      return { action: u.action, location: u.location }
    case 'set-properties':
      return { action: u.action, updates: { ...u.updates } }
    case 'remove-properties':
      return { action: u.action, removals: [...u.removals] }
  }
}

function int(v: JsonValue | undefined, what: string): number {
  if (typeof v !== 'number') throw new IcebergError('INVALID_ARGUMENT', `${what} must be a number`)
  return v
}

/** Reads an update from REST JSON. */
export function updateFromJson(json: JsonValue): TableUpdate {
  const o = json as JsonObject
  switch (o.action) {
    case 'assign-uuid':
      return { action: 'assign-uuid', uuid: String(o.uuid) }
    case 'upgrade-format-version':
      return { action: 'upgrade-format-version', formatVersion: int(o['format-version'], 'format-version') }
    case 'add-schema':
      return { action: 'add-schema', schema: schemaFromJson(o.schema ?? null) }
    case 'set-current-schema':
      return { action: 'set-current-schema', schemaId: int(o['schema-id'], 'schema-id') }
    case 'add-spec':
      return { action: 'add-spec', spec: partitionSpecFromJson(o.spec ?? null) }
    case 'set-default-spec':
      return { action: 'set-default-spec', specId: int(o['spec-id'], 'spec-id') }
    case 'add-sort-order':
      return { action: 'add-sort-order', sortOrder: sortOrderFromJson(o['sort-order'] ?? null) }
    case 'set-default-sort-order':
      return { action: 'set-default-sort-order', sortOrderId: int(o['sort-order-id'], 'sort-order-id') }
    case 'add-snapshot':
      return { action: 'add-snapshot', snapshot: snapshotFromJson(o.snapshot ?? null) }
    case 'set-snapshot-ref':
      return { action: 'set-snapshot-ref', refName: String(o['ref-name']), ...refFromJson(o) }
    case 'remove-snapshots':
      return {
        action: 'remove-snapshots',
        snapshotIds: ((o['snapshot-ids'] ?? []) as JsonValue[]).map((v) => jsonLong(v, 'snapshot id')),
      }
    case 'remove-snapshot-ref':
      return { action: 'remove-snapshot-ref', refName: String(o['ref-name']) }
    case 'set-location':
      return { action: 'set-location', location: String(o.location) }
    case 'set-properties':
      return {
        action: 'set-properties',
        updates: Object.fromEntries(
          Object.entries((o.updates ?? {}) as JsonObject).map(([k, v]) => [k, String(v)]),
        ),
      }
    case 'remove-properties':
      return { action: 'remove-properties', removals: ((o.removals ?? []) as JsonValue[]).map(String) }
    default:
      throw new IcebergError('UNSUPPORTED', `unknown table update ${JSON.stringify(o.action)}`)
  }
}

/** Writes a requirement as REST JSON. */
export function requirementToJson(r: TableRequirement): JsonObject {
  switch (r.type) {
    case 'assert-create':
      return { type: r.type }
    case 'assert-table-uuid':
      return { type: r.type, uuid: r.uuid }
    case 'assert-ref-snapshot-id':
      return { type: r.type, ref: r.ref, 'snapshot-id': r.snapshotId }
    case 'assert-last-assigned-field-id':
      return { type: r.type, 'last-assigned-field-id': r.lastAssignedFieldId }
    case 'assert-current-schema-id':
      return { type: r.type, 'current-schema-id': r.currentSchemaId }
    case 'assert-last-assigned-partition-id':
      return { type: r.type, 'last-assigned-partition-id': r.lastAssignedPartitionId }
    case 'assert-default-spec-id':
      return { type: r.type, 'default-spec-id': r.defaultSpecId }
    case 'assert-default-sort-order-id':
      return { type: r.type, 'default-sort-order-id': r.defaultSortOrderId }
  }
}
