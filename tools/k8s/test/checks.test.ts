/**
 * Probes that the checks fire: each tool is built on first use (about a minute on a fresh machine,
 * seconds after), then shown manifests it must pass and manifests it must flag. No servers needed.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { k8sTools, kustomizeBuild, podSecurityViolations, ToolchainError, validateSchemas } from '../index.ts'

type Doc = Record<string, unknown>
/** A YAML stream of the documents (JSON is YAML). */
const stream = (...docs: readonly Doc[]): string => docs.map((d) => JSON.stringify(d)).join('\n---\n')

interface PodSpec {
  securityContext: Record<string, unknown>
  containers: Array<{ name: string; image: string; securityContext: Record<string, unknown> } & Doc>
  [field: string]: unknown
}

/** A Deployment that "restricted" admits; `edit` takes something away from its pod. */
function deployment(name: string, edit: (pod: PodSpec) => void = () => undefined): Doc {
  const pod: PodSpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'ghcr.io/healthstream/ingest:0.1.0',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  }
  edit(pod)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: pod },
    },
  }
}

const container = (pod: PodSpec) => pod.containers[0]!

const scaledObject = (spec: Doc = {}): Doc => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'ingest' },
  spec: {
    scaleTargetRef: { name: 'ingest' },
    maxReplicaCount: 12,
    triggers: [
      {
        type: 'prometheus',
        metadata: { serverAddress: 'http://prometheus:9090', query: 'sum(x)', threshold: '1000' },
      },
    ],
    ...spec,
  },
})

before(() => {
  k8sTools() // builds whatever is missing, printing what and how long
})

describe('the Pod Security "restricted" evaluator', () => {
  it('admits a Deployment that runs as non-root with every capability dropped and the runtime seccomp profile', () => {
    assert.deepEqual(podSecurityViolations(stream(deployment('ok'))), [])
  })

  const flagged: Array<[string, (pod: PodSpec) => void, string, RegExp]> = [
    [
      'capabilities.drop: [ALL]',
      (pod) => delete container(pod).securityContext.capabilities,
      'unrestricted capabilities',
      /capabilities\.drop=\["ALL"\]/,
    ],
    [
      'seccompProfile',
      (pod) => delete pod.securityContext.seccompProfile,
      'seccompProfile',
      /seccompProfile\.type/,
    ],
    [
      'runAsNonRoot',
      (pod) => delete pod.securityContext.runAsNonRoot,
      'runAsNonRoot != true',
      /runAsNonRoot=true/,
    ],
    [
      'allowPrivilegeEscalation: false',
      (pod) => delete container(pod).securityContext.allowPrivilegeEscalation,
      'allowPrivilegeEscalation != false',
      /allowPrivilegeEscalation=false/,
    ],
  ]
  for (const [missing, edit, reason, detail] of flagged) {
    it(`rejects a Deployment without ${missing}, saying "${reason}"`, () => {
      const violations = podSecurityViolations(
        stream({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } }, deployment('bad', edit)),
      )
      assert.equal(violations.length, 1, JSON.stringify(violations))
      assert.deepEqual(
        { ...violations[0], forbiddenDetail: '' },
        { kind: 'Deployment', name: 'bad', forbiddenReason: reason, forbiddenDetail: '' },
      )
      assert.match(violations[0]!.forbiddenDetail, detail)
    })
  }

  it('evaluates the pod of a CronJob too', () => {
    const pod = (deployment('x', (p) => delete p.securityContext.runAsNonRoot).spec as { template: Doc })
      .template
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: pod } } },
    }
    assert.deepEqual(
      podSecurityViolations(stream(cronJob)).map((v) => [v.kind, v.name, v.forbiddenReason]),
      [['CronJob', 'nightly', 'runAsNonRoot != true']],
    )
  })

  it('refuses input that is not YAML with RUN_FAILED instead of passing it', () => {
    assert.throws(
      () => podSecurityViolations('kind: [unclosed'),
      (e: unknown) => e instanceof ToolchainError && e.code === 'RUN_FAILED',
    )
  })
})

describe('kubeconform, strict, offline', () => {
  it('finds a compliant Deployment and a ConfigMap valid', () => {
    const report = validateSchemas(
      stream(deployment('ok'), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { A: '1' },
      }),
    )
    assert.deepEqual(report, { valid: 2, problems: [] })
  })

  it('flags a misspelled field (containerz)', () => {
    const report = validateSchemas(
      stream(
        deployment('typo', (pod) => {
          pod.containerz = pod.containers
        }),
      ),
    )
    assert.equal(report.valid, 0)
    assert.equal(report.problems[0]?.status, 'invalid')
    assert.match(report.problems[0]!.message, /additional properties 'containerz' not allowed/)
  })

  it('flags a value of the wrong type (a port given as a word)', () => {
    const report = validateSchemas(
      stream(
        deployment('port', (pod) => {
          container(pod).ports = [{ containerPort: 'eighty' }]
        }),
      ),
    )
    assert.match(report.problems[0]?.message ?? '', /containerPort.*got string, want integer/)
  })

  it('reports a kind it has no schema for as an error, not as skipped', () => {
    const report = validateSchemas(
      stream({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    )
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.status]),
      [['Widget', 'error']],
    )
  })

  it("knows KEDA's ScaledObject: a valid one passes, an unknown spec field is flagged", () => {
    assert.deepEqual(validateSchemas(stream(scaledObject())), { valid: 1, problems: [] })
    const report = validateSchemas(stream(scaledObject({ maxReplicas: 12 })))
    assert.match(report.problems[0]?.message ?? '', /additional properties 'maxReplicas' not allowed/)
  })

  it("knows KEDA's TriggerAuthentication and the operator's ServiceMonitor and PrometheusRule", () => {
    const docs = [
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'TriggerAuthentication',
        metadata: { name: 't' },
        spec: { secretTargetRef: [{ parameter: 'bearerToken', name: 's', key: 'token' }] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'm' },
        spec: { selector: { matchLabels: { app: 'x' } }, endpoints: [{ port: 'http', path: '/metrics' }] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'r' },
        spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }] }] },
      },
    ]
    assert.deepEqual(validateSchemas(stream(...docs)), { valid: 3, problems: [] })
    const badRule = {
      ...docs[2]!,
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expresion: 'up == 0' }] }] },
    }
    assert.match(validateSchemas(stream(badRule)).problems[0]?.message ?? '', /expresion/)
  })
})

describe('kustomize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-kustomize-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('renders a kustomization: the prefix, the namespace and a generated ConfigMap with its hash', () => {
    writeFileSync(join(dir, 'deployment.json'), JSON.stringify(deployment('ingest')))
    const kustomization = {
      namespace: 'hs',
      namePrefix: 'probe-',
      resources: ['deployment.json'],
      configMapGenerator: [{ name: 'env', literals: ['A=1'] }],
    }
    writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify(kustomization))
    const yaml = kustomizeBuild(dir)
    assert.match(yaml, /name: probe-ingest\n\s+namespace: hs/)
    assert.match(yaml, /name: probe-env-[a-z0-9]{10}\n/)
    assert.deepEqual(validateSchemas(yaml), { valid: 2, problems: [] })
  })

  it('fails with RUN_FAILED quoting kustomize when a resource is missing', () => {
    writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify({ resources: ['missing.yaml'] }))
    assert.throws(
      () => kustomizeBuild(dir),
      (e: unknown) =>
        e instanceof ToolchainError && e.code === 'RUN_FAILED' && /missing\.yaml/.test(e.message),
    )
  })
})
