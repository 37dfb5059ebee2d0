/**
 * lake-writer throughput: validated samples from the topic to committed Parquet of health_data_raw,
 * against pyarrow writing the same rows in the same run (ratio), with file sizes, RSS and the Kafka
 * client's own ceiling. `npm run bench -- lake [--help]`, on the local stack.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { lakeWriterConfig } from '@healthstream/lake-writer/config'
import { TABLES, TableNames } from '@healthstream/lake-writer/tables'
import { localTarget } from '@healthstream/lake-writer/testing'
import { testPipeline } from '@healthstream/testkit/stack'
import { projectRoot } from '../stack/paths.ts'
import { timeKafkaClient } from './lib/kafka-read.ts'
import { commitStats, rawFiles, timeToDrain } from './lib/lake-drain.ts'
import { printProfile, report } from './lib/lake-report.ts'
import { timeEncoders } from './lib/parquet-encode.ts'
import { cpuProfileOptions, summarizeProfile } from './lib/profile.ts'
import { writeWithPyarrow } from './lib/pyarrow-write.ts'
import { cleanUp, stackEnv } from './lib/stack.ts'
import { n } from './lib/stats.ts'
import { preloadValidated } from './lib/validated-preload.ts'

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

/** Runs the benchmark and prints the results. */
export async function run(args: string[]): Promise<void> {
  const o = flags(args)
  const env = stackEnv()
  const dir = mkdtempSync(join(tmpdir(), 'bench-lake-'))
  const target = localTarget(dir)
  const pipeline = testPipeline('bench-lake')
  console.log(`preloading ${n(o.samples)} validated samples into ${pipeline.topics.validated} …`)
  const preloadS = await preloadValidated(o, pipeline.topics)
  const profileDir = join(projectRoot, 'bench-results', 'profiles')
  const profileBase = `lake-writer-${Date.now().toString(36)}`
  if (o.profile) mkdirSync(profileDir, { recursive: true })
  const writers = Array.from({ length: o.instances }, (_, i) =>
    pipeline.service('lake-writer', {
      ...target.env,
      INSTANCE_ID: `lake-writer-${i + 1}`,
      NODE_OPTIONS: [o.nodeOptions, o.profile && i === 0 ? cpuProfileOptions(profileDir, profileBase) : '']
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
    const { seconds, peakMiB, rows, cpu } = await timeToDrain(writers, target, pipeline.topics.validated, o)
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
      cpu,
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

if (import.meta.main) await run(process.argv.slice(2))
