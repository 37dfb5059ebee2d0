import { AvroDeserializer, AvroSerializer, type SchemaRegistryAdmin } from '@healthstream/shared/avro'
import type { AggregateRecord, ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import {
  type ConsumedRecord,
  type GroupSession,
  type OutputRecord,
  readWatermarkMark,
} from '@healthstream/shared/kafka'
import { TopicSchemas, Topics } from '@healthstream/shared/topics'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import { Aggregator } from '../../src/pipeline.ts'
import type { AggregatorDeps } from '../../src/types.ts'
import { type AggregationOptions, aggregationSpec } from '../../src/windows/spec.ts'
import type { AggregateStore } from '../../src/windows/store.ts'
import { InMemoryAggregateStore } from './memory-store.ts'
import type { Produced } from './scenario.ts'

/** Serde for the three topics over one registry (in memory unless given). */
export async function serdes(registry: SchemaRegistryAdmin = new MemorySchemaRegistry()) {
  const create = <T>(topic: string, schema: object) => AvroSerializer.create<T>({ registry, topic, schema })
  return {
    registry,
    validated: await create<ValidatedSample>(Topics.validated, TopicSchemas.validated),
    aggregates: await create<AggregateRecord>(Topics.aggregates, TopicSchemas.aggregates),
    errors: await create<ErrorRecord>(Topics.errors, TopicSchemas.errors),
    readValidated: new AvroDeserializer<ValidatedSample>({ registry, readerSchema: TopicSchemas.validated }),
    readAggregate: new AvroDeserializer<AggregateRecord>({ registry, readerSchema: TopicSchemas.aggregates }),
    readError: new AvroDeserializer<ErrorRecord>({ registry, readerSchema: TopicSchemas.errors }),
  }
}

export type Serdes = Awaited<ReturnType<typeof serdes>>

export interface HarnessOptions {
  readonly store?: AggregateStore
  readonly spec?: AggregationOptions
  readonly now?: () => number
  readonly serdes?: Serdes
}

/** Dependencies of an aggregator over in-memory ports. */
export async function aggregatorDeps(
  options: HarnessOptions = {},
): Promise<AggregatorDeps & { serdes: Serdes }> {
  const s = options.serdes ?? (await serdes())
  return {
    serdes: s,
    decoder: s.readValidated,
    aggregates: s.aggregates,
    errors: s.errors,
    inputTopic: Topics.validated,
    aggregatesTopic: Topics.aggregates,
    errorsTopic: Topics.errors,
    store: options.store ?? new InMemoryAggregateStore(),
    spec: aggregationSpec(options.spec),
    nowMicros: options.now ?? (() => Date.now() * 1000),
  }
}

/** A session owning `partitions` of the validated topic in `generation`. */
export function session(generation: number, partitions: readonly number[]): GroupSession {
  return {
    groupId: 'aggregator-test',
    memberId: 'm-1',
    generationId: generation,
    assignment: partitions.map((partition) => ({ topic: Topics.validated, partition })),
  }
}

/** Consumed records of validated samples at consecutive offsets from `offset`. */
export function consumed(
  s: Serdes,
  partition: number,
  offset: number,
  samples: readonly ValidatedSample[],
): ConsumedRecord[] {
  return samples.map((sample, i) => ({
    topic: Topics.validated,
    partition,
    offset: BigInt(offset + i),
    key: Buffer.from(sample.userId),
    value: s.validated.serialize(sample),
    headers: new Map(),
    timestamp: 0,
  }))
}

/** Runs the transform once for records of the given session. */
export function run(aggregator: Aggregator, records: readonly ConsumedRecord[], sess: GroupSession) {
  return aggregator.transform(records, { session: sess, signal: new AbortController().signal })
}

/** Decodes produced records into rows (with their keys) and dead letters. */
export async function decodeOutputs(
  s: Serdes,
  outputs: readonly (OutputRecord | ConsumedRecord)[],
): Promise<Produced> {
  const rows: Produced['rows'][number][] = []
  const errors: ErrorRecord[] = []
  for (const output of outputs) {
    if (output.topic === Topics.aggregates) {
      if (readWatermarkMark(output.headers) !== null) continue // a watermark mark, not a window row
      const decoded = await s.readAggregate.decode(output.value!)
      if (!decoded.ok) throw new Error(decoded.detail)
      rows.push({ key: output.key!.toString('utf8'), row: { ...decoded.value } })
    } else if (output.topic === Topics.errors) {
      const decoded = await s.readError.decode(output.value!)
      if (!decoded.ok) throw new Error(decoded.detail)
      errors.push({ ...decoded.value })
    }
  }
  return { rows, errors }
}

export { Aggregator }

/** The clock of the transform tests: `now` in micros, moved by the test. */
export const NOW = Date.parse('2026-03-20T00:00:00Z') * 1000

/** An aggregator over an in-memory store at the fixed clock `NOW`. */
export async function setUp(store = new InMemoryAggregateStore()) {
  const deps = await aggregatorDeps({ store, now: () => NOW })
  return { deps, store, aggregator: new Aggregator(deps), s: deps.serdes }
}

/** An aggregator whose clock the test moves (`clock.now`), with these aggregation options. */
export async function clockedSetUp(spec: AggregationOptions) {
  const clock = { now: NOW }
  const deps = await aggregatorDeps({ now: () => clock.now, spec })
  return { clock, aggregator: new Aggregator(deps), s: deps.serdes }
}
