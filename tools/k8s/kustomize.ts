/** Rendering a kustomization, as `kubectl apply -k` would before it sends anything. */
import { must } from '../containers/exec.ts'
import { kustomizeBin } from './tools.ts'

/** The YAML `kustomize build dir` prints; RUN_FAILED quoting kustomize's error when it cannot render. */
export function kustomizeBuild(dir: string): string {
  return must('RUN_FAILED', kustomizeBin(), ['build', dir])
}
