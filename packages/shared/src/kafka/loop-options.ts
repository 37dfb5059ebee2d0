import type { BackoffOptions } from './backoff.ts'
import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import type { LoopEvent } from './loop-stats.ts'
import type {
  ConsumedRecord,
  ConsumerPort,
  GroupSession,
  OutputRecord,
  TransactionalProducerPort,
} from './ports.ts'

/** What the transform knows about the batch it is given. */
export interface TransformContext {
  /** The group session the records were read under. */
  readonly session: GroupSession
  /** Aborts when the batch became pointless (rebalance) or the loop is stopping hard; stop work early. */
  readonly signal: AbortSignal
}

/**
 * Turns one batch of input records into output records. It may be called again with the same records
 * (after an abort or a rebalance), so it must not have side effects outside the outputs it returns,
 * or make them idempotent.
 */
export type Transform = (
  records: readonly ConsumedRecord[],
  context: TransformContext,
) => Promise<readonly OutputRecord[]>

/**
 * Most bytes one fetch asks for, unless told otherwise. Small on purpose: @platformatic/kafka 2.12.1
 * parses a response straight from the socket's chunks (64 KiB each), and every read walks those chunks
 * from the first, so parsing costs grow with the response's size. Measured on the lake benchmark's
 * topic: 16 MiB fetches 3.4 µs of CPU per record, 1 MiB fetches 1.3 µs (parsing alone, in memory:
 * 2.30 µs at 257 chunks, 0.57 µs at 17, 0.49 µs in one buffer).
 */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024

/** Options of `TransactionalLoop`; every limit has a default that suits the services. */
export interface TransactionalLoopOptions {
  readonly consumer: ConsumerPort
  readonly producer: TransactionalProducerPort
  readonly inputTopics: readonly string[]
  readonly transform: Transform
  /** Most input records per transaction. Default 5000. */
  readonly maxBatchRecords?: number
  /** Longest wait for a batch to fill once it has a first record. Default 50 ms. */
  readonly lingerMs?: number
  /** Longest time one fetch waits at the broker when there is no data. Default 500 ms. */
  readonly fetchMaxWaitMs?: number
  /** Most bytes per fetch. Default `DEFAULT_FETCH_MAX_BYTES` (1 MiB). */
  readonly fetchMaxBytes?: number
  /** Reading ahead pauses at this many buffered records. Default 2 × maxBatchRecords. */
  readonly maxBufferedRecords?: number
  /** Reading ahead pauses at this many buffered key and value bytes. Default 64 MiB. */
  readonly maxBufferedBytes?: number
  /** Backoff between retries of a failed batch. Default 200 ms doubling up to 30 s. */
  readonly retryBackoff?: BackoffOptions
  /** How long `stop` lets the open batch finish before it aborts it. Default 10 s. */
  readonly shutdownTimeoutMs?: number
  /** Aborting it stops the loop gracefully, like `stop()`. */
  readonly signal?: AbortSignal
  /** Told about assignments, commits, aborts and retries (for logs and metrics). */
  readonly onEvent?: (event: LoopEvent) => void
}

/** The options with defaults applied, validated once. */
export interface ResolvedLoopOptions extends Required<Omit<TransactionalLoopOptions, 'signal' | 'onEvent'>> {
  readonly signal: AbortSignal | undefined
  readonly onEvent: ((event: LoopEvent) => void) | undefined
}

/** Applies defaults and rejects values out of bounds, naming the option and the bound. */
export function resolveLoopOptions(options: TransactionalLoopOptions): ResolvedLoopOptions {
  const maxBatchRecords = options.maxBatchRecords ?? 5000
  const resolved: ResolvedLoopOptions = {
    ...options,
    maxBatchRecords,
    lingerMs: options.lingerMs ?? 50,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
    fetchMaxBytes: options.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES,
    maxBufferedRecords: options.maxBufferedRecords ?? 2 * maxBatchRecords,
    maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
    retryBackoff: options.retryBackoff ?? { initialMs: 200, maxMs: 30_000 },
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    signal: options.signal,
    onEvent: options.onEvent,
  }
  if (resolved.inputTopics.length === 0) invalid('inputTopics must name at least one topic')
  atLeast('maxBatchRecords', resolved.maxBatchRecords, 1)
  atLeast('lingerMs', resolved.lingerMs, 0)
  atLeast('fetchMaxWaitMs', resolved.fetchMaxWaitMs, 0)
  atLeast('fetchMaxBytes', resolved.fetchMaxBytes, 1024)
  atLeast('maxBufferedRecords', resolved.maxBufferedRecords, resolved.maxBatchRecords)
  atLeast('maxBufferedBytes', resolved.maxBufferedBytes, 1)
  atLeast('retryBackoff.initialMs', resolved.retryBackoff.initialMs, 0)
  atLeast('retryBackoff.maxMs', resolved.retryBackoff.maxMs, resolved.retryBackoff.initialMs)
  atLeast('shutdownTimeoutMs', resolved.shutdownTimeoutMs, 0)
  return resolved
}

function atLeast(name: string, value: number, bound: number): void {
  if (!Number.isFinite(value) || value < bound) invalid(`${name} must be a number ≥ ${bound}, got ${value}`)
}

function invalid(message: string): never {
  throw new KafkaLoopError(KafkaErrorCode.INVALID_OPTIONS, message)
}
