/**
 * lake-writer throughput: rows/s from health-data-validated to committed Parquet in health_data_raw,
 * against pyarrow writing the same rows in the same run; file sizes; peak RSS.
 * `npm run bench -- lake [--help]`, on the local stack:
 *
 *   1. preload --samples validated samples (Avro, as the validator writes them) into an isolated prefix
 *   2. start one lake-writer (SQL catalog on SQLite, warehouse in a temporary directory) and time it
 *      from its partition assignment until every commit triggered by size (COMMIT_MAX_ROWS) has
 *      landed, i.e. health_data_raw holds more than samples − COMMIT_MAX_ROWS rows (`--until size`);
 *      rows/s = the rows it holds then over that time. COMMIT_INTERVAL is long by default (60s), so
 *      this is throughput under a steady load, not the wait for the interval that commits the last,
 *      partial buffer of a finite backlog. `--until offsets` waits instead until the table records
 *      every partition's end offset (the whole backlog, past the transaction markers; with
 *      --commit-interval 2s this is the figure measured before)
 *   3. pyarrow reads those rows back (the table's own Parquet files), then writes them again with
 *      ZSTD: once as one Arrow table already in memory, once from Python rows (to_pylist →
 *      from_pylist), the closest thing to what the lake-writer does from decoded records
 * Everything it created (topics, group) is deleted at the end unless --keep.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Table } from '@healthstream/iceberg'
import { openLake } from '../../services/lake-writer/src/lake.ts'
import { TABLES, TableNames } from '../../services/lake-writer/src/tables.ts'
import { validatedSample } from '../../services/lake-writer/test/support/records.ts'
import {
  drained,
  InputProducer,
  type LakeTarget,
  localTarget,
  serializers,
} from '../../services/lake-writer/test/support/stack.ts'
import { createAdmin, ensureTopics } from '../../shared/src/kafka/index.ts'
import { lakePython } from '../lake/reader.ts'
import { projectRoot } from '../stack/paths.ts'
import { testPipeline } from '../test-support/pipeline.ts'
import type { ServiceProcess } from '../test-support/services.ts'
import { type EncoderFigures, timeEncoders } from './lib/parquet-encode.ts'
import { type ProfileSummary, summarizeProfile } from './lib/profile.ts'
import { cleanUp, stackEnv } from './lib/stack.ts'
import { n, table } from './lib/stats.ts'

const USAGE = `usage: npm run bench -- lake [flags]
  --samples N           validated samples preloaded (default 200000)
  --users N             distinct users (default 1000)
  --days N              days the event times spread over (default 7: that many day partitions)
  --partitions N        partitions of the input topics (default 4)
  --commit-max-rows N   COMMIT_MAX_ROWS of the lake-writer (default 100000)
  --commit-interval D   COMMIT_INTERVAL of the lake-writer (default 60s: commits by size)
  --until WHAT          size (default: every commit by size landed) or offsets (end offsets recorded)
  --timeout S           longest the lake-writer may take (default 600)
  --out PATH            JSON results (default bench-results/lake.json)
  --node-options S      NODE_OPTIONS of the lake-writer (e.g. "--max-semi-space-size=64")
  --profile             run the lake-writer under node --cpu-prof and print its top functions
  --keep                keep the topics and the lake directory`

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

interface PyarrowResult {
  rows: number
  write_s: number
  bytes: number
  build_s: number
  write2_s: number
  max_rss_kb: number
}

function flags(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      samples: { type: 'string', default: '200000' },
      users: { type: 'string', default: '1000' },
      days: { type: 'string', default: '7' },
      partitions: { type: 'string', default: '4' },
      'commit-max-rows': { type: 'string', default: '100000' },
      'commit-interval': { type: 'string', default: '60s' },
      until: { type: 'string', default: 'size' },
      timeout: { type: 'string', default: '600' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'node-options': { type: 'string', default: '' },
      out: { type: 'string', default: join(projectRoot, 'bench-results', 'lake.json') },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  return {
    samples: Number(values.samples),
    users: Number(values.users),
    days: Number(values.days),
    partitions: Number(values.partitions),
    commitMaxRows: values['commit-max-rows'],
    commitInterval: values['commit-interval'],
    until: values.until === 'offsets' ? ('offsets' as const) : ('size' as const),
    timeoutMs: Number(values.timeout) * 1000,
    keep: values.keep,
    profile: values.profile,
    nodeOptions: values['node-options'],
    out: values.out,
  }
}

/** Peak and current resident set of a process, in MiB, from /proc (undefined once it is gone). */
function rss(pid: number | undefined): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 }
  } catch {
    return undefined
  }
}

