/**
 * Which workspaces a service's image holds: the service and every `@healthstream/*` package its
 * production dependencies reach, transitively; nothing else. The Dockerfile's build stage runs this
 * file (`node image-workspaces.ts prune <service>`) to delete the rest, and the image tests compare
 * an image's contents with `closure`. Pure apart from `prune`, which only touches the given root.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

interface Manifest {
  readonly name: string
  readonly workspaces?: readonly string[]
  readonly dependencies?: Readonly<Record<string, string>>
}

const read = (root: string, dir: string): Manifest =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest

/** Workspace folder by package name, from the root manifest's `workspaces`. */
export function workspaceDirs(root: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const dir of read(root, '.').workspaces ?? []) {
    if (existsSync(join(root, dir, 'package.json'))) out.set(read(root, dir).name, dir)
  }
  return out
}

/** The workspace folders `service` (e.g. `lake-writer`) needs at run time, itself first. */
export function closure(root: string, service: string): string[] {
  const dirs = workspaceDirs(root)
  const start = `services/${service}`
  if (![...dirs.values()].includes(start)) throw new Error(`no workspace ${start} (SERVICE=${service})`)
  const seen = [start]
  for (let i = 0; i < seen.length; i++) {
    for (const dep of Object.keys(read(root, seen[i]!).dependencies ?? {})) {
      const dir = dirs.get(dep)
      if (dir !== undefined && !seen.includes(dir)) seen.push(dir)
    }
  }
  return seen
}

/**
 * Deletes from an installed tree every workspace `service` does not need (folders and their links in
 * node_modules/@healthstream) and leaves a root manifest that lists only the kept ones.
 */
export function prune(root: string, service: string): string[] {
  const keep = closure(root, service)
  for (const [name, dir] of workspaceDirs(root)) {
    if (keep.includes(dir)) continue
    rmSync(join(root, dir), { recursive: true, force: true })
    rmSync(join(root, 'node_modules', name), { recursive: true, force: true })
  }
  const manifest = read(root, '.')
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ ...manifest, workspaces: keep }, null, 2)}\n`)
  return keep
}

if (import.meta.main) {
  const [command, service, root = process.cwd()] = process.argv.slice(2)
  if ((command !== 'prune' && command !== 'closure') || service === undefined) {
    process.stderr.write('usage: image-workspaces.ts prune|closure <service> [root]\n')
    process.exit(2)
  }
  const dirs = command === 'prune' ? prune(root, service) : closure(root, service)
  process.stdout.write(`${dirs.join('\n')}\n`)
}
