/**
 * Every version the manifest checks depend on, in one place. Each is the newest this machine's Go
 * (1.26.8, no toolchain switch) builds or downloads; bump them together with KUBERNETES_VERSION.
 */

/**
 * The Kubernetes release the manifests are checked against: the OpenAPI schemas kubeconform uses.
 * The Pod Security checks come from k8s.io/pod-security-admission of the same minor (pinned in
 * pod-security/go.mod, which a test holds to this constant).
 */
export const KUBERNETES_VERSION = '1.37.0'

/** kustomize from the Go module proxy; v5.8.3 needs Go 1.27. */
export const KUSTOMIZE_VERSION = 'v5.8.2'

/** kubeconform from the Go module proxy. */
export const KUBECONFORM_VERSION = 'v0.8.0'

/** The PyPI package that bundles Kubernetes' JSON schemas (1.25 to 1.37 in this release). */
export const KUBERNETES_VALIDATE_VERSION = '1.37.0'

/** KEDA, whose module carries the ScaledObject/TriggerAuthentication CRDs; v2.21.1 needs Go 1.27.4. */
export const KEDA_VERSION = 'v2.21.0'

/** prometheus-operator, whose module carries the ServiceMonitor/PrometheusRule CRDs; the newest on the proxy. */
export const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0'
