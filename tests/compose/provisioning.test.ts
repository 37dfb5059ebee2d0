/**
 * The files compose.yaml mounts into Prometheus and Grafana, checked without containers (Grafana
 * cannot run here): the dashboard is valid JSON on the provisioned datasource, every metric its
 * PromQL reads is one the services' code declares, Prometheus scrapes all four services, and
 * compose.yaml keeps its promises (no default admin token, ports on 127.0.0.1, a grace period
 * everywhere, the local stack's versions).
 */
import assert from 'node:assert/strict'
import { globSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'
import { alertRules, ruleExpr } from '@healthstream/tools/monitoring'
import {
  dashboardQueries,
  family,
  queryPanels,
  readDashboard,
  readMetrics,
  SCRAPE_SERIES,
} from './dashboard.ts'

const read = (path: string): string => readFileSync(join(projectRoot, path), 'utf8')
const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const

/** Metric names declared in the services' and shared package's sources (prom-client `name:`s). */
function declaredMetrics(): Set<string> {
  const files = globSync(['packages/shared/src/**/*.ts', 'services/*/src/**/*.ts'], { cwd: projectRoot })
  const out = new Set<string>()
  for (const file of files) {
    const text = read(file)
    for (const [, name] of text.matchAll(/'(healthstream_[a-z0-9_]+)'/g)) out.add(name!)
    // Families named from a template: `healthstream_lake_${name}` with counter('rows_committed_total', …)
    for (const [, prefix] of text.matchAll(/`(healthstream_[a-z0-9_]*)\$\{name\}`/g)) {
      for (const [, suffix] of text.matchAll(/\b(?:counter|age)\(\s*'([a-z0-9_]+)'/g))
        out.add(`${prefix}${suffix}`)
    }
    // prom-client's default metrics, where a registry collects them
    if (text.includes('collectDefaultMetrics(')) {
      for (const name of [
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
        'nodejs_eventloop_lag_p99_seconds',
      ])
        out.add(name)
    }
  }
  return out
}

describe('the Grafana provisioning', () => {
  const dashboard = readDashboard(projectRoot)

  it('provisions the Prometheus datasource under the uid every panel uses', () => {
    const datasource = read('deploy/grafana/provisioning/datasources/prometheus.yaml')
    const uid = /\buid: (\S+)/.exec(datasource)?.[1]
    assert.equal(uid, 'healthstream-prometheus')
    assert.match(datasource, /url: http:\/\/prometheus:9090/)
    assert.ok(queryPanels(dashboard).length >= 10, `${queryPanels(dashboard).length} panels`)
    for (const panel of queryPanels(dashboard)) {
      assert.equal(panel.datasource?.uid, uid, `panel '${panel.title}'`)
      assert.ok((panel.targets ?? []).length > 0, `panel '${panel.title}' has no query`)
      for (const target of panel.targets ?? [])
        assert.equal(target.datasource?.uid, uid, `panel '${panel.title}'`)
    }
  })

  it('loads the dashboard from the folder compose mounts', () => {
    assert.match(
      read('deploy/grafana/provisioning/dashboards/healthstream.yaml'),
      /path: \/var\/lib\/grafana\/dashboards/,
    )
    assert.match(read('compose.yaml'), /\.\/deploy\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards:ro/)
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids unique')
  })

  it('reads only metrics the services declare in their code, as do the alert rules', () => {
    const declared = declaredMetrics()
    const rules = alertRules().map((rule) => ({ name: rule.alert, expr: ruleExpr(rule) }))
    const unknown = [...readMetrics([...dashboardQueries(dashboard), ...rules])]
      .filter(([name]) => !SCRAPE_SERIES.has(name) && !declared.has(family(name)))
      .map(([name, readers]) => `${name} (${readers.join(', ')})`)
    assert.deepEqual(unknown, [], `declared: ${[...declared].sort().join(' ')}`)
  })
})

describe('the Prometheus configuration', () => {
  it('scrapes the four services on their HTTP port', () => {
    const config = read('deploy/prometheus/prometheus.yml')
    for (const service of SERVICES) {
      assert.match(
        config,
        new RegExp(`targets: \\["${service}:8080"\\]\\s*\\n\\s*labels: \\{ service: ${service} \\}`),
      )
    }
  })

  it('loads the generated alert rules, which compose mounts beside the configuration', () => {
    assert.match(read('deploy/prometheus/prometheus.yml'), /^rule_files: \["alerts\.yml"\]$/m)
    assert.match(
      read('compose.yaml'),
      /\.\/deploy\/prometheus\/alerts\.yml:\/etc\/prometheus\/alerts\.yml:ro/,
    )
  })
})

describe('compose.yaml', () => {
  const compose = read('compose.yaml')

  it('has no default admin token: compose refuses to start without ADMIN_TOKEN', () => {
    const uses = compose.match(/\$\{ADMIN_TOKEN[^}]*\}/g) ?? []
    assert.ok(uses.length > 0)
    for (const use of uses) assert.match(use, /^\$\{ADMIN_TOKEN:\?/)
  })

  it('publishes every port on 127.0.0.1 unless HEALTHSTREAM_BIND_ADDRESS says otherwise', () => {
    const ports = [...compose.matchAll(/^\s*ports: \[(.*)\]$/gm)].map((m) => m[1]!)
    assert.ok(ports.length >= 10)
    for (const port of ports)
      assert.match(
        port,
        /^"\$\{HEALTHSTREAM_BIND_ADDRESS:-127\.0\.0\.1\}:\$\{HEALTHSTREAM_[A-Z0-9_]+_PORT:-2\d{4}\}:\d+"$/,
      )
  })

  it('runs the Grafana release the dashboard SDK writes dashboards for', () => {
    const sdk = JSON.parse(read('tools/package.json')).devDependencies[
      '@grafana/grafana-foundation-sdk'
    ] as string
    const release = /^(\d+\.\d+)\./.exec(sdk)?.[1]
    assert.ok(release, `the SDK version ${sdk} names a Grafana release`)
    assert.match(compose, new RegExp(`image: grafana/grafana:${release.replace('.', '\\.')}\\.\\d+\\b`))
  })

  it('runs the versions the local stack tests', () => {
    const version = (file: string): string => {
      const match = /^const VERSION = '([^']+)'/m.exec(read(`tools/stack/servers/${file}`))
      assert.ok(match, `VERSION in ${file}`)
      return match[1]!
    }
    assert.match(compose, new RegExp(`image: apache/kafka:${version('kafka.ts')}\\n`))
    assert.match(compose, new RegExp(`image: apicurio/apicurio-registry:${version('registry.ts')}\\n`))
    assert.match(compose, new RegExp(`image: versity/versitygw:${version('s3.ts')}\\n`))
  })
})
