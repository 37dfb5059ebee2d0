/**
 * The manifest checks' tools, each built or fetched on first use and cached: kustomize and kubeconform
 * from the Go module proxy, our pod-security evaluator, and the schemas kubeconform reads.
 */
import { join } from 'node:path'
import { ensureCoreSchemas } from './core-schemas.ts'
import { ensureCrdSchemas } from './crd-schemas.ts'
import { goBuild, goInstall } from './go.ts'
import { KUBECONFORM_VERSION, KUSTOMIZE_VERSION } from './versions.ts'

/** Paths of the built tools and the schema locations kubeconform is given. */
export interface K8sTools {
  readonly kustomize: string
  readonly kubeconform: string
  readonly podSecurity: string
  /** kubeconform `-schema-location` templates, local files only: Kubernetes' kinds, then the CRDs. */
  readonly schemaLocations: readonly string[]
}

export const kustomizeBin = (): string => goInstall('sigs.k8s.io/kustomize/kustomize/v5', KUSTOMIZE_VERSION)

// kubeconform's `-v` prints this variable; go install leaves it at "development"
export const kubeconformBin = (): string =>
  goInstall('github.com/yannh/kubeconform/cmd/kubeconform', KUBECONFORM_VERSION, [
    `-X main.version=${KUBECONFORM_VERSION}`,
  ])

export const podSecurityBin = (): string => goBuild(join(import.meta.dirname, 'pod-security'))

/** The templates kubeconform fills with a resource's kind, group and version to find its schema. */
export const schemaLocations = (): string[] => [
  join(ensureCoreSchemas(), '{{.ResourceKind}}{{.KindSuffix}}.json'),
  join(ensureCrdSchemas(), '{{.Group}}', '{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'),
]

/**
 * Every tool, built or fetched when missing (about a minute on a fresh machine, printing what it
 * builds); later calls find them in ~/.cache/healthstream/k8s at once.
 */
export function k8sTools(): K8sTools {
  return {
    kustomize: kustomizeBin(),
    kubeconform: kubeconformBin(),
    podSecurity: podSecurityBin(),
    schemaLocations: schemaLocations(),
  }
}
