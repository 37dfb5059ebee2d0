import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gzipSync } from 'node:zlib'
import { parseJson } from '../src/json/lossless.ts'
import { applyUpdates, checkRequirements, withMetadataLog } from '../src/spec/apply.ts'
import {
  decodeTableMetadata,
  metadataToJson,
  parseTableMetadata,
  serializeTableMetadata,
} from '../src/spec/metadata-json.ts'
import { newTableMetadata, partitionSpecOf } from '../src/spec/new-table.ts'
import type { Snapshot, TableMetadata } from '../src/spec/types.ts'
import { type TableUpdate, updateFromJson, updateToJson } from '../src/spec/updates.ts'
import { NESTED_FIELDS } from './fixtures/schema.ts'

const BIG_ID = 9_123_456_789_012_345_678n

function table(): TableMetadata {
  return newTableMetadata({
    location: 'file:///lake/health/t/',
    schema: NESTED_FIELDS,
    partitionSpec: partitionSpecOf(NESTED_FIELDS, [{ source: 'start', transform: 'day' }]),
    properties: { owner: 'test' },
    tableUuid: '2b1a0a0e-7e1c-4c56-9d61-9d4a1b0c1d2e',
    nowMs: 1_000,
  })
}

function snapshot(id: bigint, seq: number, parent?: bigint): Snapshot {
  return {
    snapshotId: id,
    ...(parent !== undefined ? { parentSnapshotId: parent } : {}),
    sequenceNumber: seq,
    timestampMs: 2_000 + seq,
    manifestList: `file:///lake/health/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append', 'kafka.offsets': '{"0":42}' },
    schemaId: 0,
  }
}

describe('new table metadata', () => {
  it('starts at format version 2 with schema 0, spec 0 from field id 1000, and no snapshot', () => {
    const m = table()
    assert.equal(m.formatVersion, 2)
    assert.equal(m.lastColumnId, 10)
    assert.equal(m.lastPartitionId, 1000)
    assert.deepEqual(m.partitionSpecs[0]?.fields, [
      { sourceId: 2, fieldId: 1000, name: 'start_day', transform: 'day' },
    ])
    assert.equal(m.location, 'file:///lake/health/t')
    assert.equal(m.currentSnapshotId, null)
  })

  it('writes the v2 JSON fields the spec requires, with -1 for no current snapshot', () => {
    const json = metadataToJson(table())
    for (const key of [
      'format-version',
      'table-uuid',
      'location',
      'last-sequence-number',
      'last-updated-ms',
      'last-column-id',
      'schemas',
      'current-schema-id',
      'partition-specs',
      'default-spec-id',
      'last-partition-id',
      'sort-orders',
      'default-sort-order-id',
    ]) {
      assert.ok(key in json, key)
    }
    assert.equal(json['current-snapshot-id'], -1)
  })

  it('rejects a partition source that does not exist', () => {
    assert.throws(() => partitionSpecOf(NESTED_FIELDS, [{ source: 'nope', transform: 'day' }]), /nope/)
  })
})

describe('table metadata JSON', () => {
  it('round-trips metadata with a snapshot id above 2^53 exactly', () => {
    const m = applyUpdates(table(), [
      { action: 'add-snapshot', snapshot: snapshot(BIG_ID, 1) },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: BIG_ID, type: 'branch' },
    ])
    const text = serializeTableMetadata(m)
    assert.match(text, /"current-snapshot-id": 9123456789012345678/)
    assert.deepEqual(parseTableMetadata(text), m)
  })

  it('reads a reference-implementation style document with -1 current snapshot and no refs', () => {
    const doc = serializeTableMetadata(table()).replace('"refs": {},', '')
    const m = parseTableMetadata(doc)
    assert.equal(m.currentSnapshotId, null)
    assert.deepEqual(m.refs, {})
  })

  it('creates the main ref from current-snapshot-id when refs are missing', () => {
    const json = metadataToJson(
      applyUpdates(table(), [{ action: 'add-snapshot', snapshot: snapshot(BIG_ID, 1) }]),
    )
    json['current-snapshot-id'] = BIG_ID
    const m = parseTableMetadata(
      JSON.stringify(json, (_k, v) => (typeof v === 'bigint' ? `@${v}@` : v)).replace(/"@(\d+)@"/g, '$1'),
    )
    assert.deepEqual(m.refs.main, { snapshotId: BIG_ID, type: 'branch' })
  })

  it('reads gzip-compressed metadata files as well as plain ones', () => {
    const text = serializeTableMetadata(table())
    assert.deepEqual(decodeTableMetadata(gzipSync(text)), table())
    assert.deepEqual(decodeTableMetadata(new TextEncoder().encode(text)), table())
  })

  it('refuses format versions other than 2', () => {
    assert.throws(() => parseTableMetadata('{"format-version":3}'), { code: 'UNSUPPORTED' })
  })
})

describe('applying updates', () => {
  it('adds a snapshot, moves main, and logs the change', () => {
    const m = applyUpdates(
      table(),
      [
        { action: 'add-snapshot', snapshot: snapshot(BIG_ID, 1) },
        { action: 'set-snapshot-ref', refName: 'main', snapshotId: BIG_ID, type: 'branch' },
      ],
      5_000,
    )
    assert.equal(m.currentSnapshotId, BIG_ID)
    assert.equal(m.lastSequenceNumber, 1)
    assert.deepEqual(m.snapshotLog, [{ timestampMs: 2_001, snapshotId: BIG_ID }])
    assert.equal(m.lastUpdatedMs, 5_000)
  })

  it('reuses the id of an equal schema and assigns the next id to a new one, then -1 selects it', () => {
    const base = table()
    const same = applyUpdates(base, [
      { action: 'add-schema', schema: { schemaId: 7, fields: NESTED_FIELDS } },
    ])
    assert.equal(same.schemas.length, 1)
    const added = [...NESTED_FIELDS, { id: 11, name: 'note', type: 'string' as const, required: false }]
    const next = applyUpdates(base, [
      { action: 'add-schema', schema: { schemaId: 0, fields: added } },
      { action: 'set-current-schema', schemaId: -1 },
    ])
    assert.equal(next.currentSchemaId, 1)
    assert.equal(next.lastColumnId, 11)
  })

  it('removes snapshots together with the refs and log entries that point at them', () => {
    const two = 2n ** 62n
    const m = applyUpdates(table(), [
      { action: 'add-snapshot', snapshot: snapshot(BIG_ID, 1) },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: BIG_ID, type: 'branch' },
      { action: 'set-snapshot-ref', refName: 'old', snapshotId: BIG_ID, type: 'tag' },
      { action: 'add-snapshot', snapshot: snapshot(two, 2, BIG_ID) },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: two, type: 'branch' },
    ])
    const expired = applyUpdates(m, [{ action: 'remove-snapshots', snapshotIds: [BIG_ID] }])
    assert.deepEqual(
      expired.snapshots.map((s) => s.snapshotId),
      [two],
    )
    assert.deepEqual(Object.keys(expired.refs), ['main'])
    assert.deepEqual(
      expired.snapshotLog.map((e) => e.snapshotId),
      [two],
    )
  })

  it('sets and removes properties and the location', () => {
    const m = applyUpdates(table(), [
      { action: 'set-properties', updates: { a: '1', b: '2' } },
      { action: 'remove-properties', removals: ['owner', 'b'] },
      { action: 'set-location', location: 's3://bucket/t/' },
    ])
    assert.deepEqual(m.properties, { a: '1' })
    assert.equal(m.location, 's3://bucket/t')
  })

  it('refuses a snapshot whose sequence number is not above the last one', () => {
    const m = applyUpdates(table(), [{ action: 'add-snapshot', snapshot: snapshot(1n, 1) }])
    assert.throws(() => applyUpdates(m, [{ action: 'add-snapshot', snapshot: snapshot(2n, 1, 1n) }]), {
      code: 'COMMIT_CONFLICT',
    })
  })

  it('keeps at most write.metadata.previous-versions-max entries in the metadata log', () => {
    let m = applyUpdates(table(), [
      { action: 'set-properties', updates: { 'write.metadata.previous-versions-max': '2' } },
    ])
    for (let i = 0; i < 4; i++) m = withMetadataLog(m, m, `v${i}.metadata.json`)
    assert.deepEqual(
      m.metadataLog.map((e) => e.metadataFile),
      ['v2.metadata.json', 'v3.metadata.json'],
    )
  })
})

describe('requirements', () => {
  it('passes when the ref and uuid match and fails with a retryable conflict when main moved', () => {
    const m = table()
    checkRequirements(m, [
      { type: 'assert-table-uuid', uuid: m.tableUuid },
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null },
    ])
    assert.throws(
      () => checkRequirements(m, [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 5n }]),
      {
        code: 'COMMIT_CONFLICT',
        canRetry: true,
      },
    )
    assert.throws(() => checkRequirements(m, [{ type: 'assert-create' }]), { code: 'COMMIT_CONFLICT' })
    checkRequirements(undefined, [{ type: 'assert-create' }])
  })
})

describe('update JSON', () => {
  const updates: TableUpdate[] = [
    { action: 'add-schema', schema: { schemaId: 1, fields: NESTED_FIELDS } },
    { action: 'set-current-schema', schemaId: -1 },
    {
      action: 'add-spec',
      spec: { specId: 1, fields: [{ sourceId: 2, fieldId: 1001, name: 'start_month', transform: 'month' }] },
    },
    { action: 'set-default-spec', specId: -1 },
    {
      action: 'add-sort-order',
      sortOrder: {
        orderId: 1,
        fields: [{ sourceId: 1, transform: 'identity', direction: 'asc', nullOrder: 'nulls-first' }],
      },
    },
    { action: 'set-default-sort-order', sortOrderId: -1 },
    { action: 'add-snapshot', snapshot: snapshot(BIG_ID, 1) },
    { action: 'set-snapshot-ref', refName: 'main', snapshotId: BIG_ID, type: 'branch' },
    { action: 'remove-snapshots', snapshotIds: [BIG_ID] },
    { action: 'remove-snapshot-ref', refName: 'x' },
    { action: 'set-location', location: 's3://b/t' },
    { action: 'set-properties', updates: { a: 'b' } },
    { action: 'remove-properties', removals: ['a'] },
    { action: 'assign-uuid', uuid: 'u' },
  ]
  for (const u of updates) {
    it(`round-trips ${u.action} through REST JSON`, () => {
      const json = parseJson(
        JSON.stringify(updateToJson(u), (_k, v) => (typeof v === 'bigint' ? `@${v}@` : v)).replace(
          /"@(\d+)@"/g,
          '$1',
        ),
      )
      assert.deepEqual(updateFromJson(json), u)
    })
  }
})
