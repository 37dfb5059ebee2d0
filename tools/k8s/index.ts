/** Offline checks of Kubernetes manifests: rendering, OpenAPI schemas, Pod Security "restricted". */
export { ToolchainError, type ToolchainErrorCode } from '../containers/errors.ts'
export { kustomizeBuild } from './kustomize.ts'
export { type PodSecurityViolation, podSecurityViolations } from './pod-security.ts'
export { type SchemaProblem, type SchemaReport, validateSchemas } from './schemas.ts'
export { type K8sTools, k8sTools } from './tools.ts'
export {
  KEDA_VERSION,
  KUBECONFORM_VERSION,
  KUBERNETES_VALIDATE_VERSION,
  KUBERNETES_VERSION,
  KUSTOMIZE_VERSION,
  PROMETHEUS_OPERATOR_VERSION,
} from './versions.ts'
