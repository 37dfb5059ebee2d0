import { setTimeout as sleep } from 'node:timers/promises'
import {
  AvroSerializer,
  type HealthDataBatch,
  HttpSchemaRegistry,
  healthDataBatchV1,
  healthDataBatchV2,
} from '@healthstream/shared/avro'
import type { GeneratedBatch } from './batch.ts'
import { Generator } from './generator.ts'
import { KafkaSink, type OutgoingRecord } from './kafka-sink.ts'
import type { SimulatorOptions } from './options.ts'
import { TruthFile } from './truth-file.ts'
import { UploadTraces } from './upload-traces.ts'

/** What a run sent. */
export interface SimulateStats {
  readonly topic: string
  /** Distinct samples (first copies). */
  samples: number
  /** All samples on the wire, re-sent copies included. */
  samplesSent: number
  /** Kafka records (batches), re-sends included. */
  batches: number
  duplicateBatches: number
  v1Batches: number
  v2Batches: number
  bytes: number
  /** Distinct samples per expected outcome (`valid` or a reason code). */
  outcomes: Record<string, number>
  late: number
  outOfOrder: number
  schemaIds: { v1: number; v2: number }
  elapsedMs: number
  /** `samplesSent` per wall-clock second. */
  samplesPerSecond: number
  /** Sends that failed and were made again (a resent batch may be on the topic twice). */
  resends: number
  /** Uploads sent with a `traceparent`, and those of them marked sampled (`--trace-share`). */
  tracedUploads: number
  sampledUploads: number
}

/** Records per Kafka send: large enough to amortize a round trip, small enough to pipeline. */
const RECORDS_PER_SEND = 400
const BYTES_PER_SEND = 1_000_000
/**
 * A paced run sends at most this long's share of its rate at once: a fleet's uploads arrive spread
 * out. A send of 400 uploads (~18 000 samples, 1.5 s of 12 000/s) made every hop's p99 latency the
 * time to drain one such burst.
 */
const PACED_SEND_MS = 20

/** Whether a chunk of uploads is ready to send, at `rate` samples/s (0: as fast as possible). */
export function chunkReady(
  chunk: { records: number; bytes: number; samples: number },
  rate: number,
): boolean {
  if (chunk.records >= RECORDS_PER_SEND || chunk.bytes >= BYTES_PER_SEND) return true
  return rate > 0 && chunk.samples >= (rate * PACED_SEND_MS) / 1000
}
const PROGRESS_EVERY_MS = 5_000

/**
 * Registers v1 and v2 of HealthDataBatch under `<topic>-value` (BACKWARD), then produces generated
 * uploads until the sample count or the duration is reached, paced to `rate` when set. The ground
 * truth is written from the same batch objects that were encoded.
 */
export async function simulate(options: SimulatorOptions): Promise<SimulateStats> {
  const registry = new HttpSchemaRegistry({ url: options.registryUrl })
  const v1 = await AvroSerializer.create<HealthDataBatch>({
    registry,
    topic: options.topic,
    schema: healthDataBatchV1,
  })
  const v2 = await AvroSerializer.create<HealthDataBatch>({
    registry,
    topic: options.topic,
    schema: healthDataBatchV2,
  })
  const stats = emptyStats(options.topic, v1.schemaId, v2.schemaId)
  const sink = await KafkaSink.open(options)
  const truth = options.truthPath ? new TruthFile(options.truthPath) : undefined
  const started = performance.now()
  const progress = options.progress ? startProgress(stats, started) : undefined
  try {
    await produce(options, { v1, v2 }, sink, truth, stats, started)
  } finally {
    clearInterval(progress)
    await sink.close()
    await truth?.close()
    stats.resends = sink.resends
  }
  stats.elapsedMs = performance.now() - started
  stats.samplesPerSecond = Math.round((stats.samplesSent / stats.elapsedMs) * 1000)
  return stats
}

type Serializers = { v1: AvroSerializer<HealthDataBatch>; v2: AvroSerializer<HealthDataBatch> }

