/**
 * The process shell every service runs in, whatever its work: configuration (or exit 78), logs,
 * metrics, tracing, the schema registry client, the HTTP app (health, readiness, metrics,
 * token-protected admin), serving, and a graceful stop on SIGTERM/SIGINT. The work itself — a
 * transactional hop (`runHop`), the lake-writer's loop — is the service's `ServiceWorker`. A fatal error
 * of the work exits 1, so that the orchestrator restarts the process.
 */
import { hostname } from 'node:os'
import type { Hono } from 'hono'
import { HttpSchemaRegistry, type RegistryAuth } from '../avro/index.ts'
import { createAdmin, ensureTopics, type KafkaConnectionConfig, type TopicSpec } from '../kafka/index.ts'
import { commonConfig } from '../platform/common-config.ts'
import { ConfigError, type ConfigKey, type ConfigOf, loadConfig } from '../platform/config.ts'
import { heapRelease } from '../platform/heap-release.ts'
import { createServiceApp, type Readiness, readinessProblems } from '../platform/http-app.ts'
import { IdleMemory } from '../platform/idle-memory.ts'
import { createLogger, type Logger } from '../platform/logger.ts'
import { createHopMetrics, type HopMetrics, registerReadiness } from '../platform/metrics.ts'
import { tracingProblems } from '../platform/sampler.ts'
import { type HttpLimits, httpLimitProblems, serve } from '../platform/serve.ts'
import { setupTracing, shutdownTracing } from '../platform/tracing.ts'
import { type TopicNames, topicNames } from '../topics.ts'
import { kafkaSecurity, kafkaSecurityHint } from './kafka-security.ts'

/** The keys a service declares beside the common ones. */
export type ConfigSpec = Record<string, ConfigKey<unknown>>
/** A service's configuration: the common keys and its own, read and validated once. */
export type ServiceConfig<S extends ConfigSpec> = ConfigOf<typeof commonConfig> & ConfigOf<S>

/** Exit status of a configuration that cannot run (sysexits' EX_CONFIG): restarting will not help. */
export const EXIT_CONFIG = 78
/** Exit status after a fatal error of the service's work: a restart may help. */
export const EXIT_FATAL = 1

