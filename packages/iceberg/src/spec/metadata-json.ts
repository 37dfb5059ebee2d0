/** Table metadata JSON (format version 2), read and written with lossless 64-bit integers. */
import { gunzipSync } from 'node:zlib'
import { IcebergError } from '../errors.ts'
import { type JsonObject, type JsonValue, parseJson, stringifyJson } from '../json/lossless.ts'
import {
  partitionSpecFromJson,
  partitionSpecToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from './partition.ts'
import { schemaFromJson, schemaToJson } from './schema.ts'
import type { Snapshot, SnapshotOperation, SnapshotRef, TableMetadata } from './types.ts'

function invalid(message: string): IcebergError {
  return new IcebergError('INVALID_METADATA', message)
}

/** Reads a JSON long (number or bigint) as bigint. */
export function jsonLong(v: JsonValue | undefined, what: string): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  throw invalid(`${what} must be an integer`)
}

function jsonNumber(v: JsonValue | undefined, what: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  throw invalid(`${what} must be a number`)
}

function stringMap(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) out[k] = String(x)
  return out
}

function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : []
}

/** Reads a snapshot object. */
export function snapshotFromJson(json: JsonValue): Snapshot {
  const o = json as JsonObject
  const summary = stringMap(o.summary)
  if (typeof o['manifest-list'] !== 'string') throw invalid('snapshot manifest-list must be a string')
  return {
    snapshotId: jsonLong(o['snapshot-id'], 'snapshot-id'),
    ...(o['parent-snapshot-id'] != null
      ? { parentSnapshotId: jsonLong(o['parent-snapshot-id'], 'parent-snapshot-id') }
      : {}),
    sequenceNumber: jsonNumber(o['sequence-number'] ?? 0, 'sequence-number'),
    timestampMs: jsonNumber(o['timestamp-ms'], 'timestamp-ms'),
    manifestList: o['manifest-list'],
    summary: { ...summary, operation: (summary.operation ?? 'append') as SnapshotOperation },
    ...(o['schema-id'] != null ? { schemaId: jsonNumber(o['schema-id'], 'schema-id') } : {}),
  }
}

/** Writes a snapshot object. */
export function snapshotToJson(s: Snapshot): JsonObject {
  const out: JsonObject = { 'snapshot-id': s.snapshotId }
  if (s.parentSnapshotId !== undefined) out['parent-snapshot-id'] = s.parentSnapshotId
  out['sequence-number'] = s.sequenceNumber
  out['timestamp-ms'] = s.timestampMs
  out['manifest-list'] = s.manifestList
  out.summary = { ...s.summary }
  if (s.schemaId !== undefined) out['schema-id'] = s.schemaId
  return out
}

/** Reads a snapshot reference object. */
export function refFromJson(json: JsonValue): SnapshotRef {
  const o = json as JsonObject
  const opt = (key: string): number | undefined => (o[key] == null ? undefined : jsonNumber(o[key], key))
  const ref: SnapshotRef = {
    snapshotId: jsonLong(o['snapshot-id'], 'ref snapshot-id'),
    type: o.type === 'tag' ? 'tag' : 'branch',
  }
  const min = opt('min-snapshots-to-keep')
  const age = opt('max-snapshot-age-ms')
  const refAge = opt('max-ref-age-ms')
  return {
    ...ref,
    ...(min !== undefined ? { minSnapshotsToKeep: min } : {}),
    ...(age !== undefined ? { maxSnapshotAgeMs: age } : {}),
    ...(refAge !== undefined ? { maxRefAgeMs: refAge } : {}),
  }
}

/** Writes a snapshot reference object. */
export function refToJson(r: SnapshotRef): JsonObject {
  return {
    'snapshot-id': r.snapshotId,
    type: r.type,
    'min-snapshots-to-keep': r.minSnapshotsToKeep,
    'max-snapshot-age-ms': r.maxSnapshotAgeMs,
    'max-ref-age-ms': r.maxRefAgeMs,
  } as JsonObject
}

