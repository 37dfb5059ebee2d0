/**
 * The deployment commands of the README's "On Kubernetes" section, read so the tests run what a user
 * types: which Secrets (and keys) it creates, which files it applies.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DeployCommands {
  /** Secret name → the keys its `kubectl create secret generic` sets (--from-literal, --from-file). */
  readonly secrets: ReadonlyMap<string, readonly string[]>
  /** Paths given to `kubectl apply -f` / `-k`, relative to the project. */
  readonly applied: readonly string[]
  readonly count: number
}

export function readmeDeployCommands(root: string): DeployCommands {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = /## On Kubernetes\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  if (section === undefined) throw new Error('README.md has no "On Kubernetes" section with commands')
  // a command continued with a trailing backslash is one command
  const lines = section
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '')
  const secrets = new Map<string, string[]>()
  const applied: string[] = []
  for (const line of lines) {
    const secret = /kubectl -n \S+ create secret generic (\S+)(.*)/.exec(line)
    if (secret)
      secrets.set(
        secret[1]!,
        [...secret[2]!.matchAll(/--from-(?:literal|file)=([\w.-]+)=/g)].map((m) => m[1]!),
      )
    const apply = /kubectl apply -[fk] (\S+)/.exec(line)
    if (apply) applied.push(apply[1]!)
  }
  return { secrets, applied, count: lines.length }
}
