/** The process shell every service runs in (`runService`), and the transactional hop that runs in it (`runHop`). */
export { fetchConfig, prefetchConfig } from './fetch-config.ts'
export { CommittedTally } from './hop-metrics.ts'
export { LagMetrics, type LagMetricsOptions } from './lag-metrics.ts'
export {
  type HopConfig,
  type HopContext,
  type HopDefinition,
  type HopParts,
  runHop,
} from './run-hop.ts'
export {
  type ConfigSpec,
  configOrExit,
  EXIT_CONFIG,
  EXIT_FATAL,
  runService,
  type ServiceConfig,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceWorker,
} from './shell.ts'
export { HopTracing, MAX_SPAN_LINKS, TraceAttributes, TransactionSpans } from './transaction-spans.ts'
export { deadLetterUnreadable, type UnreadableBatchDeps } from './unreadable-batches.ts'
