/** Service shell: configuration, logs, metrics, tracing, the health/admin app and serving. */

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
export { type RunningServer, serve } from './serve.ts'
export {
  contextFromHeaders,
  forwardTrace,
  type HeaderCarrier,
  injectSpan,
  setupTracing,
  shutdownTracing,
  startBatchSpan,
} from './tracing.ts'
