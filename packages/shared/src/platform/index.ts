/** Service shell: configuration, logs, metrics, tracing, the health/admin app and serving. */

export { type AdminAuditEntry, remoteAddress } from './admin-audit.ts'
export { commonConfig } from './common-config.ts'
export {
  bool,
  ConfigError,
  type ConfigKey,
  type ConfigOf,
  credential,
  duration,
  int,
  list,
  loadConfig,
  maskCredentials,
  oneOf,
  secret,
  secretBits,
  str,
  url,
} from './config.ts'
export {
  type AdminActions,
  createServiceApp,
  livenessProblems,
  type Readiness,
  readinessProblems,
  type ServiceAppOptions,
} from './http-app.ts'
export { createLogger, type Logger } from './logger.ts'
export { createHopMetrics, type HopMetrics, registerReadiness } from './metrics.ts'
export {
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  httpLimitProblems,
  type RunningServer,
  serve,
} from './serve.ts'
export {
  contextFromHeaders,
  forwardTrace,
  type HeaderCarrier,
  injectSpan,
  setupTracing,
  shutdownTracing,
  startBatchSpan,
} from './tracing.ts'
