import { execFileSync, spawnSync } from 'node:child_process'

/** Throws a message naming the missing tool and how to get it. */
export function requireTool(command: string, hint: string): string {
  const found = spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status !== 0 || path === '') {
    throw new Error(`'${command}' is missing: ${hint}`)
  }
  return path
}

/** Runs a command in the foreground, inheriting output; throws with the command line on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): void {
  try {
    execFileSync(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      ...options,
      env: { ...process.env, ...options.env },
    })
  } catch (error) {
    throw new Error(`failed: ${command} ${args.join(' ')}`, { cause: error })
  }
}
