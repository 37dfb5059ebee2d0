/** An exactly-once hop (consume → transform → produce in one Kafka transaction) as a service in the shell. */
import { trace } from '@opentelemetry/api'
import type { Hono } from 'hono'
import { AvroSerializer, type HttpSchemaRegistry } from '../avro/index.ts'
import type { ErrorRecord, Stage } from '../domain/index.ts'
import {
  createTransactionalPorts,
  type KafkaConnectionConfig,
  type LoopEvent,
  type LoopStats,
  limitInflatedBatches,
  type TopicSpec,
  TransactionalLoop,
  type Transform,
} from '../kafka/index.ts'
import type { ConfigOf } from '../platform/config.ts'
import type { Readiness } from '../platform/http-app.ts'
import type { Logger } from '../platform/logger.ts'
import type { HopMetrics } from '../platform/metrics.ts'
import { type TopicNames, TopicSchemas } from '../topics.ts'
import { fetchConfig, prefetchConfig } from './fetch-config.ts'
import { CommittedTally } from './hop-metrics.ts'
import { LagMetrics } from './lag-metrics.ts'
import {
  type ConfigSpec,
  runService,
  type ServiceConfig,
  type ServiceContext,
  type ServiceWorker,
} from './shell.ts'
import { HopTracing } from './transaction-spans.ts'
import { deadLetterUnreadable } from './unreadable-batches.ts'

/** A hop's configuration: the common keys, the fetch path's (`fetchConfig`) and its own. */
export type HopConfig<S extends ConfigSpec> = ServiceConfig<S & typeof fetchConfig & typeof prefetchConfig>

/** What a service's composition root hands to the runner. */
export interface HopContext<S extends ConfigSpec> {
  readonly config: HopConfig<S>
  readonly logger: Logger
  readonly metrics: HopMetrics
  readonly registry: HttpSchemaRegistry
  /** The pipeline's topic names, with TOPIC_PREFIX applied. */
  readonly topics: TopicNames
  /** The broker connection (security included), for clients beside the hop's own. */
  readonly kafka: KafkaConnectionConfig
  /** Count a dead letter (counted in metrics once its transaction commits). */
  readonly deadLetter: (reason: string) => void
}

/** The parts of one service: topics, the transform and optional extra routes and admin actions. */
export interface HopParts {
  readonly inputTopics: readonly string[]
  readonly topics: readonly TopicSpec[]
  readonly transform: Transform
  readonly routes?: (app: Hono) => void
  readonly adminActions?: Record<string, () => Promise<Record<string, unknown>>>
  readonly close?: () => Promise<void>
}

/** One exactly-once hop: its name, its configuration keys, and how it builds its parts. */
export interface HopDefinition<S extends ConfigSpec> {
  readonly name: Stage
  readonly config: S
  /** Problems between keys that each parsed well; any stops start-up like a malformed key. */
  readonly configProblems?: (config: HopConfig<S>) => readonly string[]
  build(context: HopContext<S>): Promise<HopParts>
}

/**
 * Runs one exactly-once hop as a process in the service shell (`runService`): topics, the transactional
 * loop and a graceful stop (finish or abort the open transaction, leave the group). A fatal loop error
 * (e.g. fenced by a newer instance) exits non-zero so the orchestrator restarts the process.
 */
export async function runHop<S extends ConfigSpec>(
  definition: HopDefinition<S>,
  env = process.env,
): Promise<void> {
  await runService(
    {
      name: definition.name,
      config: { ...fetchConfig, ...prefetchConfig, ...definition.config },
      configProblems: definition.configProblems,
      start: (context) => startHop(definition, context),
    },
    env,
  )
}

