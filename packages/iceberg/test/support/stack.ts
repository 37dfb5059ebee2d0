/** Addresses of the local stack's servers: from the environment, else from `stack env`. */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

let cached: Record<string, string> | undefined

/** The stack's variables (S3_*, ICEBERG_REST_*), the process environment taking precedence. */
export function stackEnv(): Record<string, string> {
  if (!cached) {
    const root = join(import.meta.dirname, '..', '..', '..', '..')
    const out = execFileSync(
      'bash',
      [join(root, 'tools', 'node.sh'), join(root, 'tools', 'stack', 'main.ts'), 'env'],
      {
        encoding: 'utf8',
      },
    )
    const fromStack = Object.fromEntries(
      out
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
    cached = { ...fromStack, ...(process.env as Record<string, string>) }
  }
  return cached
}

/** A name unlikely to clash between test runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}
