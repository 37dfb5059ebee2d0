/**
 * The Apache Iceberg Kafka Connect sink as a peer of the lake-writer (issue #17): Kafka Connect 4.1.1
 * in standalone mode running org.apache.iceberg.connect.IcebergSinkConnector 1.10.1, both from Maven
 * Central, reading the validated topic into a health_data_raw of its own. The table is pre-created
 * with the lake-writer's own definition (columns, day(start_time) partitioning, zstd) in a SQLite
 * catalog with a local warehouse, the lake-writer's default lake, so only the writers differ.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { TableNames } from '@healthstream/lake-writer/tables'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import { freePort } from '@healthstream/testkit/stack'
import { fillOnce, findJava, mavenCacheDir, mavenClasspath } from '../../../stack/maven.ts'
import { requireTool, run } from '../../../stack/tools.ts'
import { processCpuSeconds } from '../cpu.ts'
import { memoryMiB } from '../memory.ts'
import {
  CONVERTER_CLASS,
  connectorConfig,
  LOG4J,
  properties,
  type SinkSettings,
  workerConfig,
} from './iceberg-connect-config.ts'
import { createTable, tableState } from './iceberg-connect-table.ts'

const KAFKA = '4.1.1'
const ICEBERG = '1.10.1'
const COORDINATES = [
  `org.apache.kafka:connect-runtime:${KAFKA}`,
  `org.apache.iceberg:iceberg-kafka-connect:${ICEBERG}`,
  // Not dependencies of the sink's jar, but of its runtime distribution: Parquet data files, and
  // Hadoop's FileIO (JdbcCatalog's default) on the shaded client, which brings no jars of its own.
  `org.apache.iceberg:iceberg-parquet:${ICEBERG}`,
  'org.apache.hadoop:hadoop-client-api:3.4.1',
  'org.apache.hadoop:hadoop-client-runtime:3.4.1',
  'org.xerial:sqlite-jdbc:3.54.1.0',
  // connect-runtime asks for slf4j 1.7, Iceberg for 2.0: one binding for both
  'org.slf4j:slf4j-api:2.0.17',
  'org.apache.logging.log4j:log4j-slf4j2-impl:2.24.3',
]
const CONVERTER_SOURCE = join(
  import.meta.dirname,
  '../../peers/iceberg-connect/ConfluentAvroMapConverter.java',
)
const LOG_TAIL = 60
const STOP_GRACE_MS = 10_000

const java = (): string => findJava(17)

/** The worker's `-cp`: Connect, the Iceberg sink and what it needs at runtime, and our converter. */
export function icebergConnectClasspath(): string {
  const jars = mavenClasspath(`iceberg-kafka-connect-${ICEBERG}-connect-${KAFKA}`, COORDINATES)
  const hash = createHash('sha256').update(readFileSync(CONVERTER_SOURCE)).update(jars).digest('hex')
  const classes = fillOnce(
    mavenCacheDir(`iceberg-connect-converter-${hash.slice(0, 12)}`),
    hash,
    (partial) => {
      console.error('iceberg-connect: compiling the converter (first run only)')
      const javac = join(dirname(java()), 'javac')
      requireTool(javac, 'the converter is compiled once: install a JDK, e.g. openjdk-17-jdk-headless')
      run(javac, ['--release', '17', '-nowarn', '-cp', `${jars}/*`, '-d', partial, CONVERTER_SOURCE])
      // Connect finds plugins by their ServiceLoader manifests (and warns about those without one)
      const services = join(partial, 'META-INF', 'services')
      mkdirSync(services, { recursive: true })
      writeFileSync(join(services, 'org.apache.kafka.connect.storage.Converter'), `${CONVERTER_CLASS}\n`)
    },
  )
  return `${classes}:${jars}/*`
}

/** What `runIcebergSink` needs. */
export interface IcebergSinkOptions extends SinkSettings {
  /** Table name in `lake.LAKE_NAMESPACE` (default health_data_raw). */
  readonly table?: string
  /** Resolves once the table's current snapshot holds this many rows. */
  readonly expectedRows: number
  readonly timeoutMs: number
  readonly onPid?: (pid: number) => void
}

/** One run of the sink. */
export interface IcebergSinkResult {
  readonly rows: number
  /** Worker start to the snapshot that completed `expectedRows`. */
  readonly elapsedMs: number
  /** First data commit to the snapshot that completed `expectedRows` (0 when one commit did it all). */
  readonly sinceFirstCommitMs: number
  /** Partition assignment (the first commit worker started) to that snapshot: what lake.ts times. */
  readonly elapsedMsSinceAssigned: number
  /** User + system CPU of the worker's JVM, all threads, start to stop. */
  readonly cpuSeconds: number
  /** The same from the partition assignment on: without the JVM's start and Connect's plugin scan. */
  readonly cpuSecondsSinceAssigned: number
  readonly peakRssMiB: number
  readonly snapshots: number
  readonly dataFiles: number
  readonly bytes: number
}