async function produce(
  options: SimulatorOptions,
  serializers: Serializers,
  sink: KafkaSink,
  truth: TruthFile | undefined,
  stats: SimulateStats,
  started: number,
): Promise<void> {
  const generator = new Generator(options)
  const traces = new UploadTraces(options.seed, options)
  const keys = new Map<string, Buffer>()
  let chunk: OutgoingRecord[] = []
  let chunkBytes = 0
  let chunkSamples = 0
  let inFlight: Promise<void> = Promise.resolve()
  for (let batch = generator.next(); batch; batch = generator.next()) {
    const value = (batch.schemaVersion === 2 ? serializers.v2 : serializers.v1).serialize(batch.batch)
    const traceparent = traces.next()
    const key = keyOf(keys, batch.batch.userId)
    chunk.push(
      traceparent === undefined
        ? { key, value }
        : { key, value, headers: new Map([['traceparent', Buffer.from(traceparent)]]) },
    )
    chunkBytes += value.length
    chunkSamples += batch.truth.length
    count(stats, batch, value.length)
    await truth?.write(batch.truth)
    if (!chunkReady({ records: chunk.length, bytes: chunkBytes, samples: chunkSamples }, options.rate))
      continue
    // One send in flight while the next chunk is generated: CPU and network overlap.
    await inFlight
    inFlight = sink.send(chunk)
    // Observed now so a failure while the next chunk is generated is not an unhandled rejection;
    // it still surfaces at the next `await inFlight`.
    inFlight.catch(() => {})
    chunk = []
    chunkBytes = 0
    chunkSamples = 0
    if (options.durationMs !== undefined && performance.now() - started >= options.durationMs)
      generator.stop()
    if (options.rate > 0) await pace(stats.samplesSent, options.rate, started)
  }
  await inFlight
  if (chunk.length > 0) await sink.send(chunk)
  stats.tracedUploads = traces.traced
  stats.sampledUploads = traces.sampled
}

/** The record key (userId as UTF-8), one buffer per user for the whole run. */
function keyOf(keys: Map<string, Buffer>, userId: string): Buffer {
  let key = keys.get(userId)
  if (!key) {
    key = Buffer.from(userId)
    keys.set(userId, key)
  }
  return key
}

/** Sleeps until `sent` samples are due at `rate` per second. */
async function pace(sent: number, rate: number, started: number): Promise<void> {
  const ahead = (sent / rate) * 1000 - (performance.now() - started)
  if (ahead > 1) await sleep(ahead)
}

function count(stats: SimulateStats, batch: GeneratedBatch, bytes: number): void {
  stats.batches++
  stats.bytes += bytes
  stats.samplesSent += batch.truth.length
  if (batch.schemaVersion === 2) stats.v2Batches++
  else stats.v1Batches++
  if (batch.duplicate) {
    stats.duplicateBatches++
    return
  }
  stats.samples += batch.truth.length
  for (const entry of batch.truth) {
    stats.outcomes[entry.outcome] = (stats.outcomes[entry.outcome] ?? 0) + 1
    if (entry.late) stats.late++
    if (entry.outOfOrder) stats.outOfOrder++
  }
}

function emptyStats(topic: string, v1: number, v2: number): SimulateStats {
  return {
    topic,
    samples: 0,
    samplesSent: 0,
    batches: 0,
    duplicateBatches: 0,
    v1Batches: 0,
    v2Batches: 0,
    bytes: 0,
    outcomes: {},
    late: 0,
    outOfOrder: 0,
    schemaIds: { v1, v2 },
    elapsedMs: 0,
    samplesPerSecond: 0,
    resends: 0,
    tracedUploads: 0,
    sampledUploads: 0,
  }
}

function startProgress(stats: SimulateStats, started: number): NodeJS.Timeout {
  let last = { at: started, sent: 0 }
  const timer = setInterval(() => {
    const now = performance.now()
    const rate = ((stats.samplesSent - last.sent) / (now - last.at)) * 1000
    last = { at: now, sent: stats.samplesSent }
    process.stderr.write(
      `simulator: ${stats.samplesSent.toLocaleString('en')} samples sent in ${stats.batches.toLocaleString('en')} batches, ` +
        `${Math.round(rate).toLocaleString('en')} samples/s\n`,
    )
  }, PROGRESS_EVERY_MS)
  timer.unref()
  return timer
}
