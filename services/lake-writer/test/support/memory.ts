/** The lake-writer's ports in memory: a SQLite catalog in memory, an object store, a Kafka broker. */
import {
  type ObjectInfo,
  type ObjectStore,
  openNodeSqlite,
  SqlCatalog,
  type SqlDatabase,
  Table,
} from '@healthstream/iceberg'
import { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import type { OutputRecord } from '@healthstream/shared/kafka'
import { type TopicNames, TopicSchemas, topicNames } from '@healthstream/shared/topics'
import {
  MemoryBroker,
  MemoryConsumer,
  MemoryObjectStore,
  MemorySchemaRegistry,
} from '@healthstream/testkit/memory'
import { ensureTables } from '../../src/committing/ensure-tables.ts'
import type { Lake } from '../../src/committing/open-lake.ts'
import { type SinkOptions, TableSink } from '../../src/committing/table-sink.ts'
import { TABLES } from '../../src/committing/tables.ts'
import type { LakeConsumer } from '../../src/consuming/kafka-consumer.ts'
import { type TopicRoute, topicRoutes } from '../../src/consuming/routing.ts'
import { LakeLoop } from '../../src/lake-loop.ts'
import type { LakeEvent } from '../../src/loop-stats.ts'
import { TableMaintenance } from '../../src/operating/table-maintenance.ts'

/** What several writers share: the objects and the catalog database. */
export interface SharedLake {
  readonly objects: MemoryObjectStore
  readonly db: SqlDatabase
}

/** An empty lake with the five tables. */
export async function sharedLake(): Promise<SharedLake> {
  const shared = { objects: new MemoryObjectStore(), db: openNodeSqlite(':memory:') }
  await ensureTables(writerLake(shared), TABLES)
  return shared
}

/** One writer's view of a shared lake: its own store wrapper (to make it hang) and catalog client. */
export function writerLake(shared: SharedLake): Lake & { store: FaultyStore } {
  const store = new FaultyStore(shared.objects)
  const catalog = new SqlCatalog({ name: 'test', db: shared.db, store, warehouse: 'mem://wh' })
  return { catalog, store, namespace: ['health'], close: async () => undefined }
}

/** A lake for one writer. */
export async function memoryLake(): Promise<Lake & { store: FaultyStore }> {
  return writerLake(await sharedLake())
}

/** Every row of a table, as a fresh reader sees it. */
export async function tableRows(lake: Lake, name: string): Promise<Record<string, unknown>[]> {
  return (await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name })).readRows()
}

/** One writer's sinks: its own `Table` objects over the shared catalog and store. */
export async function sinksOf(
  lake: Lake,
  writer: string,
  options: Partial<SinkOptions> = {},
): Promise<TableSink[]> {
  return Promise.all(
    TABLES.map(async (def) => {
      const table = await Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name: def.name })
      return new TableSink(def, table, { writer, ...options })
    }),
  )
}

/**
 * A store that can stop a writer at a chosen write: forever (kill -9 there), or until released (a
 * writer frozen mid-commit while the group moves on).
 */
export class FaultyStore implements ObjectStore {
  readonly inner: MemoryObjectStore
  #hangAfter: number | undefined
  #gate: Promise<void> | undefined
  /** Puts that went through. */
  puts = 0
  /** Puts waiting at the gate. */
  waiting = 0
  /** Puts that will never return. */
  hung = 0

  constructor(inner: MemoryObjectStore) {
    this.inner = inner
  }

  /** After `n` more puts, every put never returns (like kill -9 at that point). */
  hangAfter(n: number): void {
    this.#hangAfter = this.puts + n
  }

  /** Holds every put until the returned function is called. */
  hold(): () => void {
    let release = (): void => undefined
    this.#gate = new Promise((r) => {
      release = r
    })
    return () => {
      this.#gate = undefined
      release()
    }
  }

  async put(location: string, bytes: Uint8Array): Promise<void> {
    if (this.#hangAfter !== undefined && this.puts >= this.#hangAfter) {
      this.hung++
      return new Promise<never>(() => undefined)
    }
    if (this.#gate !== undefined) {
      this.waiting++
      await this.#gate
      this.waiting--
    }
    this.puts++
    return this.inner.put(location, bytes)
  }
  get(location: string): Promise<Uint8Array> {
    return this.inner.get(location)
  }
  exists(location: string): Promise<boolean> {
    return this.inner.exists(location)
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.inner.list(prefix)
  }
  delete(location: string): Promise<void> {
    return this.inner.delete(location)
  }
}

