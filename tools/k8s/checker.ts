/**
 * Running a checker that reads manifests on stdin and answers in JSON on stdout: exit 0 when it found
 * nothing, 1 when it found something; any other exit, or an answer that is not JSON, means it could
 * not check at all.
 */
import { ToolchainError } from '../containers/errors.ts'
import { capture } from '../containers/exec.ts'

/** The parsed JSON answer of `command args` to `yaml`; RUN_FAILED when it could not check. */
export function askChecker(command: string, args: readonly string[], yaml: string): unknown {
  const result = capture(command, args, { input: yaml, timeoutMs: 120_000 })
  const failed = (cause?: unknown): ToolchainError =>
    new ToolchainError(
      'RUN_FAILED',
      `failed (exit ${result.status}): ${command} ${args.join(' ')}\n${result.stderr.trim().slice(-2000)}`,
      { cause },
    )
  if (result.status !== 0 && result.status !== 1) throw failed()
  try {
    return JSON.parse(result.stdout)
  } catch (error) {
    throw failed(error)
  }
}
