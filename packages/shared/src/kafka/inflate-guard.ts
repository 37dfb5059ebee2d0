/**
 * The one place that changes @platformatic/kafka at run time: its codec table.
 *
 * Why: the client inflates every compressed batch of a Fetch response while it parses the response
 * (`readRecordsBatch` in `protocol/records.js` calls `compressionsAlgorithmsByBitmask[bits].decompressSync`,
 * which for gzip and zstd is `zlib.gunzipSync` / `zlib.zstdDecompressSync` without a bound), before
 * any code of ours sees a byte; it offers no option to bound it, and no way to plug codecs in. The table
 * is an exported, mutable object whose entries `readRecordsBatch` looks up on every batch, so bounding
 * the table's `decompressSync` functions bounds the client's inflation. Patching the files in
 * node_modules would not survive `npm ci`.
 *
 * If the client's internals move (a copied table, codecs bound at import), the guard silently stops
 * working: `test/kafka/inflate-guard.test.ts` parses a bomb through the client's own
 * `readRecordsBatches` and fails then.
 */
import { compressionsAlgorithms } from '@platformatic/kafka'
import { type Codec, type Decompress, inflateBounded } from './inflate.ts'

/**
 * Default bound of the inflated size of one fetched record batch: 64 MiB, the size of the loop's
 * read-ahead buffer (`maxBufferedBytes`), 16 times ingest's 4 MiB `MAX_MESSAGE_BYTES` and 64 times the
 * 1 MiB fetch size. Producers batch well below it (Kafka's default `batch.size` is 16 KiB).
 */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024

const CODECS: readonly Codec[] = ['gzip', 'snappy', 'lz4', 'zstd']

interface ClientCodec {
  decompressSync(data: Buffer): Buffer
}

const table = compressionsAlgorithms as unknown as Record<Codec, ClientCodec>
/** The client's own decoders, before the guard replaced them. */
const original = new Map<Codec, Decompress>()
let limit = DEFAULT_MAX_INFLATED_BYTES

/**
 * Bounds what the client inflates per record batch, for every client in the process (the codec table
 * is process-wide, so the bound is too): a larger batch fails the fetch with `BatchInflateLimitError`.
 * Idempotent; the last call sets the bound. Called by `PlatformaticConsumer` with the default, and by
 * the services with `FETCH_MAX_INFLATED_BYTES`.
 */
export function limitInflatedBatches(bytes: number = limit): void {
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new RangeError(`inflate bound must be ≥ 1, got ${bytes}`)
  limit = bytes
  for (const codec of CODECS) {
    const entry = table[codec]
    if (original.has(codec)) continue
    const decompress = entry.decompressSync.bind(entry)
    original.set(codec, decompress)
    entry.decompressSync = (data: Buffer) => inflateBounded(codec, asBuffer(data), limit, decompress)
  }
}

/** The bound `limitInflatedBatches` set last (the default before). */
export function inflatedBatchLimit(): number {
  return limit
}

/** The client's unbounded decoder of `codec` (for snappy and lz4 once their declared size was checked). */
export function clientDecompress(codec: Codec): Decompress {
  const decompress = original.get(codec)
  if (decompress !== undefined) return decompress
  const entry = table[codec]
  return entry.decompressSync.bind(entry)
}

/** The client hands its decoders a Buffer, or a DynamicBuffer (whose `buffer` is the bytes as one Buffer). */
function asBuffer(data: Buffer | { readonly buffer: Buffer }): Buffer {
  return Buffer.isBuffer(data) ? data : data.buffer
}
