/**
 * Every overlay in k8s/overlays, checked offline as a cluster would check it: `kustomize build`
 * renders it, kubeconform finds every resource valid against Kubernetes' own schemas (strict, the
 * release KUBERNETES_VERSION) and the KEDA and prometheus-operator CRDs, none skipped, and every pod
 * template passes Pod Security "restricted" as the admission controller evaluates it.
 */
import assert from 'node:assert/strict'
import { globSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { before, describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'
import {
  KUBERNETES_VERSION,
  k8sTools,
  kustomizeBuild,
  podSecurityViolations,
  validateSchemas,
} from '@healthstream/tools/k8s'
import { parseAllDocuments } from 'yaml'

const overlays = globSync('k8s/overlays/*', { cwd: projectRoot })
  .map((dir) => join(projectRoot, dir))
  .filter((dir) => statSync(dir).isDirectory())
  .sort()

/** kustomize's output for each overlay, rendered once and shared by its tests. */
const rendered = new Map<string, string>()
const render = (dir: string): string => {
  const yaml = rendered.get(dir) ?? kustomizeBuild(dir)
  rendered.set(dir, yaml)
  return yaml
}

before(() => {
  k8sTools() // builds what is missing on a fresh machine (about a minute), printing what
})

it('has overlays to check in k8s/overlays', () => {
  assert.ok(overlays.length > 0, `no overlay folders in ${join(projectRoot, 'k8s', 'overlays')}`)
})

for (const dir of overlays) {
  describe(`the ${basename(dir)} overlay`, () => {
    it('renders with kustomize', () => {
      assert.ok(parseAllDocuments(render(dir)).length > 0, 'kustomize rendered nothing')
    })

    it(`is valid against the Kubernetes ${KUBERNETES_VERSION} and CRD schemas, every resource checked`, () => {
      const yaml = render(dir)
      const report = validateSchemas(yaml)
      assert.deepEqual(report.problems, [])
      assert.equal(report.valid, parseAllDocuments(yaml).length, 'resources kubeconform did not count')
    })

    it('runs every pod under Pod Security "restricted"', () => {
      assert.deepEqual(podSecurityViolations(render(dir)), [])
    })
  })
}
