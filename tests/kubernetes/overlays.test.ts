/**
 * What the rendered overlays promise beyond schemas and Pod Security (manifests.test.ts): scaling on
 * the lag metric the services export, bounded by the partition count; nothing secret in a ConfigMap;
 * every pod under a default-deny NetworkPolicy; monitoring that selects the services.
 */
import assert from 'node:assert/strict'
import { globSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'
import { kustomizeBuild } from '@healthstream/tools/k8s'
import { parseManifests } from './pod-spec.ts'
import { readmeDeployCommands } from './readme-commands.ts'

const SERVICES = ['aggregator', 'ingest', 'lake-writer', 'validator']
const LAG_METRIC = 'healthstream_consumer_lag_records'

interface Any {
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests, checked field by field below
  spec?: any
  data?: Record<string, string>
}

const overlays = globSync('k8s/overlays/*', { cwd: projectRoot }).map((dir) => basename(dir))
const render = (overlay: string): Any[] =>
  parseManifests(kustomizeBuild(join(projectRoot, 'k8s', 'overlays', overlay))) as Any[]

describe('the production overlay', () => {
  const resources = render('production')
  const of = (kind: string) => resources.filter((r) => r.kind === kind)
  // the services' ConfigMap (beside the dashboard's): the one kustomize names healthstream-<hash>
  const config = of('ConfigMap').find((c) => /^healthstream-[a-z0-9]{10}$/.test(c.metadata.name))!.data!

  it('scales every Deployment on its own lag, up to the partition count', () => {
    const scaled = of('ScaledObject')
    assert.deepEqual(scaled.map((s) => s.spec.scaleTargetRef.name).sort(), SERVICES)
    for (const s of scaled) {
      const name = s.spec.scaleTargetRef.name as string
      // A pod beyond the partition count idles; the lake-writer stays below it (commit conflicts)
      if (name === 'lake-writer') assert.ok(s.spec.maxReplicaCount <= Number(config.TOPIC_PARTITIONS), name)
      else assert.equal(s.spec.maxReplicaCount, Number(config.TOPIC_PARTITIONS), `${name}: max = partitions`)
      assert.equal(s.spec.minReplicaCount, 1, name)
      const [trigger] = s.spec.triggers
      assert.equal(trigger.type, 'prometheus', name)
      assert.match(trigger.metadata.query, new RegExp(`\\bsum\\(${LAG_METRIC}\\{service="${name}"\\}\\)`))
      assert.ok(Number(trigger.metadata.threshold) > 0, name)
    }
    assert.equal(of('HorizontalPodAutoscaler').length, 0, 'no second autoscaler beside KEDA')
    for (const d of of('Deployment')) assert.equal(d.spec.replicas, undefined, d.metadata.name)
  })

  it('reads the lag metric the services declare', () => {
    const sources = globSync('packages/shared/src/**/*.ts', { cwd: projectRoot })
    assert.ok(
      sources.some((file) => readFileSync(join(projectRoot, file), 'utf8').includes(`'${LAG_METRIC}'`)),
      `${LAG_METRIC} is declared in packages/shared`,
    )
  })

  it('configures every lake-writer replica for one shared lake: S3 and a PostgreSQL catalog', () => {
    assert.equal(config.LAKE_CATALOG, 'sql')
    assert.match(config.LAKE_WAREHOUSE ?? '', /^s3:\/\//)
    const writer = of('Deployment').find((d) => d.metadata.name === 'lake-writer')!
    const env = writer.spec.template.spec.containers[0].env as { name: string; value?: string }[]
    const uri = env.find((e) => e.name === 'LAKE_CATALOG_URI_FILE')
    assert.ok(
      uri?.value?.startsWith('/var/run/secrets/'),
      'the catalog URI (with its password) is a Secret file',
    )
  })

  it('needs exactly the Secrets the README tells a user to create, in five commands', () => {
    const commands = readmeDeployCommands(projectRoot)
    assert.ok(commands.count <= 5, `${commands.count} commands`)
    assert.deepEqual(commands.applied, ['k8s/overlays/production/namespace.yaml', 'k8s/overlays/production'])
    const namespace = resources.find((r) => r.kind === 'Namespace')!
    assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted')
    const required = new Map<string, Set<string>>()
    const need = (name: string, key: string) => required.set(name, (required.get(name) ?? new Set()).add(key))
    for (const d of of('Deployment')) {
      const pod = d.spec.template.spec
      for (const volume of pod.volumes ?? [])
        for (const source of volume.projected?.sources ?? [])
          for (const item of source.secret?.items ?? [])
            if (!source.secret.optional) need(source.secret.name, item.key)
      for (const variable of pod.containers[0].env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef
        if (ref !== undefined && !ref.optional) need(ref.name, ref.key)
      }
    }
    const created = new Map([...commands.secrets].map(([name, keys]) => [name, new Set(keys)]))
    assert.deepEqual(created, required)
  })

  it('keeps secrets out of ConfigMaps', () => {
    for (const map of of('ConfigMap')) {
      for (const [key, value] of Object.entries(map.data ?? {})) {
        assert.doesNotMatch(key, /TOKEN$|PASSWORD|SECRET|CREDENTIAL|_AUTH$/, `${map.metadata.name}: ${key}`)
        assert.doesNotMatch(
          value,
          /:\/\/[^/@\s]*:[^/@\s]+@/,
          `${map.metadata.name}: ${key} holds a URL password`,
        )
      }
    }
  })

  it('monitors the four Services with the operator and ships the rules and the dashboard', () => {
    const [monitor] = of('ServiceMonitor')
    assert.ok(monitor)
    const selector = monitor.spec.selector.matchLabels as Record<string, string>
    for (const name of SERVICES) {
      const service = of('Service').find((s) => s.metadata.name === name)!
      for (const [k, v] of Object.entries(selector)) assert.equal(service.metadata.labels?.[k], v, name)
    }
    assert.equal(of('PrometheusRule').length, 1)
    assert.ok(of('ConfigMap').some((c) => c.metadata.labels?.grafana_dashboard === '1'))
  })
})

for (const overlay of overlays) {
  describe(`the ${overlay} overlay`, () => {
    const resources = render(overlay)
    it('puts every pod under a default-deny NetworkPolicy and opens egress per service', () => {
      const policies = resources.filter((r) => r.kind === 'NetworkPolicy')
      const deny = policies.find((p) => p.metadata.name === 'healthstream-default-deny')!
      assert.deepEqual(deny.spec.policyTypes, ['Ingress', 'Egress'])
      assert.equal(deny.spec.ingress, undefined)
      assert.equal(deny.spec.egress, undefined)
      for (const d of resources.filter((r) => r.kind === 'Deployment')) {
        const labels = d.spec.template.metadata.labels as Record<string, string>
        for (const [k, v] of Object.entries(deny.spec.podSelector.matchLabels)) assert.equal(labels[k], v)
        const own = policies.find(
          (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === d.metadata.name,
        )
        assert.ok(own?.spec.egress?.length, `${d.metadata.name} has its own egress rule`)
      }
    })

    it('gives each service its own ServiceAccount, without an API token', () => {
      for (const d of resources.filter((r) => r.kind === 'Deployment')) {
        const pod = d.spec.template.spec
        assert.equal(pod.serviceAccountName, d.metadata.name)
        assert.equal(pod.automountServiceAccountToken, false)
        assert.ok(resources.some((r) => r.kind === 'ServiceAccount' && r.metadata.name === d.metadata.name))
      }
    })
  })
}