/** What the shell hands to a service to build its work with. */
export interface ServiceContext<S extends ConfigSpec> {
  readonly config: ServiceConfig<S>
  readonly logger: Logger
  readonly metrics: HopMetrics
  readonly registry: HttpSchemaRegistry
  /** The pipeline's topic names, with TOPIC_PREFIX applied. */
  readonly topics: TopicNames
  /** INSTANCE_ID, or the host name when it is empty. */
  readonly instance: string
  /** The brokers and this service's client id. */
  readonly kafka: KafkaConnectionConfig
  /** This service's consumer group, with TOPIC_PREFIX applied. */
  readonly groupId: string
  /** Creates the topics that do not exist yet and waits until every partition has a leader. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>
}

/** The work a service runs inside the shell, and what the shell's HTTP app shows of it. */
export interface ServiceWorker {
  /** Fields of the `started` log line besides port and instance (e.g. the input topics). */
  readonly describe: Readonly<Record<string, unknown>>
  readiness(): Readiness
  /** The body of /admin/status besides service and instance. */
  status(): Record<string, unknown>
  pause(): void | Promise<void>
  resume(): void | Promise<void>
  /** POST /admin/<name> actions beside status, pause and resume. */
  readonly adminActions?: Record<string, () => Promise<Record<string, unknown>>>
  /** Adds the service's own routes to the app (after the common ones, under the same /admin token). */
  readonly http?: (app: Hono) => void
  /** Does the work until `stop()`; a rejection is fatal. */
  run(): Promise<void>
  /** Asks the work to end gracefully (on SIGTERM/SIGINT); `run()` then resolves. */
  stop(): Promise<void>
  /** Releases what the work held, once `run()` has ended (before the HTTP server closes). */
  close?(): Promise<void>
}

/** A service: its name, its configuration keys, and how it builds its work. */
export interface ServiceDefinition<S extends ConfigSpec> {
  readonly name: string
  readonly config: S
  /** Problems between keys that each parsed well; any stops start-up like a malformed key. */
  readonly configProblems?: (config: ServiceConfig<S>) => readonly string[]
  /** Builds the work; a `ConfigError` it throws stops start-up with exit 78 like a malformed key. */
  start(context: ServiceContext<S>): Promise<ServiceWorker>
}

/**
 * Reads the configuration or stops the process (exit 78) with a message naming each bad variable:
 * malformed keys, the registry credentials, Kafka's TLS and SASL keys, and the problems
 * `configProblems` finds between keys.
 */
export function configOrExit<S extends ConfigSpec>(
  name: string,
  spec: S,
  env: NodeJS.ProcessEnv,
  configProblems?: (config: ServiceConfig<S>) => readonly string[],
): ServiceConfig<S> {
  try {
    const config = loadConfig({ ...commonConfig, ...spec }, env) as ServiceConfig<S>
    registryAuth(config.SCHEMA_REGISTRY_AUTH)
    const problems = [...kafkaSecurity(config).problems, ...(configProblems?.(config) ?? [])]
    problems.push(...httpLimitProblems(httpLimits(config)))
    problems.push(...tracingProblems(env))
    if (problems.length > 0) throw new ConfigError(problems)
    return config
  } catch (error) {
    return exitOnConfigError(name, error)
  }
}

/** Writes a `ConfigError` to stderr and exits 78; anything else is thrown on. */
function exitOnConfigError(name: string, error: unknown): never {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${name}: ${error.message}\n`)
  process.exit(EXIT_CONFIG)
}

/**
 * Runs one service as a process: configuration, logs, metrics, tracing, its work, the HTTP app, and a
 * graceful stop on SIGTERM/SIGINT. Ends the process: 0 after a stop, 1 after a fatal error of the work.
 */
export async function runService<S extends ConfigSpec>(
  definition: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<never> {
  const { name } = definition
  const context = serviceContext(definition, env)
  const { config, logger } = context
  // A configuration that proves wrong while starting (credentials Redis refuses) stops like a malformed key
  const worker = await definition
    .start(context)
    .catch((error: unknown) =>
      error instanceof ConfigError ? exitOnConfigError(name, error) : exitOnStartFailure(context, error),
    )
  const app = createServiceApp({
    service: name,
    adminToken: config.ADMIN_TOKEN,
    metrics: context.metrics.registry,
    stallTimeoutMs: config.STALL_TIMEOUT,
    maxBodyBytes: config.HTTP_BODY_LIMIT,
    audit: (entry) => logger.info({ audit: 'admin', ...entry }, 'admin request'),
    readiness: () => worker.readiness(),
    admin: {
      status: () => ({ service: name, instance: context.instance, ...worker.status() }),
      pause: () => worker.pause(),
      resume: () => worker.resume(),
      extra: worker.adminActions,
    },
  })
  worker.http?.(app)
  registerReadiness(
    context.metrics.registry,
    () => readinessProblems(worker.readiness(), Date.now(), config.STALL_TIMEOUT).length === 0,
  )
  const server = await serve(app, config.HTTP_PORT, config.HTTP_HOST, httpLimits(config))
  // Before `started`: whoever saw that line may stop the process at once
  stopOnSignals(logger, () => worker.stop())
  logger.info({ port: server.port, instance: context.instance, ...worker.describe }, 'started')
  const stopIdleMemory = releaseIdleMemory(context)

  let exitCode = 0
  try {
    await worker.run()
  } catch (error) {
    logger.fatal(fatalFields(error, config), 'fatal error; exiting so the process is restarted')
    exitCode = EXIT_FATAL
  }
  stopIdleMemory()
  await worker.close?.()
  await server.close()
  await shutdownTracing()
  logger.info('stopped')
  process.exit(exitCode)
}

/**
 * Starts the idle-memory release (IDLE_MEMORY_RELEASE): records in or out, counted by the metrics every
 * service keeps, are its activity. Returns the stop function.
 */
function releaseIdleMemory({ config, logger, metrics }: ServiceContext<ConfigSpec>): () => void {
  // Off: not even the runtime's collection is looked up (on Node that sets a V8 flag)
  if (config.IDLE_MEMORY_RELEASE === 0) return () => undefined
  const release = heapRelease()
  if (release === undefined) return () => undefined
  const total = async (counter: HopMetrics['recordsIn']) =>
    (await counter.get()).values.reduce((sum, v) => sum + v.value, 0)
  const MiB = (bytes: number) => Math.round(bytes / 2 ** 20)
  return new IdleMemory({
    idleAfterMs: config.IDLE_MEMORY_RELEASE,
    activity: async () => (await total(metrics.recordsIn)) + (await total(metrics.recordsOut)),
    release,
    onRelease: ({ pauseMs, heapBefore, heapAfter }) =>
      logger.info(
        { pauseMs: Math.round(pauseMs), heapMiB: { before: MiB(heapBefore), after: MiB(heapAfter) } },
        'idle: heap given back',
      ),
  }).start()
}

/** Everything the shell sets up before the service builds its work. */
function serviceContext<S extends ConfigSpec>(
  definition: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv,
): ServiceContext<S> {
  const { name } = definition
  const config = configOrExit(name, definition.config, env, definition.configProblems)
  const logger = createLogger(name, config.LOG_LEVEL)
  const metrics = createHopMetrics(name)
  setupTracing(name, env)
  const kafka = {
    bootstrapBrokers: config.KAFKA_BROKERS,
    clientId: `healthstream-${name}`,
    connection: kafkaSecurity(config).connection,
  }
  return {
    config,
    logger,
    metrics,
    registry: new HttpSchemaRegistry({
      url: config.SCHEMA_REGISTRY_URL,
      auth: registryAuth(config.SCHEMA_REGISTRY_AUTH),
    }),
    topics: topicNames(config.TOPIC_PREFIX),
    instance: config.INSTANCE_ID || hostname(),
    kafka,
    groupId: `${config.TOPIC_PREFIX}healthstream-${name}`,
    async ensureTopics(topics) {
      const admin = createAdmin(kafka)
      await ensureTopics(admin, topics).finally(() => admin.close())
    },
  }
}

/**
 * The work could not start (Kafka refused the credentials, say): logged with what to check, exit 1, so
 * that the orchestrator restarts the process and shows why.
 */
function exitOnStartFailure(context: ServiceContext<ConfigSpec>, error: unknown): never {
  context.logger.fatal(
    fatalFields(error, context.config),
    'start-up failed; exiting so the process is restarted',
  )
  process.exit(EXIT_FATAL)
}

/** A fatal log line's fields: the error, and for Kafka's security refusals a `hint` naming what to check. */
function fatalFields(error: unknown, config: ServiceConfig<ConfigSpec>): Record<string, unknown> {
  const hint = kafkaSecurityHint(error, config)
  return hint === undefined ? { err: error } : { err: error, hint }
}

/** The first SIGTERM or SIGINT logs `stopping` and asks the work to stop; later ones are ignored. */
function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    await stop()
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}

/** The HTTP server's limits, from the HTTP_* keys. */
function httpLimits(config: ConfigOf<typeof commonConfig>): HttpLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT,
    maxBodyBytes: config.HTTP_BODY_LIMIT,
  }
}

/** SCHEMA_REGISTRY_AUTH as credentials: "user:password" (basic) or "Bearer <token>"; empty for none. */
function registryAuth(raw: string): RegistryAuth | undefined {
  if (raw === '') return undefined
  if (raw.startsWith('Bearer ')) return { token: raw.slice('Bearer '.length) }
  const colon = raw.indexOf(':')
  if (colon < 0) throw new ConfigError(['SCHEMA_REGISTRY_AUTH must be "user:password" or "Bearer <token>"'])
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) }
}
