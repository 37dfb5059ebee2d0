import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readAvroFile, writeAvroFile } from '../src/avro/container.ts'
import { readManifest, writeManifest } from '../src/manifest/manifest.ts'
import { readManifestList, summarizePartitions, writeManifestList } from '../src/manifest/manifest-list.ts'
import type { DataFile, ManifestEntry, ManifestFile } from '../src/manifest/types.ts'
import { partitionSpecOf } from '../src/spec/new-table.ts'
import { bindPartitionSpec } from '../src/spec/partition.ts'
import { fromBytes } from '../src/spec/single-value.ts'
import type { Schema } from '../src/spec/types.ts'
import { NESTED_FIELDS } from './fixtures/schema.ts'

const BIG_ID = 9_123_456_789_012_345_678n
const schema: Schema = {
  schemaId: 0,
  fields: [...NESTED_FIELDS, { id: 11, name: 'uid', type: 'uuid', required: false }],
}
const spec = partitionSpecOf(schema, [
  { source: 'start', transform: 'day' },
  { source: 'user_id', transform: 'bucket[8]' },
  { source: 'uid', transform: 'identity' },
])
const bound = bindPartitionSpec(spec, schema)

const file: DataFile = {
  content: 0,
  filePath: 'file:///lake/t/data/start_day=2026-11-25/a.parquet',
  fileFormat: 'PARQUET',
  specId: 0,
  partition: [20782, 3, 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
  recordCount: 3,
  fileSizeInBytes: 4096,
  columnSizes: new Map([[1, 100]]),
  valueCounts: new Map([
    [1, 3],
    [3, 3],
  ]),
  nullValueCounts: new Map([[3, 1]]),
  nanValueCounts: new Map([[3, 0]]),
  lowerBounds: new Map([[1, new TextEncoder().encode('u1')]]),
  upperBounds: new Map([[1, new TextEncoder().encode('u9')]]),
  splitOffsets: [4],
  sortOrderId: 0,
}

describe('Avro container files', () => {
  it('writes the given schema JSON verbatim into the header, field ids included', () => {
    const schemaJson = { type: 'record', name: 'r', fields: [{ name: 'id', type: 'long', 'field-id': 7 }] }
    const bytes = writeAvroFile(schemaJson, [{ id: 2n ** 62n }], { k: 'v' })
    const read = readAvroFile(bytes)
    assert.deepEqual(read.schema, schemaJson)
    assert.equal(read.metadata.k, 'v')
    assert.deepEqual(
      read.records.map((r) => ({ ...(r as object) })),
      [{ id: 2n ** 62n }],
    )
  })

  it('splits records into blocks and reads them all back, deflated or not', () => {
    const schemaJson = { type: 'record', name: 'r', fields: [{ name: 'n', type: 'int' }] }
    const records = Array.from({ length: 2500 }, (_, n) => ({ n }))
    for (const codec of ['null', 'deflate'] as const) {
      const read = readAvroFile(writeAvroFile(schemaJson, records, {}, { codec, blockRecords: 1000 }))
      assert.deepEqual(
        read.records.map((r) => (r as { n: number }).n),
        records.map((r) => r.n),
      )
    }
  })

  it('rejects bytes that are not an Avro container', () => {
    assert.throws(() => readAvroFile(Uint8Array.of(1, 2, 3, 4)), { code: 'INVALID_METADATA' })
  })
})

describe('manifests', () => {
  const entries: ManifestEntry[] = [
    { status: 1, snapshotId: BIG_ID, sequenceNumber: null, fileSequenceNumber: null, dataFile: file },
    {
      status: 0,
      snapshotId: 5n,
      sequenceNumber: 1,
      fileSequenceNumber: 1,
      dataFile: { ...file, filePath: 'file:///x.parquet' },
    },
  ]
  const bytes = writeManifest({ schema, specId: 0, bound }, entries)

  it('round-trips entries, metrics, partition tuples and 64-bit snapshot ids', () => {
    assert.deepEqual(readManifest(bytes, bound).entries, entries)
  })

  it('carries the key-value metadata the spec requires', () => {
    const { metadata } = readAvroFile(bytes)
    assert.equal(metadata['format-version'], '2')
    assert.equal(metadata.content, 'data')
    assert.equal(metadata['partition-spec-id'], '0')
    assert.equal(metadata['schema-id'], '0')
    assert.deepEqual(JSON.parse(metadata['partition-spec']!), [
      { 'source-id': 2, 'field-id': 1000, name: 'start_day', transform: 'day' },
      { 'source-id': 1, 'field-id': 1001, name: 'user_id_bucket', transform: 'bucket[8]' },
      { 'source-id': 11, 'field-id': 1002, name: 'uid', transform: 'identity' },
    ])
    assert.equal(JSON.parse(metadata.schema!)['schema-id'], 0)
  })

  it('declares the v2 field ids on manifest_entry, data_file, the partition struct and the metric maps', () => {
    const { schema: avro } = readAvroFile(bytes)
    const fields = avro.fields as { name: string; 'field-id': number; type: unknown }[]
    assert.deepEqual(
      fields.map((f) => [f.name, f['field-id']]),
      [
        ['status', 0],
        ['snapshot_id', 1],
        ['sequence_number', 3],
        ['file_sequence_number', 4],
        ['data_file', 2],
      ],
    )
    const dataFile = (fields[4]!.type as { fields: { name: string; 'field-id': number; type: unknown }[] })
      .fields
    const ids = Object.fromEntries(dataFile.map((f) => [f.name, f['field-id']]))
    assert.deepEqual(ids, {
      content: 134,
      file_path: 100,
      file_format: 101,
      partition: 102,
      record_count: 103,
      file_size_in_bytes: 104,
      column_sizes: 108,
      value_counts: 109,
      null_value_counts: 110,
      nan_value_counts: 137,
      lower_bounds: 125,
      upper_bounds: 128,
      key_metadata: 131,
      split_offsets: 132,
      equality_ids: 135,
      sort_order_id: 140,
      referenced_data_file: 143,
    })
    const partition = dataFile.find((f) => f.name === 'partition')!.type as {
      fields: { name: string; 'field-id': number }[]
    }
    assert.deepEqual(
      partition.fields.map((f) => f['field-id']),
      [1000, 1001, 1002],
    )
    const lower = dataFile.find((f) => f.name === 'lower_bounds')!.type as unknown[]
    assert.deepEqual(
      (lower[1] as { items: { fields: { 'field-id': number }[] } }).items.fields.map((f) => f['field-id']),
      [126, 127],
    )
  })
})

describe('manifest lists', () => {
  const manifest: ManifestFile = {
    manifestPath: 'file:///lake/t/metadata/m0.avro',
    manifestLength: 5000,
    partitionSpecId: 0,
    content: 0,
    sequenceNumber: 3,
    minSequenceNumber: 1,
    addedSnapshotId: BIG_ID,
    addedFilesCount: 1,
    existingFilesCount: 2,
    deletedFilesCount: 0,
    addedRowsCount: 10,
    existingRowsCount: 20,
    deletedRowsCount: 0,
    partitions: summarizePartitions(bound, [file.partition, [20785, null, null]]),
  }

  it('round-trips entries with sequence numbers, counts and partition summaries', () => {
    const bytes = writeManifestList({ snapshotId: BIG_ID, parentSnapshotId: 1n, sequenceNumber: 3 }, [
      manifest,
    ])
    assert.deepEqual(readManifestList(bytes), [manifest])
    assert.equal(readAvroFile(bytes).metadata['snapshot-id'], String(BIG_ID))
  })

  it('summarizes each partition field: null seen, lower and upper bound', () => {
    const [day, bucket, uid] = manifest.partitions!
    assert.equal(day!.containsNull, false)
    assert.equal(fromBytes('date', day!.lowerBound!), 20782)
    assert.equal(fromBytes('date', day!.upperBound!), 20785)
    assert.equal(bucket!.containsNull, true)
    assert.equal(fromBytes('uuid', uid!.lowerBound!), 'f79c3e09-677c-4bbd-a479-3f349cb785e7')
  })
})