/** Reads table metadata from its parsed JSON; only format version 2 is accepted. */
export function metadataFromJson(json: JsonValue): TableMetadata {
  const o = json as JsonObject
  if (o['format-version'] !== 2)
    throw new IcebergError('UNSUPPORTED', `format-version ${o['format-version']} is not supported (2 is)`)
  const current = o['current-snapshot-id']
  const currentSnapshotId =
    current == null || current === -1 ? null : jsonLong(current, 'current-snapshot-id')
  const refs: Record<string, SnapshotRef> = {}
  for (const [name, r] of Object.entries((o.refs ?? {}) as JsonObject)) refs[name] = refFromJson(r)
  if (currentSnapshotId !== null && !refs.main) refs.main = { snapshotId: currentSnapshotId, type: 'branch' }
  return {
    formatVersion: 2,
    tableUuid: String(o['table-uuid']),
    location: String(o.location),
    lastSequenceNumber: jsonNumber(o['last-sequence-number'], 'last-sequence-number'),
    lastUpdatedMs: jsonNumber(o['last-updated-ms'], 'last-updated-ms'),
    lastColumnId: jsonNumber(o['last-column-id'], 'last-column-id'),
    schemas: list(o.schemas).map(schemaFromJson),
    currentSchemaId: jsonNumber(o['current-schema-id'], 'current-schema-id'),
    partitionSpecs: list(o['partition-specs']).map(partitionSpecFromJson),
    defaultSpecId: jsonNumber(o['default-spec-id'], 'default-spec-id'),
    lastPartitionId: jsonNumber(o['last-partition-id'], 'last-partition-id'),
    properties: stringMap(o.properties),
    currentSnapshotId,
    snapshots: list(o.snapshots).map(snapshotFromJson),
    snapshotLog: list(o['snapshot-log']).map((e) => {
      const x = e as JsonObject
      return {
        timestampMs: jsonNumber(x['timestamp-ms'], 'timestamp-ms'),
        snapshotId: jsonLong(x['snapshot-id'], 'snapshot-id'),
      }
    }),
    metadataLog: list(o['metadata-log']).map((e) => {
      const x = e as JsonObject
      return {
        timestampMs: jsonNumber(x['timestamp-ms'], 'timestamp-ms'),
        metadataFile: String(x['metadata-file']),
      }
    }),
    sortOrders: list(o['sort-orders']).map(sortOrderFromJson),
    defaultSortOrderId: jsonNumber(o['default-sort-order-id'] ?? 0, 'default-sort-order-id'),
    refs,
    statistics: list(o.statistics),
    partitionStatistics: list(o['partition-statistics']),
  }
}

/** Writes table metadata as the spec's JSON object (key order as the reference implementation). */
export function metadataToJson(m: TableMetadata): JsonObject {
  const refs: JsonObject = {}
  for (const [name, r] of Object.entries(m.refs)) refs[name] = refToJson(r)
  return {
    'format-version': 2,
    'table-uuid': m.tableUuid,
    location: m.location,
    'last-sequence-number': m.lastSequenceNumber,
    'last-updated-ms': m.lastUpdatedMs,
    'last-column-id': m.lastColumnId,
    'current-schema-id': m.currentSchemaId,
    schemas: m.schemas.map(schemaToJson),
    'default-spec-id': m.defaultSpecId,
    'partition-specs': m.partitionSpecs.map(partitionSpecToJson),
    'last-partition-id': m.lastPartitionId,
    'default-sort-order-id': m.defaultSortOrderId,
    'sort-orders': m.sortOrders.map(sortOrderToJson),
    properties: { ...m.properties },
    // Java writes -1 for "no snapshot" in v2; every reader accepts it, some older ones require it.
    'current-snapshot-id': m.currentSnapshotId ?? -1,
    refs,
    snapshots: m.snapshots.map(snapshotToJson),
    statistics: [...m.statistics],
    'partition-statistics': [...m.partitionStatistics],
    'snapshot-log': m.snapshotLog.map((e) => ({
      'timestamp-ms': e.timestampMs,
      'snapshot-id': e.snapshotId,
    })),
    'metadata-log': m.metadataLog.map((e) => ({
      'timestamp-ms': e.timestampMs,
      'metadata-file': e.metadataFile,
    })),
  }
}

/** Parses a metadata JSON file's text. */
export function parseTableMetadata(text: string): TableMetadata {
  return metadataFromJson(parseJson(text))
}

/** Serializes table metadata to the text of a metadata JSON file. */
export function serializeTableMetadata(m: TableMetadata): string {
  return stringifyJson(metadataToJson(m), 2)
}

/** Decodes a metadata file's bytes, gzip-compressed ones (`.gz.metadata.json`) included. */
export function decodeTableMetadata(bytes: Uint8Array): TableMetadata {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes
  return parseTableMetadata(new TextDecoder().decode(plain))
}
