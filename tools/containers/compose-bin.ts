/**
 * `docker compose` built from the Go module proxy. `go install …/cmd@version` refuses the module (its
 * go.mod has `exclude` directives), so the module is downloaded and built in place, as its Makefile
 * does, into the cache as `docker-compose-<version>`.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ToolchainError, toolMissing } from './errors.ts'
import { capture, must, secondsSince, which } from './exec.ts'
import { binDir, goBuildCache, goModCache } from './paths.ts'

/** The newest docker/compose the Go here (1.26.8) builds; v5.7.x needs Go 1.27. */
export const COMPOSE_VERSION = 'v5.6.0'
const MODULE = 'github.com/docker/compose/v5'

/** Path of the docker-compose binary of `version` (it may not exist yet). */
export const composeBinPath = (version = COMPOSE_VERSION): string => join(binDir, `docker-compose-${version}`)

/** Go's environment: caches under ~/.cache/healthstream/go, the local toolchain only. */
export function goEnv(): Record<string, string> {
  return {
    GOMODCACHE: goModCache,
    GOCACHE: goBuildCache,
    GOFLAGS: '-buildvcs=false -mod=readonly',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  }
}

/** Downloads a module's source (read-only, in the module cache) and returns its folder. */
export function goModuleDir(go: string, module: string, version: string): string {
  const json = must('DOWNLOAD_FAILED', go, ['mod', 'download', '-json', `${module}@${version}`], {
    env: goEnv(),
  })
  const dir = (JSON.parse(json) as { Dir?: string }).Dir
  if (!dir) throw new ToolchainError('DOWNLOAD_FAILED', `go mod download ${module}@${version} gave no folder`)
  return dir
}

export interface ComposeBinResult {
  readonly path: string
  readonly built: boolean
  readonly seconds: number
}

/** Builds docker-compose once (about 1.5 min cold here); later calls return the cached binary. */
export function ensureComposeBin(version = COMPOSE_VERSION): ComposeBinResult {
  const start = performance.now()
  const path = composeBinPath(version)
  if (existsSync(path)) return { path, built: false, seconds: secondsSince(start) }
  const go = which('go')
  if (go === undefined)
    throw toolMissing('go', `install Go >= 1.26.8 (https://go.dev/dl/) to build docker compose ${version}`)
  mkdirSync(binDir, { recursive: true })
  const partial = `${path}.partial`
  const ldflags = `-s -w -X ${MODULE}/internal.Version=${version}`
  try {
    must('BUILD_FAILED', go, ['build', '-trimpath', '-ldflags', ldflags, '-o', partial, './cmd'], {
      cwd: goModuleDir(go, MODULE, version),
      env: goEnv(),
    })
    renameSync(partial, path)
  } finally {
    rmSync(partial, { force: true })
  }
  return { path, built: true, seconds: secondsSince(start) }
}

/** `docker-compose version --short` of the binary at `path`, or undefined when it does not run. */
export function composeVersion(path = composeBinPath()): string | undefined {
  if (!existsSync(path)) return undefined
  const result = capture(path, ['version', '--short'])
  return result.status === 0 ? result.stdout.trim() : undefined
}
