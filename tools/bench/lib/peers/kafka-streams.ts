/**
 * The Kafka Streams peer of ingest + validator + aggregator (tools/bench/peers/kafka-streams): the
 * jars fetched and the sources compiled once into the cache, then run as one JVM that makes
 * `passes` passes over the same raw topic and reports each as a JSON line.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fillOnce, findJava, mavenCacheDir, mavenClasspath } from '../../../stack/maven.ts'
import { requireTool, run } from '../../../stack/tools.ts'

const SOURCES = join(import.meta.dirname, '..', '..', 'peers', 'kafka-streams')
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'packages', 'shared')
const MAIN_CLASS = 'healthstream.bench.streams.Main'
const COORDINATES = [
  'org.apache.kafka:kafka-streams:4.1.1',
  'org.apache.avro:avro:1.12.1',
  // kafka-clients 4.1 pulls slf4j-api 1.7.36: the simple binding of the same line, level set by Main
  'org.slf4j:slf4j-simple:1.7.36',
]

/** How to start the peer: `java -cp <classpath> <mainClass> …`. */
export interface KafkaStreamsApp {
  readonly java: string
  readonly classpath: string
  readonly mainClass: string
}

function javaSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.java'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

let app: KafkaStreamsApp | undefined

/**
 * The peer, built once: jars from Maven Central and classes compiled by javac, both cached under
 * ~/.cache/healthstream (the classes under a key that changes with the sources), so a second call,
 * in this process or the next, is instant.
 */
export function kafkaStreamsApp(): KafkaStreamsApp {
  if (app !== undefined) return app
  const java = findJava(17)
  const jars = mavenClasspath('kafka-streams-peer-deps', COORDINATES)
  const sources = javaSources(SOURCES)
  const hash = createHash('sha256')
  for (const file of sources) hash.update(file.slice(SOURCES.length)).update(readFileSync(file))
  const sha = hash.update(COORDINATES.join('\n')).digest('hex').slice(0, 12)
  const classes = fillOnce(mavenCacheDir(`kafka-streams-peer-${sha}`), `${MAIN_CLASS} ${sha}`, (partial) => {
    console.error('kafka-streams peer: compiling (first run only)')
    const javac = join(dirname(java), 'javac')
    requireTool(javac, 'the Kafka Streams peer is compiled once: install a JDK 17+ (not only a JRE)')
    run(javac, ['--release', '17', '-nowarn', '-cp', join(jars, '*'), '-d', partial, ...sources])
  })
  app = { java, classpath: `${classes}:${join(jars, '*')}`, mainClass: MAIN_CLASS }
  return app
}

/** Settings of the work itself, in microseconds; absent ones take our services' defaults. */
export interface KafkaStreamsSemantics {
  readonly outOfOrderness?: number
  readonly lateness?: { readonly daily?: number; readonly weekly?: number; readonly monthly?: number }
  readonly futureSkew?: number
  readonly floor?: number
  readonly dedupHorizonMs?: number
}

export interface KafkaStreamsOptions {
  readonly brokers: string
  readonly registryUrl: string
  readonly input: string
  readonly outputs: { readonly validated: string; readonly errors: string; readonly aggregates: string }
  /** Pass k runs as `<applicationId>-pass<k>`, so each pass reads the input from the start. */
  readonly applicationId: string
  /** Default 1. The first is the fresh-JVM figure, later ones the warmed-up JVM. */
  readonly passes?: number
  /** `-Xmx`; default '1g'. */
  readonly heap?: string
  /** Parent of the passes' state directories; default a temporary folder, removed afterwards. */
  readonly stateDir?: string
  /** Kafka Streams properties; they win over the peer's own. */
  readonly properties?: Readonly<Record<string, string>>
  readonly semantics?: KafkaStreamsSemantics
  /** Keep each pass's changelog topics and consumer group (default: deleted after the pass). */
  readonly keepInternals?: boolean
  /** The JVM's pid, as soon as it runs, so the caller can sample its CPU and memory. */
  readonly onPid?: (pid: number) => void
  /** Each pass as it finishes. */
  readonly onPass?: (pass: KafkaStreamsPass) => void
}

/** One pass as the peer reports it (counts are of finished processing; see Counters.java). */
export interface KafkaStreamsPass {
  readonly pass: number
  /** Raw batches read. */
  readonly records: number
  /** Samples in the decoded batches. */
  readonly samples: number
  readonly validated: number
  readonly deadLetters: number
  readonly aggregatesOut: number
  readonly duplicates: number
  /** From KafkaStreams.start() to the pass's group having committed the input's end offsets. */
  readonly elapsedMs: number
  readonly processCpuMs: number
  readonly peakRssMiB: number
  readonly rssMiB: number
}

function peerArgs(o: KafkaStreamsOptions, stateDir: string): string[] {
  const s = o.semantics ?? {}
  const flags: [string, string | number | undefined][] = [
    ['brokers', o.brokers],
    ['registry', o.registryUrl],
    ['input', o.input],
    ['validated', o.outputs.validated],
    ['errors', o.outputs.errors],
    ['aggregates', o.outputs.aggregates],
    ['application-id', o.applicationId],
    ['passes', o.passes ?? 1],
    ['state-dir', stateDir],
    ['schemas-dir', join(SHARED, 'schemas')],
    ['batch-schema', join(SHARED, 'contracts', 'health-data-batch.v2.avsc')],
    ['data-types', join(SHARED, 'contracts', 'data-types.csv')],
    ['cleanup', o.keepInternals ? 'false' : 'true'],
    ['out-of-orderness', s.outOfOrderness],
    ['lateness-daily', s.lateness?.daily],
    ['lateness-weekly', s.lateness?.weekly],
    ['lateness-monthly', s.lateness?.monthly],
    ['future-skew', s.futureSkew],
    ['floor', s.floor],
    ['dedup-horizon-ms', s.dedupHorizonMs],
  ]
  const args = flags.flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, String(value)]))
  for (const [key, value] of Object.entries(o.properties ?? {})) args.push('--prop', `${key}=${value}`)
  return args
}

/**
 * Runs the peer's passes in one JVM (G1, the default collector: nothing measured here argues for
 * another) and resolves to their reports; rejects with the tail of stderr when the JVM fails.
 */
export function runKafkaStreams(options: KafkaStreamsOptions): Promise<KafkaStreamsPass[]> {
  const { java, classpath, mainClass } = kafkaStreamsApp()
  const ownState = options.stateDir === undefined
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'hs-kstreams-'))
  const args = [`-Xmx${options.heap ?? '1g'}`, '-cp', classpath, mainClass, ...peerArgs(options, stateDir)]
  const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid !== undefined) options.onPid?.(child.pid)
  const passes: KafkaStreamsPass[] = []
  let stderr = ''
  let pending = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000)
  })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    let newline = pending.indexOf('\n')
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim()
      pending = pending.slice(newline + 1)
      if (line.startsWith('{')) {
        const pass = JSON.parse(line) as KafkaStreamsPass
        passes.push(pass)
        options.onPass?.(pass)
      }
      newline = pending.indexOf('\n')
    }
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (ownState) rmSync(stateDir, { recursive: true, force: true })
      if (code === 0) resolve(passes)
      else {
        const tail = stderr.trim().split('\n').slice(-20).join('\n')
        reject(new Error(`kafka-streams peer exited with ${code ?? signal}:\n${tail}`))
      }
    })
  })
}
