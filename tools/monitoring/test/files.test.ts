import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { onPath } from '../../stack/apt.ts'
import { projectRoot } from '../../stack/paths.ts'
import { alertRules, DEFAULT_ALERT_OPTIONS, ruleExpr, runbookAnchor } from '../alerts.ts'
import { DASHBOARD_PATH, generatedFiles, KUBERNETES_DIR } from '../files.ts'

const read = (path: string): string => readFileSync(join(projectRoot, path), 'utf8')

describe('the generated monitoring files', () => {
  const files = generatedFiles()

  for (const file of files) {
    it(`commits ${file.path} as the generator writes it now`, () => {
      assert.ok(read(file.path) === file.content, `${file.path} is stale: run npm run monitoring`)
    })
  }

  it('gives Kubernetes the same dashboard as compose', () => {
    assert.equal(read(`${KUBERNETES_DIR}/healthstream.json`), read(DASHBOARD_PATH))
  })

  it('builds with kustomize into the PrometheusRule and a dashboard ConfigMap for the Grafana sidecar', {
    skip: onPath('kubectl') ? false : 'no kubectl on PATH',
  }, () => {
    const built = spawnSync('kubectl', ['kustomize', join(projectRoot, KUBERNETES_DIR)], { encoding: 'utf8' })
    assert.equal(built.status, 0, built.stderr)
    const objects = parseAllDocuments(built.stdout).map((d) => d.toJS())
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'PrometheusRule'])
    const map = objects.find((o) => o.kind === 'ConfigMap')
    assert.equal(map.metadata.name, 'healthstream-dashboard', 'no hash suffix: the name stays put')
    assert.equal(map.metadata.labels.grafana_dashboard, '1')
    assert.equal(map.data['healthstream.json'], read(DASHBOARD_PATH))
    const rule = objects.find((o) => o.kind === 'PrometheusRule')
    const alerts = rule.spec.groups.flatMap((g: { rules: { alert: string }[] }) =>
      g.rules.map((r) => r.alert),
    )
    assert.deepEqual(
      alerts,
      alertRules().map((r) => r.alert),
    )
  })
})

describe('the alert rules', () => {
  const rules = alertRules()

  it('are named uniquely, each with a severity, a duration, a summary and a description', () => {
    assert.equal(new Set(rules.map((r) => r.alert)).size, rules.length)
    for (const rule of rules) {
      assert.match(rule.for, /^\d+[smh]$/, rule.alert)
      assert.ok(rule.summary.length > 0 && rule.description.length > 0, rule.alert)
      assert.ok(rule.when.length > 0, rule.alert)
    }
  })

  it('each have a runbook line in the README under the anchor their runbook_url names', () => {
    const readme = read('README.md')
    for (const rule of rules) {
      assert.match(
        readme,
        new RegExp(`<a id="${runbookAnchor(rule)}"></a>\\*\\*${rule.alert}\\*\\*`),
        rule.alert,
      )
    }
  })

  it('take their bounds and windows from the options, so a test can shorten them', () => {
    const short = alertRules({
      ...DEFAULT_ALERT_OPTIONS,
      lag: { floor: 7, window: '21s', for: '2s' },
      commits: { maxSeconds: 13, lagFloor: 100, for: '1s' },
    })
    const lag = short.find((r) => r.alert === 'HealthstreamLagGrowing')!
    assert.match(ruleExpr(lag), /> 7\nand .*\[21s\]/)
    assert.equal(lag.for, '2s')
    assert.match(ruleExpr(short.find((r) => r.alert === 'HealthstreamLakeNotCommitting')!), / > 13\n/)
  })
})
