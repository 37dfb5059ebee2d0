/**
 * Our Parquet encoder alone, for the lake benchmark: rows already in memory (read back from the files
 * the lake-writer committed) written again, file by file, by the columnar writer and by the
 * hyparquet-writer row path it replaced; the best of a few rounds, main-thread CPU time.
 */
import { readFileSync } from 'node:fs'
import { readParquet, type Schema } from '@healthstream/iceberg'
import { writeParquet, writeParquetRows } from '../../../iceberg/src/parquet/writer.ts'

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

/** Times both encoders on the rows of `paths` (one output file per input file, as committed). */
export async function timeEncoders(paths: readonly string[], schema: Schema): Promise<EncoderFigures> {
  const groups = await Promise.all(paths.map((p) => readParquet(new Uint8Array(readFileSync(p)), schema)))
  const rows = groups.reduce((n, g) => n + g.length, 0)
  let columnarBytes = 0
  const columnar = best(3, () => {
    columnarBytes = 0
    for (const g of groups) columnarBytes += writeParquet(schema, g).bytes.length
  })
  const rowPath = best(1, () => {
    for (const g of groups) writeParquetRows(schema, g)
  })
  return { rows, columnarRowsPerS: rows / columnar, rowPathRowsPerS: rows / rowPath, columnarBytes }
}