async function preload(o: ReturnType<typeof flags>, topics: ReturnType<typeof testPipeline>['topics']) {
  const admin = createAdmin({ bootstrapBrokers: [process.env.KAFKA_BROKERS!], clientId: 'bench-lake' })
  const inputs = [topics.validated, topics.aggregates, topics.errors]
  await ensureTopics(
    admin,
    inputs.map((topic) => ({ topic, partitions: o.partitions })),
  ).finally(() => admin.close())
  const ser = await serializers(topics)
  const producer = new InputProducer()
  // Event times spread over --days, as a day of uploads from phones would be (a few days of history)
  const spacing = (o.days * 86_400_000_000) / o.samples
  const started = Date.now()
  try {
    for (let i = 0; i < o.samples; i += 10_000) {
      const chunk = Array.from({ length: Math.min(10_000, o.samples - i) }, (_, j) =>
        validatedSample(i + j, o.users, spacing),
      )
      await producer.send(
        topics.validated,
        chunk.map((s) => ({ key: s.userId, value: ser.validated.serialize(s) })),
        2000,
      )
    }
  } finally {
    await producer.close()
  }
  return (Date.now() - started) / 1000
}

/** Data files of the raw table: locations and sizes. */
async function rawFiles(target: LakeTarget): Promise<{ path: string; size: number }[]> {
  const lake = openLake(target.settings)
  try {
    const t = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: TableNames.raw })
    return (await t.dataFiles()).map((f) => ({ path: fileURLToPath(f.filePath), size: f.fileSizeInBytes }))
  } finally {
    lake.close()
  }
}

/** Rows in health_data_raw's current snapshot. */
async function rowsHeld(target: LakeTarget): Promise<number> {
  const lake = openLake(target.settings)
  try {
    const t = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: TableNames.raw })
    return Number(t.currentSnapshot?.summary['total-records'] ?? 0)
  } finally {
    await lake.close()
  }
}

/**
 * Starts the writer and times it from its partition assignment (the backlog is already there) until
 * every commit by size landed (`until` size) or the table records the topic's end offsets (`until`
 * offsets); returns the rows the table holds then, and the writer's peak RSS on the way.
 */
