import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AvroDeserializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import type { ErrorRecord, HealthSample, ValidatedSample } from '@healthstream/shared/domain'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import { type TopicNames, TopicSchemas, topicNames } from '@healthstream/shared/topics'
import {
  type SimulateStats,
  type SimulatorOptions,
  simulate,
  simulatorOptions,
} from '@healthstream/simulator'
import { endpoint, uniqueName } from './endpoints.ts'
import { ServiceProcess } from './services.ts'

/** One line of the simulator's ground truth. */
export interface TruthLine {
  readonly userId: string
  readonly sampleId: string
  readonly outcome: string
  readonly duplicate: boolean
}

export const readTruth = (path: string): TruthLine[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TruthLine)

/** An isolated pipeline on the shared stack: its own topic prefix, groups and transactional ids. */
export interface TestPipeline {
  readonly prefix: string
  readonly topics: TopicNames
  readonly env: Record<string, string>
  service(name: string, extra?: Record<string, string>): ServiceProcess
}

export function testPipeline(label: string): TestPipeline {
  const prefix = `${uniqueName(label)}.`
  const env = {
    TOPIC_PREFIX: prefix,
    KAFKA_BROKERS: endpoint('KAFKA_BROKERS'),
    SCHEMA_REGISTRY_URL: endpoint('SCHEMA_REGISTRY_URL'),
    REDIS_URL: endpoint('REDIS_URL'),
    REDIS_NAMESPACE: prefix,
    KAFKA_SESSION_TIMEOUT: '6s',
    LOG_LEVEL: 'info',
    // The aggregator's query API without tokens: these pipelines run on 127.0.0.1 with test data. The
    // tests of its authentication set QUERY_AUTH=jwt and keys of their own
    QUERY_AUTH: 'off',
  }
  return {
    prefix,
    topics: topicNames(prefix),
    env,
    service: (name, extra = {}) => new ServiceProcess(name, { ...env, INSTANCE_ID: `${name}-1`, ...extra }),
  }
}

const kafka = () => ({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'test-reader' })
const registry = () => new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })

/** Every flattened sample on health-data-samples a read_committed reader sees, decoded. */
export async function readSamples(topic: string): Promise<HealthSample[]> {
  const decoder = new AvroDeserializer<HealthSample>({
    registry: registry(),
    readerSchema: TopicSchemas.samples,
  })
  return decodeAll(decoder, await readCommittedTopic(kafka(), topic))
}

/** Every validated sample a read_committed reader sees, decoded. */
export async function readValidated(topic: string): Promise<ValidatedSample[]> {
  const decoder = new AvroDeserializer<ValidatedSample>({
    registry: registry(),
    readerSchema: TopicSchemas.validated,
  })
  return decodeAll(decoder, await readCommittedTopic(kafka(), topic))
}

/** Every error record a read_committed reader sees, decoded. */
export async function readErrors(topic: string): Promise<ErrorRecord[]> {
  const decoder = new AvroDeserializer<ErrorRecord>({
    registry: registry(),
    readerSchema: TopicSchemas.errors,
  })
  return decodeAll(decoder, await readCommittedTopic(kafka(), topic))
}

async function decodeAll<T>(
  decoder: AvroDeserializer<T>,
  records: readonly { value: Buffer | null; topic: string; offset: bigint }[],
): Promise<T[]> {
  const out: T[] = []
  for (const record of records) {
    const decoded = await decoder.decode(record.value ?? Buffer.alloc(0))
    if (!decoded.ok)
      throw new Error(`undecodable record at ${record.topic}@${record.offset}: ${decoded.detail}`)
    out.push(decoded.value)
  }
  return out
}

/** Counts per key, to tell "exactly once" from "at least once". */
export function multiplicity<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** Runs the simulator into the pipeline's raw topic (4 partitions); resolves to the ground-truth file. */
export async function simulateInto(
  pipeline: TestPipeline,
  overrides: Partial<SimulatorOptions>,
): Promise<string> {
  return (await simulateWithStats(pipeline, overrides)).truthPath
}

/** `simulateInto`, also telling what the simulator counted. */
export async function simulateWithStats(
  pipeline: TestPipeline,
  overrides: Partial<SimulatorOptions>,
): Promise<{ truthPath: string; stats: SimulateStats }> {
  const truthPath = join(mkdtempSync(join(tmpdir(), 'hs-truth-')), 'truth.ndjson')
  const stats = await simulate(
    simulatorOptions({
      ...overrides,
      truthPath,
      topic: pipeline.topics.raw,
      partitions: 4,
      brokers: [endpoint('KAFKA_BROKERS')],
      registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
      progress: false,
    }),
  )
  return { truthPath, stats }
}

/** `user/sample`: how the pipeline tests identify a sample. */
export const sampleKey = (userId: string, sampleId: string): string => `${userId}/${sampleId}`

/** What the ground truth says must come out: valid sample keys, and `key:reason` of the invalid ones. */
export function expectedOutcomes(truth: readonly TruthLine[]): { valid: Set<string>; errors: Set<string> } {
  const valid = new Set<string>()
  const errors = new Set<string>()
  for (const t of truth) {
    if (t.outcome === 'valid') valid.add(sampleKey(t.userId, t.sampleId))
    else errors.add(`${sampleKey(t.userId, t.sampleId)}:${t.outcome}`)
  }
  return { valid, errors }
}
