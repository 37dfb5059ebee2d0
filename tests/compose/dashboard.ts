/**
 * What the provisioned Grafana dashboard asks Prometheus for: the metric names in its panels' PromQL,
 * so the tests can hold them against the names the services export.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Panel {
  readonly id: number
  /** `row` for a row header (no queries), else the visualization. */
  readonly type: string
  readonly title: string
  readonly datasource?: { readonly type: string; readonly uid: string }
  readonly targets?: ReadonlyArray<{
    readonly expr: string
    readonly datasource?: { readonly uid: string }
  }>
}

export interface Dashboard {
  readonly uid: string
  readonly title: string
  readonly panels: readonly Panel[]
}

export const dashboardPath = (root: string): string =>
  join(root, 'deploy', 'grafana', 'dashboards', 'healthstream.json')

/** The dashboard file, parsed (throws on invalid JSON). */
export function readDashboard(root: string): Dashboard {
  return JSON.parse(readFileSync(dashboardPath(root), 'utf8')) as Dashboard
}

/** The panels that query (every one but the row headers). */
export const queryPanels = (dashboard: Dashboard): Panel[] => dashboard.panels.filter((p) => p.type !== 'row')

/** Prometheus' own series every scrape adds; not exported by a service. */
export const SCRAPE_SERIES = new Set(['up'])

/** Metric names one PromQL expression reads: ours, prom-client's defaults, and `up`. */
export function metricNames(expr: string): string[] {
  const names: string[] = [...(expr.match(/\b(?:healthstream|process|nodejs)_[a-z0-9_]+\b/g) ?? [])]
  if (/\bup\b/.test(expr.replace(/"[^"]*"/g, ''))) names.push('up')
  return [...new Set(names)]
}

/** Every metric name the expressions read, with the names (panel titles, alerts) of what reads it. */
export function readMetrics(exprs: readonly { name: string; expr: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const { name: reader, expr } of exprs) {
    for (const name of metricNames(expr)) out.set(name, [...(out.get(name) ?? []), reader])
  }
  return out
}

/** The dashboard's queries, each with its panel's title. */
export const dashboardQueries = (dashboard: Dashboard): { name: string; expr: string }[] =>
  queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ name: panel.title, expr: t.expr })),
  )

/** Every metric name the dashboard reads, with the panel titles that read it. */
export const dashboardMetrics = (dashboard: Dashboard): Map<string, string[]> =>
  readMetrics(dashboardQueries(dashboard))

/** A histogram `h` is read as h_bucket, h_sum and h_count: the family name the exporter declares. */
export const family = (name: string): string => name.replace(/_(bucket|sum|count)$/, '')
