/**
 * lake-writer throughput: validated samples from the topic to committed Parquet of health_data_raw,
 * against pyarrow writing the same rows in the same run (ratio), with file sizes, RSS and the Kafka
 * client's own ceiling. `npm run bench -- lake [--help]`, on the local stack.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { lakeWriterConfig } from '../../services/lake-writer/src/config.ts'
import { TABLES, TableNames } from '../../services/lake-writer/src/tables.ts'
import { validatedSample } from '../../services/lake-writer/test/support/records.ts'
import { InputProducer, localTarget, serializers } from '../../services/lake-writer/test/support/stack.ts'
import { createAdmin, ensureTopics } from '../../shared/src/kafka/index.ts'
import { projectRoot } from '../stack/paths.ts'
import { testPipeline } from '../test-support/pipeline.ts'
import { type KafkaOnly, timeKafkaClient } from './lib/kafka-read.ts'
import { rawFiles, timeToDrain } from './lib/lake-drain.ts'
import { type EncoderFigures, timeEncoders } from './lib/parquet-encode.ts'
import { type ProfileSummary, summarizeProfile } from './lib/profile.ts'
import { type PyarrowResult, writeWithPyarrow } from './lib/pyarrow-write.ts'
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
  --encode-threads N    ENCODE_THREADS of the lake-writer (default 0: encoded on the loop's thread)
  --fetch-max-bytes N   FETCH_MAX_BYTES of the lake-writer and of the Kafka-only read (default: the service's)
  --node-options S      NODE_OPTIONS of the lake-writer (e.g. "--max-semi-space-size=64")
  --instances N         lake-writer processes sharing the partitions (default 1; above 1 needs --until offsets)
  --profile             run the (first) lake-writer under node --cpu-prof and print its top functions
  --keep                keep the topics and the lake directory`

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
      'encode-threads': { type: 'string', default: '0' },
      'fetch-max-bytes': { type: 'string' },
      instances: { type: 'string', default: '1' },
      out: { type: 'string', default: join(projectRoot, 'bench-results', 'lake.json') },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const instances = Number(values.instances)
  if (!Number.isInteger(instances) || instances < 1) {
    console.error(`--instances must be a whole number ≥ 1, got ${values.instances}\n${USAGE}`)
    process.exit(2)
  }
  // Each writer's last commit by size falls at a different point: only the end offsets compare fairly
  if (instances > 1 && values.until !== 'offsets') {
    console.error('--instances above 1 needs --until offsets (and a short --commit-interval, e.g. 2s)')
    process.exit(2)
  }
  return {
    samples: Number(values.samples),
    users: Number(values.users),
    days: Number(values.days),
    partitions: Number(values.partitions),
    commitMaxRows: values['commit-max-rows'],
    commitInterval: values['commit-interval'],
    // A backlog smaller than one commit by size has only the interval commit to wait for
    until:
      values.until === 'offsets' || Number(values.samples) < Number(values['commit-max-rows'])
        ? ('offsets' as const)
        : ('size' as const),
    timeoutMs: Number(values.timeout) * 1000,
    keep: values.keep,
    profile: values.profile,
    nodeOptions: values['node-options'],
    encodeThreads: values['encode-threads'],
    fetchMaxBytes: values['fetch-max-bytes'],
    instances,
    out: values.out,
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
  const writers = Array.from({ length: o.instances }, (_, i) =>
    pipeline.service('lake-writer', {
      ...target.env,
      INSTANCE_ID: `lake-writer-${i + 1}`,
      NODE_OPTIONS: [o.nodeOptions, o.profile && i === 0 ? profileOptions(profileDir, profileBase) : '']
        .join(' ')
        .trim(),
      COMMIT_MAX_ROWS: o.commitMaxRows,
      COMMIT_INTERVAL: o.commitInterval,
      ENCODE_THREADS: o.encodeThreads,
      ...(o.fetchMaxBytes === undefined ? {} : { FETCH_MAX_BYTES: o.fetchMaxBytes }),
      TOPIC_PARTITIONS: String(o.partitions),
      LOG_LEVEL: 'debug', // for the 'committed' lines: how long the loop spent committing
    }),
  )
  try {
    const { seconds, peakMiB, rows } = await timeToDrain(writers, target, pipeline.topics.validated, o)
    await Promise.all(writers.map((w) => w.stop()))
    const kafkaOnly = await timeKafkaClient(
      env.KAFKA_BROKERS!,
      pipeline.topics.validated,
      Number(o.fetchMaxBytes ?? lakeWriterConfig.FETCH_MAX_BYTES.default),
    )
    const files = await rawFiles(target)
    const py = await writeWithPyarrow(files.map((f) => f.path))
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
      commits: commitStats(
        writers.flatMap((w) => w.lines),
        rows,
      ),
      encoders,
      kafkaOnly,
    }
    report(o, result)
    mkdirSync(join(o.out, '..'), { recursive: true })
    writeFileSync(o.out, JSON.stringify({ at: new Date().toISOString(), options: o, ...result }, null, 2))
    if (o.profile) printProfile(summarizeProfile(join(profileDir, `${profileBase}.cpuprofile`), 25))
  } finally {
    await Promise.all(writers.map((w) => w.stop()))
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
      `pyarrow's single file ${n(r.py.bytes)} bytes`,
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

if (import.meta.main) await run(process.argv.slice(2))
