/**
 * Pod Security "restricted", evaluated offline with the checks of the pod-security admission
 * controller (k8s.io/pod-security-admission, our pod-security/ program), for the pod template of every
 * Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and CronJob in a
 * YAML stream.
 */
import { askChecker } from './checker.ts'
import { podSecurityBin } from './tools.ts'

/** One failed check of one workload, in the words the admission controller would reject it with. */
export interface PodSecurityViolation {
  readonly kind: string
  readonly name: string
  /** e.g. "unrestricted capabilities", "seccompProfile", "runAsNonRoot != true". */
  readonly forbiddenReason: string
  /** e.g. `container "app" must set securityContext.capabilities.drop=["ALL"]`. */
  readonly forbiddenDetail: string
}

/** The violations of level "restricted" (latest version) in `yaml`; [] when every pod would be admitted. */
export function podSecurityViolations(yaml: string): PodSecurityViolation[] {
  return askChecker(podSecurityBin(), [], yaml) as PodSecurityViolation[]
}
