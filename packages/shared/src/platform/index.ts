/** Service shell: configuration, logs, metrics, tracing, the health/admin app and serving. */

export { type AdminAuditEntry, remoteAddress } from './admin-audit.ts'
export { type AdminJob, adminJobRoute, type RefusedRequest } from './admin-job.ts'
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
export { samplerFromEnv, tracingProblems } from './sampler.ts'
export {
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  httpLimitProblems,
  type RunningServer,
  serve,
} from './serve.ts'
export { TRACE_HEADERS, type TraceCount, type TraceGroup, TraceTally } from './trace-tally.ts'
export {
  contextOf,
  forwardTrace,
  setupTracing,
  shutdownTracing,
  spanContextOf,
  traceHeadersOf,
} from './tracing.ts'
