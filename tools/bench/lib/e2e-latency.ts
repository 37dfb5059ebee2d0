/**
 * Latencies of a finished end-to-end run, read back from the topics and the lake afterwards (nothing
 * runs beside the pipeline while it is measured). Every record carries its producer's timestamp, and
 * samples and validated samples carry the raw batch they came from (partition, offset, index), so:
 *   ingest      raw record timestamp → sample record timestamp
 *   validator   sample record timestamp → validated record timestamp
 *   aggregator  validated record timestamp → first sampled moment its group committed past it (±1 s)
 *   lake-writer validated record timestamp → the first health_data_raw snapshot recording it
 *   freshness   raw record timestamp (produced) → that snapshot (visible in the table)
 */
import { Table } from '@healthstream/iceberg'
import { openLake } from '@healthstream/lake-writer/lake'
import type { LakeTarget } from '@healthstream/lake-writer/testing'
import { AvroDeserializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import type { Commit, PartitionRecords } from './e2e-analysis.ts'
import type { TopicReader } from './topic-scan.ts'

/** A lake snapshot: when it was made and the Kafka offsets (per topic, per partition) it records. */
export interface SnapshotPoint {
  readonly at: number
  readonly offsets: Readonly<Record<string, Readonly<Record<string, number>>>>
}

/** Snapshots of one table, oldest first, with the offsets the lake-writer stored in their summary. */
export async function tableSnapshots(target: LakeTarget, table: string): Promise<SnapshotPoint[]> {
  const lake = openLake(target.settings)
  try {
    const t = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: table })
    return t.metadata.snapshots
      .map((s) => ({
        at: s.timestampMs,
        offsets: JSON.parse(s.summary['healthstream.kafka-offsets'] ?? '{}') as SnapshotPoint['offsets'],
      }))
      .sort((a, b) => a.at - b.at)
  } catch {
    return [] // not created yet
  } finally {
    lake.close()
  }
}

/** The commits of one topic's offsets as recorded by a table's snapshots. */
export function snapshotCommits(snapshots: readonly SnapshotPoint[], topic: string): Commit[] {
  return snapshots.map((s) => ({
    at: s.at,
    offsets: new Map(Object.entries(s.offsets[topic] ?? {}).map(([p, o]) => [Number(p), Number(o)])),
  }))
}

const provenance = (name: string) => ({
  type: 'record',
  name,
  namespace: 'com.healthstream.pipeline',
  fields: [
    { name: 'sourcePartition', type: 'int' },
    { name: 'sourceOffset', type: 'long' },
    { name: 'sourceIndex', type: 'int' },
  ],
})
type Provenance = { sourcePartition: number; sourceOffset: number | bigint; sourceIndex: number }

/** One number per sample: its raw batch (partition, offset) and its index in the batch. */
const sampleKey = (p: Provenance) =>
  (p.sourcePartition * 2 ** 26 + Number(p.sourceOffset)) * 2 ** 14 + p.sourceIndex
const rawKey = (partition: number, offset: number) => partition * 2 ** 40 + offset

/** What the scans found: per-hop latencies (ms) and the record sizes the broker ceiling needs. */
export interface ScannedLatencies {
  readonly ingest: number[]
  readonly validator: number[]
  /** The same for inputs produced from `steadyFrom` on: the services warmed up. */
  readonly steady: { readonly ingest: number[]; readonly validator: number[] }
  /** Validated records by partition, timed by their own timestamp and by their raw batch's. */
  readonly validated: PartitionRecords[]
  readonly validatedFromRaw: PartitionRecords[]
  readonly firstRawAt: number
  readonly counts: { raw: number; samples: number; validated: number }
  readonly avgBytes: { raw: number; sample: number; validated: number }
}

/**
 * Reads raw, samples and validated once each (read_committed) and matches records by provenance;
 * latencies of inputs timed from `steadyFrom` (ms since the epoch) on also go to `steady`.
 */
