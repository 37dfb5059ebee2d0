/** The lake benchmark's printed report: its table of ratios, files, commits, memory and the profile. */
import type { CpuUse } from './cpu.ts'
import type { KafkaOnly } from './kafka-read.ts'
import type { CommitStats } from './lake-drain.ts'
import type { EncoderFigures } from './parquet-encode.ts'
import type { ProfileSummary } from './profile.ts'
import type { PyarrowResult } from './pyarrow-write.ts'
import { n, table } from './stats.ts'

/** The run's settings the report names. */
export interface ReportOptions {
  readonly samples: number
  readonly until: 'size' | 'offsets'
  readonly commitInterval: string
  readonly commitMaxRows: string
  readonly encodeThreads: string
  readonly instances: number
}

/** The lake-writer's CPU profile: where the time went and the top functions. */
export function printProfile(p: ProfileSummary): void {
  console.log(
    `\nprofile ${p.file}: busy ${n(p.busyMs)} ms, idle ${n(p.idleMs)} ms (whole run, start-up included)`,
  )
  console.log(table([['where', 'ms', '%'], ...p.places.map((x) => [x.name, n(x.ms), String(x.share)])]))
  console.log(table([['function', 'ms', '%'], ...p.functions.map((x) => [x.name, n(x.ms), String(x.share)])]))
}

function encoderRow(name: string, rowsPerS: number, pyarrow: number): string[] {
  return [name, '', '', n(rowsPerS), (rowsPerS / pyarrow).toFixed(2)]
}

/**
 * What the timed run cost in CPU per row (the writers, all their threads, and the broker serving them),
 * and the most rows/s the machine's cores could carry at that cost if none of them ever waited.
 */
function cpuLine(cpu: CpuUse, rows: number, pyarrow: number): string {
  const micros = (cores = 0) => (cores * cpu.seconds * 1e6) / rows
  const [writer, broker] = [micros(cpu.cores['lake-writer']), micros(cpu.cores.kafka)]
  const ceiling = (cpu.machineCores * 1e6) / (writer + broker)
  return (
    `CPU over the timed run: lake-writer ${(cpu.cores['lake-writer'] ?? 0).toFixed(2)} cores ` +
    `(${writer.toFixed(1)} µs per row), broker ${(cpu.cores.kafka ?? 0).toFixed(2)} cores ` +
    `(${broker.toFixed(1)} µs per row), machine ${cpu.machine.toFixed(2)} of ${cpu.machineCores} cores; ` +
    `at that cost ${cpu.machineCores} cores carry at most ${n(ceiling)} rows/s ` +
    `(${(ceiling / pyarrow).toFixed(2)}× of pyarrow's first write)`
  )
}