async function timeToDrain(
  writer: ServiceProcess,
  target: LakeTarget,
  topic: string,
  o: { timeoutMs: number; until: 'size' | 'offsets'; samples: number; commitMaxRows: string },
): Promise<{ seconds: number; peakMiB: number; rows: number }> {
  const { timeoutMs } = o
  let rows = o.samples
  const done = async () => {
    if (o.until === 'offsets') return drained(target, TableNames.raw, topic)
    rows = await rowsHeld(target)
    return rows > o.samples - Number(o.commitMaxRows)
  }
  await writer.start()
  const assigned = () => writer.lines.some((l) => l.includes('"msg":"partitions assigned"'))
  while (!assigned()) await new Promise((r) => setTimeout(r, 20))
  const t0 = performance.now()
  const deadline = Date.now() + timeoutMs
  let peakMiB = 0
  while (!(await done().catch(() => false))) {
    peakMiB = Math.max(peakMiB, rss(writer.pid)?.peak ?? 0)
    if (Date.now() > deadline) throw new Error(`the lake-writer did not finish within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const seconds = (performance.now() - t0) / 1000
  return { seconds, rows, peakMiB: Math.max(peakMiB, rss(writer.pid)?.peak ?? 0) }
}

/** Runs the benchmark and prints the results. */
export async function run(args: string[]): Promise<void> {
  const o = flags(args)
  const env = stackEnv()
  const dir = mkdtempSync(join(tmpdir(), 'bench-lake-'))
  const target = localTarget(dir)
  const pipeline = testPipeline('bench-lake')
  console.log(`preloading ${n(o.samples)} validated samples into ${pipeline.topics.validated} …`)
  const preloadS = await preload(o, pipeline.topics)
  const profileDir = join(projectRoot, 'bench-results', 'profiles')
  const profileBase = `lake-writer-${Date.now().toString(36)}`
  if (o.profile) mkdirSync(profileDir, { recursive: true })
  const writer = pipeline.service('lake-writer', {
    ...target.env,
    NODE_OPTIONS: [o.nodeOptions, o.profile ? profileOptions(profileDir, profileBase) : ''].join(' ').trim(),
    COMMIT_MAX_ROWS: o.commitMaxRows,
    COMMIT_INTERVAL: o.commitInterval,
    TOPIC_PARTITIONS: String(o.partitions),
    LOG_LEVEL: 'debug', // for the 'committed' lines: how long the loop spent committing
  })
  try {
    const { seconds, peakMiB, rows } = await timeToDrain(writer, target, pipeline.topics.validated, o)
    await writer.stop()
    const files = await rawFiles(target)
    const py = JSON.parse(await runPython(files.map((f) => f.path))) as PyarrowResult
    const schema = TABLES.find((t) => t.name === TableNames.raw)!.schema
    const encoders = await timeEncoders(
      files.map((f) => f.path),
      schema,
    )
    const result = {
      preloadS,
      seconds,
      rows,
      peakMiB,
      files,
      py,
      commits: commitStats(writer.lines, rows),
      encoders,
    }
    report(o, result)
    mkdirSync(join(o.out, '..'), { recursive: true })
    writeFileSync(o.out, JSON.stringify({ at: new Date().toISOString(), options: o, ...result }, null, 2))
    if (o.profile) printProfile(summarizeProfile(join(profileDir, `${profileBase}.cpuprofile`), 25))
  } finally {
    await writer.stop()
    if (!o.keep) {
      await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, pipeline.prefix)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

interface CommitStats {
  count: number
  rows: number
  ms: number
  maxMs: number
}

/** The lake-writer's 'committed' log lines (debug) of health_data_raw within the timed `rows`, summed. */
function commitStats(lines: readonly string[], rows: number): CommitStats {
  const out = { count: 0, rows: 0, ms: 0, maxMs: 0 }
  for (const line of lines) {
    if (!line.includes('"msg":"committed"') || out.rows >= rows) continue
    const c = JSON.parse(line) as { table: string; rows: number; durationMs: number }
    if (c.table !== TableNames.raw) continue
    out.count++
    out.rows += c.rows
    out.ms += c.durationMs
    out.maxMs = Math.max(out.maxMs, c.durationMs)
  }
  return out
}

/** NODE_OPTIONS that make the lake-writer write a CPU profile named `base` when it exits. */
function profileOptions(dir: string, base: string): string {
  return `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${base}.cpuprofile`
}

function printProfile(p: ProfileSummary): void {
  console.log(
    `\nprofile ${p.file}: busy ${n(p.busyMs)} ms, idle ${n(p.idleMs)} ms (whole run, start-up included)`,
  )
  console.log(table([['where', 'ms', '%'], ...p.places.map((x) => [x.name, n(x.ms), String(x.share)])]))
  console.log(table([['function', 'ms', '%'], ...p.functions.map((x) => [x.name, n(x.ms), String(x.share)])]))
}

function runPython(paths: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      lakePython(),
      ['-c', PYARROW, ...paths],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`pyarrow failed: ${stderr || error.message}`)) : resolve(stdout),
    ),
  )
}

function encoderRow(name: string, rowsPerS: number, pyarrow: number): string[] {
  return [name, '', '', n(rowsPerS), (rowsPerS / pyarrow).toFixed(2)]
}

function report(
  o: ReturnType<typeof flags>,
  r: {
    preloadS: number
    seconds: number
    rows: number
    peakMiB: number
    files: { size: number }[]
    py: PyarrowResult
    commits: CommitStats
    encoders: EncoderFigures
  },
): void {
  const ours = r.rows / r.seconds
  const arrowOnly = r.py.rows / r.py.write_s
  const fromRows = r.py.rows / (r.py.build_s + r.py.write2_s)
  const bytes = r.files.reduce((s, f) => s + f.size, 0)
  const sizes = r.files.map((f) => f.size).sort((a, b) => a - b)
  console.log(`\npreload: ${n(o.samples)} samples in ${r.preloadS.toFixed(1)} s`)
  console.log(
    table([
      ['writer', 'rows', 'seconds', 'rows/s', 'ratio (ours / it)'],
      [
        `lake-writer: topic → committed Parquet (until ${o.until}, COMMIT_INTERVAL ${o.commitInterval})`,
        n(r.rows),
        r.seconds.toFixed(2),
        n(ours),
        '',
      ],
      [
        'pyarrow: Arrow table → Parquet (ZSTD)',
        n(r.py.rows),
        r.py.write_s.toFixed(2),
        n(arrowOnly),
        (ours / arrowOnly).toFixed(2),
      ],
      [
        'pyarrow: Python rows → Arrow → Parquet',
        n(r.py.rows),
        (r.py.build_s + r.py.write2_s).toFixed(2),
        n(fromRows),
        (ours / fromRows).toFixed(2),
      ],
      encoderRow('our encoder alone: rows in memory → Parquet', r.encoders.columnarRowsPerS, arrowOnly),
      encoderRow('  the same, hyparquet-writer row path (before)', r.encoders.rowPathRowsPerS, arrowOnly),
    ]),
  )
  console.log(
    '(ratios: the lake-writer against each pyarrow row; our encoder against pyarrow Arrow table → Parquet; ' +
      'encoders timed in main-thread CPU seconds of this process, best of 3)',
  )
  console.log(
    `\nfiles: ${r.files.length} data files, ${n(bytes)} bytes (${(bytes / o.samples).toFixed(1)} B/row); ` +
      `smallest ${n(sizes[0] ?? 0)}, median ${n(sizes[Math.floor(sizes.length / 2)] ?? 0)}, largest ${n(sizes.at(-1) ?? 0)}; ` +
      `pyarrow's single file ${n(r.py.bytes)} bytes`,
  )
  const c = r.commits
  console.log(
    `commits: ${c.count} of health_data_raw, ${n(c.rows)} rows, ${(c.ms / 1000).toFixed(2)} s inside commits ` +
      `(Parquet encoding, file writes, catalog; the loop reads nothing meanwhile) = ` +
      `${((c.ms / 1000 / r.seconds) * 100).toFixed(0)} % of the run; longest ${n(c.maxMs)} ms`,
  )
  console.log(
    `memory: lake-writer peak RSS ${r.peakMiB.toFixed(0)} MiB within the timed run (COMMIT_MAX_ROWS ${o.commitMaxRows}); ` +
      `pyarrow process peak RSS ${(r.py.max_rss_kb / 1024).toFixed(0)} MiB`,
  )
}

if (import.meta.main) await run(process.argv.slice(2))
