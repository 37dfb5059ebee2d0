/**
 * Compression codecs for Parquet pages. ZSTD comes from `node:zlib` (Node ≥ 22.15, Bun, and Deno
 * where their node:zlib has it): no native addon, no WASM. Callers on other runtimes pass their own.
 */
import * as zlib from 'node:zlib'
import { ParquetError } from '../errors.ts'

/** A page compressor. */
export type Compress = (input: Uint8Array) => Uint8Array
/** A page decompressor (`outputLength` is the uncompressed size from the page header). */
export type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array

type ZstdZlib = {
  zstdCompressSync?: (buf: Uint8Array, opts?: object) => Buffer
  zstdDecompressSync?: (buf: Uint8Array) => Buffer
  constants: Record<string, number>
}

const z = zlib as unknown as ZstdZlib

function unsupported(): never {
  throw new ParquetError(
    'UNSUPPORTED',
    'this runtime has no zstd in node:zlib; pass a ZSTD compressor (option zstd) or write UNCOMPRESSED',
  )
}

/**
 * The ZSTD level pages are compressed at: zstd's own default, not pyarrow's 1, which on the lake
 * benchmark made files much larger for little speed (figures in services/lake-writer/BENCHMARKS.md).
 */
export const DEFAULT_ZSTD_LEVEL = 3

/** ZSTD compression at a level. */
export function zstdCompressor(level = DEFAULT_ZSTD_LEVEL): Compress {
  const compress = z.zstdCompressSync ?? unsupported
  const params = { [z.constants.ZSTD_c_compressionLevel ?? 100]: level }
  return (input) => new Uint8Array(compress(input, { params }))
}

/** ZSTD decompression. */
export function zstdDecompressor(): Decompress {
  const decompress = z.zstdDecompressSync ?? unsupported
  return (input) => new Uint8Array(decompress(input))
}

/** Decompressors for reading Parquet files written by this library or by others (gzip too; snappy is hyparquet's own). */
export function defaultDecompressors(): Record<string, Decompress> {
  return {
    ZSTD: (input, n) => zstdDecompressor()(input, n),
    GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)),
  }
}
