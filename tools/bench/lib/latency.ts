import { setTimeout as sleep } from 'node:timers/promises'
import {
  AvroDeserializer,
  AvroSerializer,
  type HealthDataBatch,
  HttpSchemaRegistry,
  healthDataBatchV1,
  healthDataBatchV2,
} from '@healthstream/shared/avro'
import type { PartitionOffset } from '@healthstream/shared/kafka'
import {
  createAdmin,
  createConsumer,
  DEFAULT_FETCH_MAX_BYTES,
  groupSettings,
  PlatformaticConsumer,
} from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'
import { Generator, KafkaSink, type OutgoingRecord } from '@healthstream/simulator'
import { type Percentiles, percentiles } from './stats.ts'

export interface LatencyOptions {
  readonly brokers: string
  readonly registryUrl: string
  readonly topics: TopicNames
  readonly partitions: number
  /** Samples per second the paced producer offers. */
  readonly rate: number
  readonly durationMs: number
  /** Batches sent during the first `warmupMs` are not measured. */
  readonly warmupMs: number
  readonly users: number
}

export interface LatencyResult {
  readonly offeredRate: number
  readonly samplesSent: number
  /** raw appended → sample visible (read_committed) on samples. */
  readonly ingest: Percentiles
  /** sample visible on samples → validated sample visible on validated. */
  readonly validator: Percentiles
  /** raw appended → validated visible. */
  readonly endToEnd: Percentiles
  readonly avgSampleBytes: number
  readonly avgValidatedBytes: number
}

const TICK_MS = 10
const DAY_MS = 86_400_000

/**
 * Offers generated uploads at a fixed rate in small sends (every 10 ms) to the raw topic while ingest
 * and validator run, and tails samples and validated with read_committed: each output is matched to
 * its input by provenance (batchId, sourceIndex), so a hop's latency is the time from its input being
 * readable (raw: its create time; samples: when the tail saw it) to its output being readable.
 */
export async function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  const registry = new HttpSchemaRegistry({ url: o.registryUrl })
  const create = (schema: object) =>
    AvroSerializer.create<HealthDataBatch>({ registry, topic: o.topics.raw, schema })
  const serializers = { 1: await create(healthDataBatchV1), 2: await create(healthDataBatchV2) }
  const sink = await KafkaSink.open({
    brokers: [o.brokers],
    topic: o.topics.raw,
    partitions: o.partitions,
    compression: 'lz4',
    clientId: 'healthstream-bench',
  })
  const tail = new Tail(o, registry)
  const generator = new Generator({
    seed: 11,
    users: o.users,
    start: Date.now() - 30 * DAY_MS,
    v2Share: 0.5,
    invalidShare: 0.02,
    duplicateShare: 0,
    lateShare: 0,
    outOfOrderShare: 0.05,
  })
  const started = performance.now()
  let sent = 0
  try {
    while (performance.now() - started < o.durationMs) {
      const measured = performance.now() - started >= o.warmupMs
      const chunk: OutgoingRecord[] = []
      const ids: string[] = []
      while (sent < (o.rate * (performance.now() - started)) / 1000) {
        const next = generator.next()!
        chunk.push({
          key: Buffer.from(next.batch.userId),
          value: serializers[next.schemaVersion].serialize(next.batch),
        })
        if (measured) ids.push(next.batch.batchId)
        sent += next.truth.length
      }
      if (chunk.length > 0) {
        const now = Date.now()
        for (const id of ids) tail.sentAt.set(id, now)
        await sink.send(chunk)
      }
      await sleep(TICK_MS)
    }
    const elapsed = (performance.now() - started) / 1000
    await tail.drain()
    return {
      offeredRate: Math.round(sent / elapsed),
      samplesSent: sent,
      ingest: percentiles(tail.ingest),
      validator: percentiles(tail.validator),
      endToEnd: percentiles(tail.endToEnd),
      avgSampleBytes: Math.round(tail.bytes.samples / Math.max(1, tail.counts.samples)),
      avgValidatedBytes: Math.round(tail.bytes.validated / Math.max(1, tail.counts.validated)),
    }
  } finally {
    await tail.close()
    await sink.close()
  }
}