/** A running worker: its process, its log (a file, and the tail kept for errors), its CPU at assignment. */
interface Worker {
  readonly child: ChildProcess
  readonly pid: number
  readonly logFile: string
  readonly tail: string[]
  assigned?: { at: number; cpu: number }
}

/** Starts ConnectStandalone with the JVM flags of Kafka's connect-standalone.sh, heap included. */
function startWorker(dir: string, files: readonly string[]): Worker {
  const [worker, connector, log4j] = files
  const child = spawn(
    java(),
    [
      ...[
        '-Xms256m',
        '-Xmx2g',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:InitiatingHeapOccupancyPercent=35',
      ],
      ...[
        '-XX:+ExplicitGCInvokesConcurrent',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4j}`,
      ],
      ...[
        '-cp',
        icebergConnectClasspath(),
        'org.apache.kafka.connect.cli.ConnectStandalone',
        worker!,
        connector!,
      ],
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const w: Worker = { child, pid: child.pid!, logFile: join(dir, 'worker.log'), tail: [] }
  const log = createWriteStream(w.logFile)
  const keep = (chunk: Buffer) => {
    log.write(chunk)
    // The first commit worker starts once partitions are assigned: where lake.ts starts its clock
    if (w.assigned === undefined && chunk.includes('Starting commit worker'))
      w.assigned = { at: Date.now(), cpu: processCpuSeconds(w.pid) ?? Number.NaN }
    w.tail.push(...chunk.toString().split('\n').filter(Boolean))
    w.tail.splice(0, Math.max(0, w.tail.length - LOG_TAIL))
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  child.once('exit', () => log.end())
  return w
}

/** SIGTERM, then SIGKILL after a grace; resolves once the worker is gone. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await gone
  clearTimeout(timer)
}

/** The table and the control topic, and the worker's files in a fresh folder (returned with them). */
async function prepare(o: IcebergSinkOptions, table: string): Promise<{ dir: string; files: string[] }> {
  icebergConnectClasspath() // fetched and compiled before the clock starts
  await createTable(o.lake, table)
  const admin = createAdmin({ bootstrapBrokers: [o.brokers], clientId: 'bench-iceberg-connect' })
  // The control topic carries the sink's own commit protocol; one partition, as its docs create it
  await ensureTopics(admin, [{ topic: `${o.topic}.iceberg-control`, partitions: 1 }]).finally(() =>
    admin.close(),
  )
  const dir = mkdtempSync(join(tmpdir(), 'iceberg-connect-'))
  const files = ['worker.properties', 'connector.properties', 'log4j2.properties'].map((f) => join(dir, f))
  writeFileSync(files[0]!, properties(workerConfig(o, dir, await freePort())))
  writeFileSync(files[1]!, properties(connectorConfig(o, table)))
  writeFileSync(files[2]!, LOG4J)
  return { dir, files }
}

/**
 * Pre-creates the table, starts a standalone Connect worker with the Iceberg sink on `topic`, and
 * resolves once the table holds `expectedRows`; the worker is stopped either way. Rejects with the
 * tail of the worker's log (kept in a file then) when it exits early or `timeoutMs` passes.
 */
export async function runIcebergSink(o: IcebergSinkOptions): Promise<IcebergSinkResult> {
  if (o.lake.LAKE_CATALOG !== 'sql') throw new Error('runIcebergSink needs a SQL catalog on a SQLite file')
  const table = o.table ?? TableNames.raw
  const { dir, files } = await prepare(o, table)
  const startedAt = Date.now()
  const w = startWorker(dir, files)
  o.onPid?.(w.pid)
  let failed = false
  const failure = (why: string) => {
    failed = true
    return new Error(`Iceberg sink ${why}; its log (${w.logFile}) ends:\n${w.tail.join('\n')}`)
  }
  try {
    for (;;) {
      if (w.child.exitCode !== null || w.child.signalCode !== null)
        throw failure(`worker exited early (${w.child.exitCode ?? w.child.signalCode})`)
      if (Date.now() > startedAt + o.timeoutMs)
        throw failure(`did not land ${o.expectedRows} rows within ${o.timeoutMs} ms`)
      const state = tableState(o.lake, table)
      if (state.rows >= o.expectedRows) {
        const cpuSeconds = processCpuSeconds(w.pid) ?? Number.NaN
        return {
          rows: state.rows,
          elapsedMs: state.lastCommitMs - startedAt,
          sinceFirstCommitMs: state.lastCommitMs - state.firstCommitMs,
          elapsedMsSinceAssigned: state.lastCommitMs - (w.assigned?.at ?? startedAt),
          cpuSeconds,
          cpuSecondsSinceAssigned: cpuSeconds - (w.assigned?.cpu ?? 0),
          peakRssMiB: memoryMiB(w.pid)?.peak ?? 0,
          snapshots: state.snapshots,
          dataFiles: state.dataFiles,
          bytes: state.bytes,
        }
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  } finally {
    await stop(w.child)
    if (!failed) rmSync(dir, { recursive: true, force: true })
  }
}
