import type { ConsumedRecord } from './ports.ts'

/** Batch attribute bits (Kafka record batch v2). */
const TIMESTAMP_LOG_APPEND = 1 << 3
const TRANSACTIONAL = 1 << 4
const CONTROL = 1 << 5
/** Control record type in the key: 0 = abort marker, 1 = commit marker. */
const ABORT_MARKER = 0

/** The parts of a fetched record batch this module reads (structurally what the client parses). */
export interface FetchedBatch {
  readonly firstOffset: bigint
  readonly lastOffsetDelta: number
  readonly attributes: number
  readonly firstTimestamp: bigint
  readonly maxTimestamp: bigint
  readonly producerId: bigint
  readonly records: readonly FetchedRecord[]
  /** Set (and `records` empty) when the batch's records could not be inflated within the bound. */
  readonly unreadable?: BatchTooLarge
}

/** A compressed batch left unread because it inflates beyond `limit` bytes. */
export interface BatchTooLarge {
  readonly codec: string
  readonly compressedBytes: number
  readonly limit: number
}

/** The parts of a fetched record this module reads. */
export interface FetchedRecord {
  readonly offsetDelta: number
  readonly timestampDelta: bigint
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[]
}

/** An aborted transaction the broker lists with a read_committed fetch. */
export interface AbortedTransaction {
  readonly producerId: bigint
  readonly firstOffset: bigint
}

/** What one partition of a fetch response yields. */
export interface DecodedPartition {
  readonly records: ConsumedRecord[]
  /** Offset after the last batch seen (markers and aborted batches included), or undefined if none. */
  readonly next: bigint | undefined
}

/**
 * Turns the batches of one partition of a read_committed fetch into the records a reader may see, the
 * way the Java consumer does: a transactional batch is dropped when its producer has an aborted
 * transaction that started at or before the batch and whose abort marker has not been passed yet;
 * control batches are dropped; records before `fetchOffset` (a compressed batch can start earlier)
 * are dropped. A batch that could not be inflated (`unreadable`) yields one record standing for it
 * (`ConsumedRecord.unreadable`), subject to the same filtering. Why not trust the client:
 * @platformatic/kafka 2.12.1 keeps one aborted range per producer id, so a producer that aborted twice
 * within one fetch response leaks the first aborted transaction, which is exactly what a restarted
 * exactly-once producer does.
 */
export function decodeCommitted(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  batches: readonly FetchedBatch[],
  aborted: readonly AbortedTransaction[],
): DecodedPartition {
  const pendingAborts = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  const abortedProducers = new Set<bigint>()
  const records: ConsumedRecord[] = []
  let next: bigint | undefined
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    next = lastOffset + 1n
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= lastOffset) {
      abortedProducers.add(pendingAborts.shift()!.producerId)
    }
    if (batch.attributes & CONTROL) {
      if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId)
      continue
    }
    if (batch.attributes & TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue
    if (lastOffset < fetchOffset) continue
    if (batch.unreadable !== undefined)
      records.push(unreadableRecord(topic, partition, fetchOffset, batch, batch.unreadable))
    else appendRecords(records, topic, partition, fetchOffset, batch)
  }
  return { records, next }
}

function isAbortMarker(batch: FetchedBatch): boolean {
  const key = batch.records[0]?.key
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER
}

/** The record standing for an unreadable batch: no key, no value, the batch's last offset. */
function unreadableRecord(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  batch: FetchedBatch,
  { codec, compressedBytes, limit }: BatchTooLarge,
): ConsumedRecord {
  const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
  const firstOffset = batch.firstOffset > fetchOffset ? batch.firstOffset : fetchOffset
  return {
    topic,
    partition,
    offset: lastOffset,
    key: null,
    value: null,
    headers: NO_HEADERS,
    timestamp: Number(batch.maxTimestamp),
    unreadable: { reason: 'inflate_limit', firstOffset, lastOffset, codec, compressedBytes, limit },
  }
}

function appendRecords(
  out: ConsumedRecord[],
  topic: string,
  partition: number,
  fetchOffset: bigint,
  batch: FetchedBatch,
): void {
  const logAppendTime = (batch.attributes & TIMESTAMP_LOG_APPEND) !== 0
  for (const record of batch.records) {
    const offset = batch.firstOffset + BigInt(record.offsetDelta)
    if (offset < fetchOffset) continue
    const timestamp = logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta
    out.push({
      topic,
      partition,
      offset,
      key: record.key,
      value: record.value,
      headers: decodeHeaders(record.headers),
      timestamp: Number(timestamp),
    })
  }
}

const NO_HEADERS: ReadonlyMap<string, Buffer> = new Map()

/** Header names are UTF-8 strings; when a name repeats, the last value wins (W3C trace headers do not). */
function decodeHeaders(headers: FetchedRecord['headers']): ReadonlyMap<string, Buffer> {
  if (headers.length === 0) return NO_HEADERS
  const map = new Map<string, Buffer>()
  for (const [key, value] of headers) {
    if (key !== null) map.set(key.toString('utf8'), value ?? Buffer.alloc(0))
  }
  return map
}