/** A `LakeConsumer` over the shared memory broker (log start 0; progress reports ignored). */
export function memoryConsumer(
  broker: MemoryBroker,
  groupId = 'lake',
): LakeConsumer & { member: MemoryConsumer } {
  const member = new MemoryConsumer(broker, groupId)
  return {
    member,
    subscribe: (t) => member.subscribe(t),
    session: () => member.session(),
    isCurrent: (s) => member.isCurrent(s),
    onSession: (l) => member.onSession(l),
    fetch: (p, o) => member.fetch(p, o),
    close: () => member.close(),
    logStartOffsets: async (tps) => tps.map((tp) => ({ ...tp, offset: 0n })),
    reportProgress: async () => undefined,
  }
}

/** Avro encoding of the three input topics and the lake-writer's routes over the same registry. */
export async function codec(prefix = ''): Promise<{
  topics: TopicNames
  routes: TopicRoute[]
  encode: (
    topic: keyof Pick<TopicNames, 'validated' | 'aggregates' | 'errors'>,
    value: unknown,
    key?: string,
  ) => OutputRecord
}> {
  const registry = new MemorySchemaRegistry()
  const topics = topicNames(prefix)
  const serializers = {
    validated: await AvroSerializer.create({
      registry,
      topic: topics.validated,
      schema: TopicSchemas.validated,
    }),
    aggregates: await AvroSerializer.create({
      registry,
      topic: topics.aggregates,
      schema: TopicSchemas.aggregates,
    }),
    errors: await AvroSerializer.create({ registry, topic: topics.errors, schema: TopicSchemas.errors }),
  }
  const routes = topicRoutes(topics, {
    validated: new AvroDeserializer({ registry, readerSchema: TopicSchemas.validated }),
    aggregates: new AvroDeserializer({ registry, readerSchema: TopicSchemas.aggregates }),
    errors: new AvroDeserializer({ registry, readerSchema: TopicSchemas.errors }),
  })
  return {
    topics,
    routes,
    encode: (topic, value, key) => ({
      topic: topics[topic],
      key: Buffer.from(key ?? String((value as { userId?: string }).userId ?? 'k')),
      value: serializers[topic].serialize(value),
    }),
  }
}

/** A loop over memory ports with small limits; events are collected. */
export function memoryLoop(
  consumer: LakeConsumer,
  sinks: readonly TableSink[],
  routes: readonly TopicRoute[],
  options: { commitIntervalMs?: number; commitMaxRows?: number } = {},
): { loop: LakeLoop; events: LakeEvent[] } {
  const events: LakeEvent[] = []
  const loop = new LakeLoop({
    consumer,
    sinks,
    routes,
    commitIntervalMs: options.commitIntervalMs ?? 100,
    commitMaxRows: options.commitMaxRows ?? 1000,
    onEvent: (e) => events.push(e),
  })
  return { loop, events }
}

/**
 * One writer over a memory broker (the three input topics, 2 partitions each) and a memory lake, its
 * loop not yet running and committing only when flushed; `maintenance` acts on its tables with expiry
 * keeping only the newest snapshot.
 */
export async function memoryWriter() {
  const broker = new MemoryBroker()
  const { topics, routes, encode } = await codec()
  for (const t of [topics.validated, topics.aggregates, topics.errors]) broker.createTopic(t, 2)
  const lake = await memoryLake()
  const sinks = await sinksOf(lake, 'w')
  const { loop } = memoryLoop(memoryConsumer(broker), sinks, routes, { commitIntervalMs: 60_000 })
  const maintenance = new TableMaintenance(sinks, {
    exclusive: (fn) => loop.exclusive(fn),
    writer: 'w',
    compactTargetBytes: 1 << 20,
    expireOlderThanMs: 0,
    expireRetainLast: 1,
  })
  return { broker, encode, lake, sinks, loop, maintenance }
}

/** Resolves once `check` holds; fails naming `what` after the timeout. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