/** Prints the run's figures: throughput against pyarrow, the Kafka client alone, files, commits, memory. */
export function report(
  o: ReportOptions,
  r: {
    preloadS: number
    seconds: number
    rows: number
    peakMiB: number
    cpu: CpuUse
    files: { size: number }[]
    py: PyarrowResult
    commits: CommitStats
    encoders: EncoderFigures
    kafkaOnly: KafkaOnly
  },
): void {
  const ours = r.rows / r.seconds
  const arrowOnly = r.py.rows / r.py.write_s
  const warm = r.py.rows / r.py.warm_s
  const fromRows = r.py.rows / (r.py.build_s + r.py.write2_s)
  const bytes = r.files.reduce((s, f) => s + f.size, 0)
  const sizes = r.files.map((f) => f.size).sort((a, b) => a - b)
  console.log(`\npreload: ${n(o.samples)} samples in ${r.preloadS.toFixed(1)} s`)
  console.log(
    table([
      ['writer', 'rows', 'seconds', 'rows/s', 'ratio (ours / it)'],
      [
        `lake-writer${o.instances > 1 ? ` ×${o.instances}` : ''}: topic → committed Parquet ` +
          `(until ${o.until}, COMMIT_INTERVAL ${o.commitInterval})`,
        n(r.rows),
        r.seconds.toFixed(2),
        n(ours),
        '',
      ],
      [
        'pyarrow: Arrow table → Parquet (ZSTD), first write',
        n(r.py.rows),
        r.py.write_s.toFixed(2),
        n(arrowOnly),
        (ours / arrowOnly).toFixed(2),
      ],
      [
        'pyarrow: the same, warm (best of 3 more writes)',
        n(r.py.rows),
        r.py.warm_s.toFixed(2),
        n(warm),
        (ours / warm).toFixed(2),
      ],
      [
        `pyarrow: the same at our ZSTD level ${r.py.our_level} (warm, ${n(r.py.our_level_bytes)} bytes)`,
        n(r.py.rows),
        r.py.our_level_warm_s.toFixed(2),
        n(r.py.rows / r.py.our_level_warm_s),
        (ours / (r.py.rows / r.py.our_level_warm_s)).toFixed(2),
      ],
      [
        'pyarrow: Python rows → Arrow → Parquet',
        n(r.py.rows),
        (r.py.build_s + r.py.write2_s).toFixed(2),
        n(fromRows),
        (ours / fromRows).toFixed(2),
      ],
      encoderRow('our encoder alone: rows in memory → Parquet', r.encoders.columnarRowsPerS, warm),
      encoderRow('  the same, hyparquet-writer row path (before)', r.encoders.rowPathRowsPerS, warm),
    ]),
  )
  const k = r.kafkaOnly
  console.log(
    `the Kafka client alone (the lake-writer's fetch path over the whole topic, no decoding): ` +
      `${n(k.records / k.seconds)} records/s, ${k.cpuMicrosPerRecord.toFixed(1)} µs of CPU per record ` +
      `(the most one reader could reach, ${(k.records / k.seconds / arrowOnly).toFixed(2)}× of pyarrow's first write)`,
  )
  console.log(cpuLine(r.cpu, r.rows, arrowOnly))
  console.log(
    `pyarrow's first write used ${(r.py.write_cpu_s / r.py.write_s).toFixed(2)} cores ` +
      `(${r.py.write_cpu_s.toFixed(2)} s of CPU in ${r.py.write_s.toFixed(2)} s)`,
  )
  console.log(
    '(ratios: the lake-writer against each pyarrow row; our encoder, timed warm, against warm pyarrow; ' +
      'encoders timed in CPU seconds of this process, per file the best of 3)',
  )
  console.log(
    `\nfiles: ${r.files.length} data files, ${n(bytes)} bytes (${(bytes / o.samples).toFixed(1)} B/row); ` +
      `smallest ${n(sizes[0] ?? 0)}, median ${n(sizes[Math.floor(sizes.length / 2)] ?? 0)}, largest ${n(sizes.at(-1) ?? 0)}; ` +
      `pyarrow's single file ${n(r.py.bytes)} bytes (ZSTD level 1, its default)`,
  )
  const c = r.commits
  console.log(
    `commits: ${c.count} of health_data_raw, ${n(c.rows)} rows, ${(c.ms / 1000).toFixed(2)} s inside commits ` +
      (o.instances > 1 ? '(summed over the writers) ' : '') +
      `(Parquet encoding, file writes, catalog; ` +
      (o.encodeThreads === '0'
        ? 'encoded on the loop thread, which reads nothing meanwhile'
        : `encoded on ${o.encodeThreads} worker thread(s) while the loop reads on`) +
      ') = ' +
      `${((c.ms / 1000 / r.seconds) * 100).toFixed(0)} % of the run; longest ${n(c.maxMs)} ms`,
  )
  console.log(
    `memory: lake-writer peak RSS ${r.peakMiB.toFixed(0)} MiB${o.instances > 1 ? ' (the processes summed)' : ''} within the timed run (COMMIT_MAX_ROWS ${o.commitMaxRows}); ` +
      `pyarrow process peak RSS ${(r.py.max_rss_kb / 1024).toFixed(0)} MiB`,
  )
}
