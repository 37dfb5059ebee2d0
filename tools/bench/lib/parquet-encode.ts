/**
 * Our Parquet encoder alone, for the lake benchmark: rows already in memory (read back from the files
 * the lake-writer committed) written again, file by file, by the columnar writer and by the
 * hyparquet-writer row path it replaced; per file the best of a few rounds, in this process's CPU time
 * (all its threads: the garbage collector's helpers count too).
 */
import { readFileSync } from 'node:fs'
import { readParquet, type Schema, writeParquet, writeParquetRows } from '@healthstream/parquet'

/** Rows per second of each encoder over the same rows. */
export interface EncoderFigures {
  readonly rows: number
  readonly columnarRowsPerS: number
  readonly rowPathRowsPerS: number
  readonly columnarBytes: number
}

function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage()
  fn()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1e6
}

function best(rounds: number, fn: () => void): number {
  let s = Number.POSITIVE_INFINITY
  for (let i = 0; i < rounds; i++) s = Math.min(s, cpuSeconds(fn))
  return s
}

/**
 * Times both encoders on the rows of `paths` (one output file per input file, as committed). Each file
 * is read just before it is encoded, so the heap holds one file's rows at a time (600 000 row objects
 * held at once made the garbage collector's share, not the encoder, the figure).
 */
export async function timeEncoders(paths: readonly string[], schema: Schema): Promise<EncoderFigures> {
  const read = (p: string) => readParquet(new Uint8Array(readFileSync(p)), schema)
  let rows = 0
  let columnarBytes = 0
  let columnar = 0
  let rowPath = 0
  for (const path of paths) {
    const group = await read(path)
    rows += group.length
    let bytes = 0
    columnar += best(3, () => {
      bytes = writeParquet(schema, group).bytes.length
    })
    columnarBytes += bytes
    rowPath += best(1, () => {
      writeParquetRows(schema, group)
    })
  }
  return { rows, columnarRowsPerS: rows / columnar, rowPathRowsPerS: rows / rowPath, columnarBytes }
}
