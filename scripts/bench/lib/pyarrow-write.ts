/** The lake benchmark's yardstick: pyarrow, in the readers' venv, writing the same rows again with ZSTD. */
import { execFile } from 'node:child_process'
import { lakePython } from '../../lake/reader.ts'

/** pyarrow's side, run in the readers' venv: the same rows, written again with ZSTD. */
const PYARROW = `
import json, os, resource, sys, tempfile, time
import pyarrow as pa, pyarrow.parquet as pq
paths = sys.argv[1:]
source = pa.concat_tables([pq.read_table(p) for p in paths])
out = tempfile.mkdtemp()
def write(t, name):
    start = time.perf_counter()
    pq.write_table(t, os.path.join(out, name), compression='zstd')
    return time.perf_counter() - start, os.path.getsize(os.path.join(out, name))
write_s, size = write(source, 'arrow.parquet')
rows = source.to_pylist()
start = time.perf_counter()
built = pa.Table.from_pylist(rows, schema=source.schema)
build_s = time.perf_counter() - start
write2_s, _ = write(built, 'rows.parquet')
print(json.dumps({'rows': source.num_rows, 'write_s': write_s, 'bytes': size, 'build_s': build_s,
                  'write2_s': write2_s, 'max_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`

/** Seconds and bytes as pyarrow reports them. */
export interface PyarrowResult {
  rows: number
  write_s: number
  bytes: number
  build_s: number
  write2_s: number
  max_rss_kb: number
}

/**
 * Reads the Parquet files at `paths` into one Arrow table and times writing it (and, for comparison,
 * building it from Python rows first and writing that).
 */
export function writeWithPyarrow(paths: readonly string[]): Promise<PyarrowResult> {
  return new Promise((resolve, reject) =>
    execFile(
      lakePython(),
      ['-c', PYARROW, ...paths],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`pyarrow failed: ${stderr || error.message}`))
          : resolve(JSON.parse(stdout) as PyarrowResult),
    ),
  )
}