export async function scanLatencies(
  reader: TopicReader,
  topics: TopicNames,
  registryUrl: string,
  steadyFrom: number,
): Promise<ScannedLatencies> {
  const registry = new HttpSchemaRegistry({ url: registryUrl })
  const bytes = { raw: 0, sample: 0, validated: 0 }
  const counts = { raw: 0, samples: 0, validated: 0 }
  const size = (r: { key: Buffer | null; value: Buffer | null }) =>
    (r.key?.length ?? 0) + (r.value?.length ?? 0)

  const rawAt = new Map<number, number>()
  let firstRawAt = Number.POSITIVE_INFINITY
  await reader.scanTopic(topics.raw, (records) => {
    for (const r of records) {
      rawAt.set(rawKey(r.partition, Number(r.offset)), r.timestamp)
      firstRawAt = Math.min(firstRawAt, r.timestamp)
      bytes.raw += size(r)
    }
    counts.raw += records.length
  })

  /** Scans a topic of samples, decoding each record's provenance; sizes and counts on the way. */
  const scanSamples = (
    topic: string,
    name: string,
    kind: 'sample' | 'validated',
    each: (r: ConsumedRecord, p: Provenance, raw: number | undefined) => void,
  ) => {
    const decoder = new AvroDeserializer<Provenance>({ registry, readerSchema: provenance(name) })
    return reader.scanTopic(topic, async (records) => {
      const decoded = await decoder.decodeAll(records.map((r) => r.value ?? Buffer.alloc(0)))
      decoded.forEach((d, i) => {
        bytes[kind] += size(records[i]!)
        if (d.ok)
          each(records[i]!, d.value, rawAt.get(rawKey(d.value.sourcePartition, Number(d.value.sourceOffset))))
      })
      counts[kind === 'sample' ? 'samples' : 'validated'] += records.length
    })
  }

  const ingest: number[] = []
  const steady = { ingest: [] as number[], validator: [] as number[] }
  const sampleAt = new Map<number, number>()
  await scanSamples(topics.samples, 'HealthSample', 'sample', (r, p, raw) => {
    sampleAt.set(sampleKey(p), r.timestamp)
    if (raw === undefined) return
    ingest.push(r.timestamp - raw)
    if (raw >= steadyFrom) steady.ingest.push(r.timestamp - raw)
  })

  const validator: number[] = []
  const own = new Map<number, { offsets: number[]; times: number[] }>()
  const fromRaw = new Map<number, { offsets: number[]; times: number[] }>()
  const push = (m: typeof own, partition: number, offset: number, time: number) => {
    const entry = m.get(partition) ?? { offsets: [], times: [] }
    m.set(partition, entry)
    entry.offsets.push(offset)
    entry.times.push(time)
  }
  await scanSamples(topics.validated, 'ValidatedSample', 'validated', (r, p, raw) => {
    push(own, r.partition, Number(r.offset), r.timestamp)
    const sampled = sampleAt.get(sampleKey(p))
    if (sampled !== undefined) validator.push(r.timestamp - sampled)
    if (sampled !== undefined && sampled >= steadyFrom) steady.validator.push(r.timestamp - sampled)
    if (raw !== undefined) push(fromRaw, r.partition, Number(r.offset), raw)
  })
  const list = (m: typeof own): PartitionRecords[] =>
    [...m].map(([partition, e]) => ({ partition, offsets: e.offsets, times: e.times }))
  const avg = (b: number, n: number) => (n > 0 ? Math.round(b / n) : 0)
  return {
    ingest,
    validator,
    steady,
    validated: list(own),
    validatedFromRaw: list(fromRaw),
    firstRawAt,
    counts,
    avgBytes: {
      raw: avg(bytes.raw, counts.raw),
      sample: avg(bytes.sample, counts.samples),
      validated: avg(bytes.validated, counts.validated),
    },
  }
}