/** Builds the hop's parts, its topics and its transactional loop, as the shell's worker. */
async function startHop<S extends ConfigSpec>(
  definition: HopDefinition<S>,
  context: ServiceContext<S & typeof fetchConfig & typeof prefetchConfig>,
): Promise<ServiceWorker> {
  const { name } = definition
  const { config, logger, metrics, instance } = context
  const tally = new CommittedTally(metrics)
  const parts = await definition.build({
    config,
    logger,
    metrics,
    registry: context.registry,
    topics: context.topics,
    kafka: context.kafka,
    deadLetter: (r) => tally.deadLetter(r),
  })
  await context.ensureTopics(parts.topics)
  const fetching = config as ConfigOf<typeof fetchConfig & typeof prefetchConfig>
  limitInflatedBatches(fetching.FETCH_MAX_INFLATED_BYTES)
  const ports = createTransactionalPorts({
    ...context.kafka,
    groupId: context.groupId,
    transactionalId: `${config.TOPIC_PREFIX}healthstream-${name}-${instance}`,
    groupInstanceId: `${config.TOPIC_PREFIX}healthstream-${name}-${instance}`,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
  })
  tally.inputLabel = parts.inputTopics.join(',')
  const lag = new LagMetrics({
    registry: metrics.registry,
    offsets: ports.consumer,
    intervalMs: config.LAG_REFRESH_INTERVAL,
    logger,
  })
  ports.consumer.onSession((session) => lag.lag.retain(session.assignment))
  // Each transaction's spans are children of its inputs' upstream spans (transaction-spans.ts)
  const tracing = new HopTracing(trace.getTracer(name), name)
  const loop = new TransactionalLoop({
    consumer: ports.consumer,
    producer: ports.producer,
    inputTopics: parts.inputTopics,
    transform: tally.wrap(
      await withUnreadableDeadLetters(name, tracing.wrap(parts.transform), context, tally),
    ),
    maxBatchRecords: config.BATCH_MAX_RECORDS,
    lingerMs: config.BATCH_LINGER,
    fetchMaxBytes: fetching.FETCH_MAX_BYTES,
    maxBufferedBytes: fetching.PREFETCH_MAX_BYTES,
    onEvent: (event) => {
      tally.onEvent(event)
      tracing.onEvent(event)
      lag.lag.onLoopEvent(event)
      logLoopEvent(logger, event)
    },
  })
  return {
    describe: { inputs: parts.inputTopics },
    readiness: () => hopReadiness(loop.stats),
    status: () => ({ ...loop.stats }),
    pause: () => loop.pause(),
    resume: () => loop.resume(),
    adminActions: parts.adminActions,
    http: parts.routes,
    run: async () => {
      lag.start()
      await loop.run().finally(() => lag.stop())
    },
    stop: async () => {
      await lag.stop() // before the loop closes the consumer the ends are read with
      await loop.stop()
    },
    close: parts.close,
  }
}

/**
 * `transform` writing a dead letter for each batch the consumer could not read (beyond
 * `FETCH_MAX_INFLATED_BYTES`), counted with the hop's dead letters and logged.
 */
async function withUnreadableDeadLetters(
  stage: Stage,
  transform: Transform,
  context: ServiceContext<ConfigSpec>,
  tally: CommittedTally,
): Promise<Transform> {
  const { registry, topics, logger } = context
  return deadLetterUnreadable(transform, {
    stage,
    errorsTopic: topics.errors,
    errors: await AvroSerializer.create<ErrorRecord>({
      registry,
      topic: topics.errors,
      schema: TopicSchemas.errors,
    }),
    nowMicros: () => Date.now() * 1000,
    onDeadLetter: (reason) => tally.deadLetter(reason),
    onUnreadable: ({ topic, partition, unreadable: u }) =>
      logger.warn(
        { topic, partition, ...u, firstOffset: String(u.firstOffset), lastOffset: String(u.lastOffset) },
        'record batch beyond the inflate bound dead-lettered',
      ),
  })
}

/** Logs what an operator needs of a loop event; the rest is left to the metrics. */
function logLoopEvent(logger: Logger, event: LoopEvent): void {
  if (event.type === 'assigned') logger.info({ assignment: event.session.assignment }, 'partitions assigned')
  else if (event.type === 'aborted')
    logger.warn({ err: event.error, records: event.records }, 'transaction aborted')
  else if (event.type === 'retrying')
    logger.warn({ err: event.error, attempt: event.attempt }, 'batch retried')
  else if (event.type === 'failed') logger.error({ err: event.error }, 'loop failed')
}

/** /readyz of a hop: connected while its loop runs (paused included). */
function hopReadiness(stats: LoopStats): Readiness {
  return {
    connected: stats.state === 'running' || stats.state === 'paused',
    assignedPartitions: stats.session?.assignment.length ?? 0,
    lastProgressAt: stats.lastProgressAt,
    paused: stats.state === 'paused',
  }
}
