import { hostname } from 'node:os'
import type { Hono } from 'hono'
import { HttpSchemaRegistry, type RegistryAuth } from '../avro/index.ts'
import {
  createAdmin,
  createTransactionalPorts,
  ensureTopics,
  type TopicSpec,
  TransactionalLoop,
  type Transform,
} from '../kafka/index.ts'
import { commonConfig } from '../platform/common-config.ts'
import { ConfigError, type ConfigKey, type ConfigOf, loadConfig } from '../platform/config.ts'
import { createServiceApp } from '../platform/http-app.ts'
import { createLogger, type Logger } from '../platform/logger.ts'
import { createHopMetrics, type HopMetrics } from '../platform/metrics.ts'
import { serve } from '../platform/serve.ts'
import { contextFromHeaders, setupTracing, shutdownTracing, startBatchSpan } from '../platform/tracing.ts'
import { type TopicNames, topicNames } from '../topics.ts'
import { CommittedTally } from './hop-metrics.ts'

type Spec = Record<string, ConfigKey<unknown>>
export type HopConfig<S extends Spec> = ConfigOf<typeof commonConfig> & ConfigOf<S>

/** What a service's composition root hands to the runner. */
export interface HopContext<S extends Spec> {
  readonly config: HopConfig<S>
  readonly logger: Logger
  readonly metrics: HopMetrics
  readonly registry: HttpSchemaRegistry
  /** The pipeline's topic names, with TOPIC_PREFIX applied. */
  readonly topics: TopicNames
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

export interface HopDefinition<S extends Spec> {
  readonly name: string
  readonly config: S
  build(context: HopContext<S>): Promise<HopParts>
}

/** Reads the configuration or stops the process with a message naming each bad variable. */
export function configOrExit<S extends Spec>(name: string, spec: S, env: NodeJS.ProcessEnv): HopConfig<S> {
  try {
    return loadConfig({ ...commonConfig, ...spec }, env) as HopConfig<S>
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`${name}: ${error.message}\n`)
    process.exit(78) // EX_CONFIG
  }
}

/**
 * Runs one exactly-once hop as a process: config, logs, metrics, tracing, topics, the transactional
 * loop, the HTTP app, and a graceful shutdown on SIGTERM/SIGINT (finish or abort the open transaction,
 * leave the group). A fatal loop error (e.g. fenced by a newer instance) exits non-zero so the
 * orchestrator restarts the process.
 */
export async function runHop<S extends Spec>(definition: HopDefinition<S>, env = process.env): Promise<void> {
  const { name } = definition
  const config = configOrExit(name, definition.config, env)
  const logger = createLogger(name, config.LOG_LEVEL)
  const metrics = createHopMetrics(name)
  setupTracing(name, env)
  const registry = new HttpSchemaRegistry({
    url: config.SCHEMA_REGISTRY_URL,
    auth: registryAuth(config.SCHEMA_REGISTRY_AUTH),
  })
  const tally = new CommittedTally(metrics)
  const parts = await definition.build({
    config,
    logger,
    metrics,
    registry,
    topics: topicNames(config.TOPIC_PREFIX),
    deadLetter: (r) => tally.deadLetter(r),
  })
  const kafka = { bootstrapBrokers: config.KAFKA_BROKERS, clientId: `healthstream-${name}` }
  const admin = createAdmin(kafka)
  await ensureTopics(admin, parts.topics).finally(() => admin.close())

  const instance = config.INSTANCE_ID || hostname()
  const ports = createTransactionalPorts({
    ...kafka,
    groupId: `${config.TOPIC_PREFIX}healthstream-${name}`,
    transactionalId: `${config.TOPIC_PREFIX}healthstream-${name}-${instance}`,
    groupInstanceId: `${config.TOPIC_PREFIX}healthstream-${name}-${instance}`,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
    heartbeatIntervalMs: Math.max(500, Math.floor(config.KAFKA_SESSION_TIMEOUT / 10)),
  })
  tally.inputLabel = parts.inputTopics.join(',')
  const loop = new TransactionalLoop({
    consumer: ports.consumer,
    producer: ports.producer,
    inputTopics: parts.inputTopics,
    transform: tally.wrap(traced(name, parts.transform)),
    maxBatchRecords: config.BATCH_MAX_RECORDS,
    lingerMs: config.BATCH_LINGER,
    onEvent: (event) => {
      tally.onEvent(event)
      if (event.type === 'assigned')
        logger.info({ assignment: event.session.assignment }, 'partitions assigned')
      else if (event.type === 'aborted')
        logger.warn({ err: event.error, records: event.records }, 'transaction aborted')
      else if (event.type === 'retrying')
        logger.warn({ err: event.error, attempt: event.attempt }, 'batch retried')
      else if (event.type === 'failed') logger.error({ err: event.error }, 'loop failed')
    },
  })
  const app = createServiceApp({
    service: name,
    adminToken: config.ADMIN_TOKEN,
    metrics: metrics.registry,
    stallTimeoutMs: config.STALL_TIMEOUT,
    readiness: () => {
      const stats = loop.stats
      return {
        connected: stats.state === 'running' || stats.state === 'paused',
        assignedPartitions: stats.session?.assignment.length ?? 0,
        lastProgressAt: stats.lastProgressAt,
        paused: stats.state === 'paused',
      }
    },
    admin: {
      status: () => ({ service: name, instance, ...loop.stats }),
      pause: () => loop.pause(),
      resume: () => loop.resume(),
      extra: parts.adminActions,
    },
  })
  parts.routes?.(app)
  const server = await serve(app, config.HTTP_PORT, config.HTTP_HOST)
  logger.info({ port: server.port, instance, inputs: parts.inputTopics }, 'started')

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    await loop.stop()
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))

  let exitCode = 0
  try {
    await loop.run()
  } catch (error) {
    logger.fatal({ err: error }, 'fatal error; exiting so the process is restarted')
    exitCode = 1
  }
  await parts.close?.()
  await server.close()
  await shutdownTracing()
  logger.info('stopped')
  process.exit(exitCode)
}

/** One span per transaction, a child of the trace the first input record carries. */
function traced(service: string, transform: Transform): Transform {
  return async (records, context) => {
    const span = startBatchSpan(service, `${service} batch`, contextFromHeaders(records[0]?.headers as never))
    span.setAttribute('messaging.batch.message_count', records.length)
    try {
      return await transform(records, context)
    } finally {
      span.end()
    }
  }
}

function registryAuth(raw: string): RegistryAuth | undefined {
  if (raw === '') return undefined
  if (raw.startsWith('Bearer ')) return { token: raw.slice('Bearer '.length) }
  const colon = raw.indexOf(':')
  if (colon < 0) throw new ConfigError(['SCHEMA_REGISTRY_AUTH must be "user:password" or "Bearer <token>"'])
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) }
}

export type { HopMetrics, Logger }
