/** The lake benchmark's yardstick: pyarrow, in the readers' venv, writing the same rows again with ZSTD. */
import { execFile } from 'node:child_process'
import { DEFAULT_ZSTD_LEVEL } from '@healthstream/parquet'
import { lakePython } from '@healthstream/testkit/lake'

/** pyarrow's side, run in the readers' venv: the same rows, written again with ZSTD. */
const PYARROW = `
import json, os, resource, sys, tempfile, time
import pyarrow as pa, pyarrow.parquet as pq
level = int(sys.argv[1])
paths = sys.argv[2:]
source = pa.concat_tables([pq.read_table(p) for p in paths])
out = tempfile.mkdtemp()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def write(t, name, level=None):
    start = time.perf_counter()
    pq.write_table(t, os.path.join(out, name), compression='zstd', compression_level=level)
    return time.perf_counter() - start, os.path.getsize(os.path.join(out, name))
cpu0 = cpu()
write_s, size = write(source, 'arrow.parquet')
write_cpu_s = cpu() - cpu0
warm_s = min(write(source, 'warm.parquet')[0] for _ in range(3))
ours = [write(source, 'ours.parquet', level) for _ in range(3)]
rows = source.to_pylist()
start = time.perf_counter()
built = pa.Table.from_pylist(rows, schema=source.schema)
build_s = time.perf_counter() - start
write2_s, _ = write(built, 'rows.parquet')
print(json.dumps({'rows': source.num_rows, 'write_s': write_s, 'write_cpu_s': write_cpu_s, 'warm_s': warm_s,
                  'bytes': size, 'build_s': build_s,
                  'our_level': level, 'our_level_warm_s': min(s for s, _ in ours), 'our_level_bytes': ours[0][1],
                  'write2_s': write2_s, 'max_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`

/** Seconds and bytes as pyarrow reports them. */
export interface PyarrowResult {
  rows: number
  /** The first write of the table in the process (what the ratio is taken against). */
  write_s: number
  /** CPU seconds of that write, all threads: equal to write_s when pyarrow encodes on one thread. */
  write_cpu_s: number
  /** The best of three more writes of the same table (warmed up). */
  warm_s: number
  bytes: number
  /** The ZSTD level our writer uses (pyarrow's own default is 1), and the best of three writes at it. */
  our_level: number
  our_level_warm_s: number
  our_level_bytes: number
  build_s: number
  write2_s: number
  max_rss_kb: number
}

/**
 * Reads the Parquet files at `paths` into one Arrow table and times writing it: the first write, its CPU
 * time, the best of three more (warm), the best of three at our ZSTD level, and, for comparison,
 * building it from Python rows first and writing that.
 */
export function writeWithPyarrow(paths: readonly string[]): Promise<PyarrowResult> {
  return new Promise((resolve, reject) =>
    execFile(
      lakePython(),
      ['-c', PYARROW, String(DEFAULT_ZSTD_LEVEL), ...paths],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`pyarrow failed: ${stderr || error.message}`))
          : resolve(JSON.parse(stdout) as PyarrowResult),
    ),
  )
}
