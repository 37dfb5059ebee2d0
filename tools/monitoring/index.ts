/** @healthstream/tools/monitoring: the dashboard, the alert rules, and a real Prometheus for tests. */
export {
  type AlertOptions,
  type AlertRule,
  alertRules,
  type Condition,
  DEFAULT_ALERT_OPTIONS,
  ruleExpr,
  runbookAnchor,
  type Severity,
} from './alerts.ts'
export { DATASOURCE_UID, healthstreamDashboard } from './dashboard.ts'
export {
  ALERTS_PATH,
  alertsFile,
  DASHBOARD_PATH,
  type GeneratedFile,
  generatedFiles,
  KUBERNETES_DIR,
} from './files.ts'
export {
  type ActiveAlert,
  ensurePrometheus,
  PrometheusServer,
  prometheusConfig,
  promtool,
  type Sample,
  type ScrapeTarget,
} from './prometheus.ts'
export { SERVICES } from './promql.ts'