/** Just the provenance fields: the writer's other fields are skipped by schema resolution. */
const provenance = (name: string) => ({
  type: 'record',
  name,
  namespace: 'com.healthstream.pipeline',
  fields: [
    { name: 'batchId', type: 'string' },
    { name: 'sourceIndex', type: 'int' },
  ],
})

type Provenance = { batchId: string; sourceIndex: number }

class Tail {
  readonly sentAt = new Map<string, number>()
  readonly ingest: number[] = []
  readonly validator: number[] = []
  readonly endToEnd: number[] = []
  readonly bytes = { samples: 0, validated: 0 }
  readonly counts = { samples: 0, validated: 0 }
  readonly #seen = new Map<string, number>()
  readonly #port: PlatformaticConsumer
  readonly #decoders: Record<string, AvroDeserializer<Provenance>>
  readonly #topics: TopicNames
  #positions: PartitionOffset[]
  #running = true
  #lastOutput = Date.now()
  readonly #loop: Promise<void>

  constructor(o: LatencyOptions, registry: HttpSchemaRegistry) {
    const config = { bootstrapBrokers: [o.brokers], clientId: 'healthstream-bench-tail' }
    const settings = groupSettings({ rebalanceTimeoutMs: 30_000 })
    // Never joins its group: positions are its own, like readCommittedTopic
    const consumer = createConsumer({ ...config, groupId: `${o.topics.raw}-bench-tail-unused` })
    this.#port = new PlatformaticConsumer(consumer, createAdmin(config), settings)
    this.#topics = o.topics
    const decoder = (name: string) =>
      new AvroDeserializer<Provenance>({ registry, readerSchema: provenance(name) })
    this.#decoders = {
      [o.topics.samples]: decoder('HealthSample'),
      [o.topics.validated]: decoder('ValidatedSample'),
    }
    this.#positions = [o.topics.samples, o.topics.validated].flatMap((topic) =>
      Array.from({ length: o.partitions }, (_, partition) => ({ topic, partition, offset: 0n })),
    )
    this.#loop = this.#run()
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let result: Awaited<ReturnType<PlatformaticConsumer['fetch']>>
      try {
        result = await this.#port.fetch(this.#positions, { maxWaitMs: 50, maxBytes: DEFAULT_FETCH_MAX_BYTES })
      } catch {
        await sleep(100) // e.g. a topic without a leader yet: try again
        continue
      }
      const now = Date.now()
      // Samples first: an output and its input in the same response count as seen together
      for (const topic of [this.#topics.samples, this.#topics.validated]) {
        const records = result.records.filter((r) => r.topic === topic)
        if (records.length === 0) continue
        const decoded = await this.#decoders[topic]!.decodeAll(records.map((r) => r.value ?? Buffer.alloc(0)))
        const isSample = topic === this.#topics.samples
        const kind = isSample ? 'samples' : 'validated'
        for (const [i, d] of decoded.entries()) {
          this.counts[kind]++
          this.bytes[kind] += (records[i]!.key?.length ?? 0) + (records[i]!.value?.length ?? 0)
          if (d.ok) this.#observe(isSample, d.value, now)
        }
      }
      const next = new Map(result.next.map((n) => [`${n.topic}:${n.partition}`, n]))
      this.#positions = this.#positions.map((p) => next.get(`${p.topic}:${p.partition}`) ?? p)
    }
  }

  #observe(isSample: boolean, p: Provenance, now: number): void {
    const sent = this.sentAt.get(p.batchId)
    if (sent === undefined) return // warm-up
    const id = `${p.batchId}#${p.sourceIndex}`
    this.#lastOutput = now
    if (isSample) {
      this.ingest.push(now - sent)
      this.#seen.set(id, now)
      return
    }
    this.endToEnd.push(now - sent)
    const seen = this.#seen.get(id)
    if (seen !== undefined) this.validator.push(now - seen)
    this.#seen.delete(id)
  }

  /** Waits until outputs stop arriving (2 s of silence, at most 30 s). */
  async drain(): Promise<void> {
    const deadline = Date.now() + 30_000
    while (Date.now() - this.#lastOutput < 2_000 && Date.now() < deadline) await sleep(200)
  }

  async close(): Promise<void> {
    this.#running = false
    await this.#loop.catch(() => undefined)
    await this.#port.close().catch(() => undefined)
  }
}
