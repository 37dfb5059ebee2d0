/**
 * Running host programs. `capture` never throws for a non-zero exit; `must` throws a ToolchainError
 * that quotes the command and the tail of its error output.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { ToolchainError, type ToolchainErrorCode, toolMissing } from './errors.ts'

/** What a finished command left behind. */
export interface Captured {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/** Options for one command; `env` is added to this process's environment. */
export interface ExecOptions {
  readonly env?: Record<string, string>
  readonly cwd?: string
  /** Show the command's output on this terminal instead of capturing it. */
  readonly inherit?: boolean
  readonly timeoutMs?: number
  /** Written to the command's standard input; without it the command reads nothing. */
  readonly input?: string
}

/** Runs `command` to its end and returns its exit status and output. */
export function capture(command: string, args: readonly string[], options: ExecOptions = {}): Captured {
  const output = options.inherit ? 'inherit' : 'pipe'
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    input: options.input,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', output, output],
    timeout: options.timeoutMs,
  })
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw toolMissing(command, 'install it (`bash tools/node.sh tools/containers/main.ts up` does)')
  }
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' }
}

/** Like `capture`, but a non-zero exit throws a ToolchainError with `code`. Returns stdout. */
export function must(
  code: ToolchainErrorCode,
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): string {
  const result = capture(command, args, options)
  if (result.status !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-8).join('\n')
    throw new ToolchainError(code, `failed (exit ${result.status}): ${command} ${args.join(' ')}\n${tail}`, {
      canRetry: code === 'DOWNLOAD_FAILED',
    })
  }
  return result.stdout
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v "$0"', command], { encoding: 'utf8' })
  const path = found.stdout?.trim()
  return found.status === 0 && path ? path : undefined
}

/** Seconds since `start` (a `performance.now()` reading), one decimal. */
export const secondsSince = (start: number): number => Math.round((performance.now() - start) / 100) / 10

/** The trimmed stdout of a command that must have succeeded; otherwise fails with its exit and output's tail. */
export function succeeded(result: Captured): string {
  assert.equal(result.status, 0, `exit ${result.status}: ${(result.stdout + result.stderr).slice(-3000)}`)
  return result.stdout.trim()
}
