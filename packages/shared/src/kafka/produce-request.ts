/**
 * The body of a Produce request (v3–v11), written into one buffer with `record-batch.ts`: the same
 * bytes as @platformatic/kafka's `createRequest` for uncompressed batches, without its per-record
 * writers and copies. Topics in the order they first appear, partitions ascending, one batch each.
 */
import {
  type BatchRecord,
  type MeasuredBatch,
  measureRecordBatch,
  varintBytes,
  writeRecordBatch,
  writeVarint,
} from './record-batch.ts'

/** A message as the client hands it to the Produce API (serialized, partition assigned). */
export interface ProduceMessage extends Omit<BatchRecord, 'timestamp'> {
  readonly topic: string
  partition?: number
  timestamp?: bigint
}

/** The client's produce options that reach the request. */
export interface ProduceOptions {
  readonly transactionalId?: string | undefined
  readonly producerId?: bigint | undefined
  readonly producerEpoch?: number | undefined
  /** First sequence per `topic:partition` (the client's snapshot for this request). */
  readonly sequences?: { getWithDefault(key: string, fallback: number): number } | undefined
  readonly compression?: string | undefined
}

/** Produce versions whose request this writes: v3 (the first with record batches) to v11. */
export const PRODUCE_VERSIONS = { min: 3, max: 11 } as const
/** From v9 on the request is "flexible": compact strings and arrays, tagged fields. */
export const FIRST_FLEXIBLE = 9

/** Whether `produceRequestBody` writes this request (otherwise the client's own encoder must). */
export function writesProduce(version: number, options: ProduceOptions): boolean {
  return (
    version >= PRODUCE_VERSIONS.min &&
    version <= PRODUCE_VERSIONS.max &&
    (options.compression === undefined || options.compression === 'none')
  )
}

interface PartitionBatch {
  readonly partition: number
  readonly records: ProduceMessage[]
  measured?: MeasuredBatch
}

/** Writes the request body; normalizes messages as the client does (partition 0, timestamp now). */
export function produceRequestBody(
  version: number,
  acks: number,
  timeoutMs: number,
  messages: ProduceMessage[],
  options: ProduceOptions,
): Buffer {
  const flexible = version >= FIRST_FLEXIBLE
  const now = BigInt(Date.now())
  const topics = new Map<string, Map<number, PartitionBatch>>()
  for (const message of messages) {
    message.partition ??= 0
    message.timestamp ??= now
    let partitions = topics.get(message.topic)
    if (partitions === undefined) {
      partitions = new Map()
      topics.set(message.topic, partitions)
    }
    let batch = partitions.get(message.partition)
    if (batch === undefined) {
      batch = { partition: message.partition, records: [] }
      partitions.set(message.partition, batch)
    }
    batch.records.push(message)
  }

  const transactionalId = options.transactionalId == null ? null : Buffer.from(options.transactionalId)
  const names = new Map([...topics.keys()].map((t) => [t, Buffer.from(t)]))
  let bytes = stringBytes(transactionalId, flexible) + 2 + 4 + arrayBytes(topics.size, flexible)
  const sorted = new Map<string, PartitionBatch[]>()
  for (const [topic, partitions] of topics) {
    const batches = [...partitions.values()].sort((a, b) => a.partition - b.partition)
    sorted.set(topic, batches)
    bytes +=
      stringBytes(names.get(topic)!, flexible) + arrayBytes(batches.length, flexible) + (flexible ? 1 : 0)
    for (const batch of batches) {
      batch.measured = measureRecordBatch(batch.records as BatchRecord[])
      const size = batch.measured.bytes
      bytes += 4 + (flexible ? varintBytes(size + 1) + 1 : 4) + size
    }
  }
  if (flexible) bytes += 1

  const target = Buffer.allocUnsafe(bytes)
  let offset = writeString(target, 0, transactionalId, flexible)
  offset = target.writeInt16BE(acks, offset)
  offset = target.writeInt32BE(timeoutMs, offset)
  offset = writeArrayLength(target, offset, sorted.size, flexible)
  for (const [topic, batches] of sorted) {
    offset = writeString(target, offset, names.get(topic)!, flexible)
    offset = writeArrayLength(target, offset, batches.length, flexible)
    for (const { partition, records, measured } of batches) {
      offset = target.writeInt32BE(partition, offset)
      offset = flexible
        ? writeVarint(target, offset, measured!.bytes + 1)
        : target.writeInt32BE(measured!.bytes, offset)
      offset = writeRecordBatch(target, offset, records as BatchRecord[], measured!, {
        producerId: options.producerId ?? -1n,
        producerEpoch: options.producerEpoch ?? 0,
        firstSequence: options.sequences?.getWithDefault(`${topic}:${partition}`, 0) ?? 0,
        transactional: options.transactionalId != null,
      })
      if (flexible) target[offset++] = 0 // partition's tagged fields
    }
    if (flexible) target[offset++] = 0 // topic's tagged fields
  }
  if (flexible) target[offset++] = 0 // request's tagged fields
  if (offset !== bytes) throw new Error(`produce request measured ${bytes} bytes but wrote ${offset}`)
  return target
}

/** A (compact) nullable string's bytes. */
function stringBytes(value: Buffer | null, flexible: boolean): number {
  if (!flexible) return 2 + (value?.length ?? 0)
  return value === null ? 1 : varintBytes(value.length + 1) + value.length
}

function writeString(target: Buffer, offset: number, value: Buffer | null, flexible: boolean): number {
  if (flexible) offset = writeVarint(target, offset, value === null ? 0 : value.length + 1)
  else offset = target.writeInt16BE(value === null ? -1 : value.length, offset)
  if (value !== null) offset += value.copy(target, offset)
  return offset
}

function arrayBytes(length: number, flexible: boolean): number {
  return flexible ? varintBytes(length + 1) : 4
}

function writeArrayLength(target: Buffer, offset: number, length: number, flexible: boolean): number {
  return flexible ? writeVarint(target, offset, length + 1) : target.writeInt32BE(length, offset)
}
