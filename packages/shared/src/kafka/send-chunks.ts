/**
 * How a transaction's outputs are cut into produce requests. The client makes one record batch per
 * partition of a request, and the broker refuses a batch above `message.max.bytes` (1 MiB by default):
 * so each partition's share of a request stays under `batchBytes`, and the request under
 * `requestBytes`. A transaction's outputs spread over several partitions then travel in one request
 * where a bound on the whole request took three (about 1.2 MB over four partitions), each a round
 * trip to the broker the hop waits for.
 */
import type { OutputRecord } from './ports.ts'

export interface SendLimits {
  /** Most bytes of one partition in one request (under the broker's `message.max.bytes`). */
  readonly batchBytes: number
  /** Most bytes of one request. */
  readonly requestBytes: number
}

/** 900 KiB a partition, a tenth under Kafka's default `message.max.bytes`; 4 MiB a request. */
export const SEND_LIMITS: SendLimits = { batchBytes: 900 * 1024, requestBytes: 4 * 1024 * 1024 }

/** A record's share of its batch: key, value, headers, and a bound on the framing (varints, attributes). */
export function recordBytes(record: OutputRecord): number {
  let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 32
  if (record.headers !== undefined)
    for (const [name, value] of record.headers) bytes += name.length + value.length + 8
  return bytes
}

/**
 * Consecutive slices `[start, end)` of `records` for one request each, in order. `partitions[i]` is
 * record i's partition, or undefined when the client picks it (no key): such a record may join any
 * batch, so its bytes count against every partition. A record larger than the limits goes alone.
 */
export function* sendChunks(
  records: readonly OutputRecord[],
  partitions: readonly (number | undefined)[],
  limits: SendLimits = SEND_LIMITS,
): Generator<readonly [start: number, end: number]> {
  let start = 0
  let total = 0
  let anywhere = 0
  const perPartition = new Map<string, number>()
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    const bytes = recordBytes(record)
    const partition = partitions[i]
    const key = partition === undefined ? undefined : `${record.topic}\u0000${partition}`
    const inBatch = key === undefined ? largest(perPartition) : (perPartition.get(key) ?? 0)
    const full = total + bytes > limits.requestBytes || anywhere + inBatch + bytes > limits.batchBytes
    if (i > start && full) {
      yield [start, i]
      start = i
      total = 0
      anywhere = 0
      perPartition.clear()
    }
    total += bytes
    if (key === undefined) anywhere += bytes
    else perPartition.set(key, (perPartition.get(key) ?? 0) + bytes)
  }
  if (start < records.length) yield [start, records.length]
}

function largest(values: Map<string, number>): number {
  let max = 0
  for (const v of values.values()) if (v > max) max = v
  return max
}
