/**
 * The manifest checks' Go programs, built once into the cache with this machine's Go (GOTOOLCHAIN=local,
 * Go's caches under ~/.cache/healthstream/go): tools from the module proxy with `go install`, and our
 * own small programs (a folder with go.mod) with `go build`, keyed by their source.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { goEnv } from '../containers/compose-bin.ts'
import { toolMissing } from '../containers/errors.ts'
import { must, which } from '../containers/exec.ts'
import { cachedDir } from './cache.ts'
import { binDir } from './paths.ts'

/** The go command, or TOOL_MISSING saying how to get it. */
export function requireGo(): string {
  const go = which('go')
  if (go === undefined) {
    throw toolMissing('go', 'install Go >= 1.26 (https://go.dev/dl/) to build the Kubernetes manifest checks')
  }
  return go
}

/** The name `go install` gives a package's binary: its last path element, less a major version (`/v5`). */
export const binaryName = (pkg: string): string => basename(pkg.replace(/\/v\d+$/, ''))

/** `go install pkg@version`; returns the binary. */
export function goInstall(pkg: string, version: string, ldflags: readonly string[] = []): string {
  const name = binaryName(pkg)
  const dir = cachedDir(
    join(binDir, `${name}-${version}`),
    `building ${name} ${version} (go install)`,
    (out) => {
      const flags = ['-s', '-w', ...ldflags].join(' ')
      must('BUILD_FAILED', requireGo(), ['install', '-trimpath', `-ldflags=${flags}`, `${pkg}@${version}`], {
        env: { ...goEnv(), GOBIN: out },
      })
    },
  )
  return join(dir, name)
}

/** `go build` of our program in `source`; an edit of any of its files builds it again. */
export function goBuild(source: string): string {
  const name = basename(source)
  const key = sourceKey(source)
  const dir = cachedDir(join(binDir, `${name}-${key}`), `building ${name} (go build, key ${key})`, (out) => {
    must('BUILD_FAILED', requireGo(), ['build', '-trimpath', '-ldflags=-s -w', '-o', join(out, name), '.'], {
      cwd: source,
      env: goEnv(),
    })
  })
  return join(dir, name)
}

/** The first 12 hex digits of a hash over the folder's file names and contents. */
function sourceKey(dir: string): string {
  const hash = createHash('sha256')
  const files = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile())
  for (const { name } of files.sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${name}\0`).update(readFileSync(join(dir, name)))
  }
  return hash.digest('hex').slice(0, 12)
}
