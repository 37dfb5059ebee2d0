/**
 * The container toolchain as a whole: `up` installs and builds what is missing (host packages, our
 * containers.conf, the node:24-slim base image, docker-compose) and starts the API socket; `status`
 * says what is there; `env` gives the variables clients need; `down` stops the API service.
 */
import { ping } from './api-client.ts'
import { currentKey, ensureBaseImage, imageKey } from './base-image.ts'
import { composeBinPath, composeVersion, ensureComposeBin } from './compose-bin.ts'
import { podmanEnv, writeContainersConf } from './conf.ts'
import { ToolchainError } from './errors.ts'
import { secondsSince } from './exec.ts'
import { ensureHostPackages, missingPackages, staleCniBridge, verifyPodman } from './host.ts'
import { containersConfPath, dockerHost, socketPath } from './paths.ts'
import { NODE_24_SLIM } from './recipe.ts'
import { servicePids, startApiService, stopApiService } from './service.ts'

/** Seconds each step of `up` took, and what it did. */
export interface UpReport {
  readonly steps: ReadonlyArray<{ readonly step: string; readonly seconds: number; readonly detail: string }>
  readonly started: readonly string[]
}

/** The variables a client of the toolchain needs, as KEY=value. */
export function toolchainEnv(): Record<string, string> {
  return {
    DOCKER_HOST: dockerHost,
    COMPOSE_BIN: composeBinPath(),
    ...podmanEnv(containersConfPath),
    HEALTHSTREAM_BASE_IMAGE: NODE_24_SLIM.image,
  }
}

/** Installs, builds and starts whatever is missing; idempotent. `log` gets one line per step. */
export async function up(log: (line: string) => void = () => undefined): Promise<UpReport> {
  const steps: Array<{ step: string; seconds: number; detail: string }> = []
  const timed = async (step: string, work: () => string | Promise<string>): Promise<void> => {
    const start = performance.now()
    const detail = await work()
    const entry = { step, seconds: secondsSince(start), detail }
    steps.push(entry)
    log(`${step}: ${detail} (${entry.seconds} s)`)
  }
  let started: string[] = []
  await timed('host packages', () => {
    const installed = ensureHostPackages()
    return installed.length === 0 ? 'present' : `installed ${installed.join(' ')}`
  })
  await timed('containers.conf', () => writeContainersConf())
  await timed('podman run', () => {
    verifyPodman()
    return 'podman run --rm of the busybox probe works'
  })
  await timed('base image', () => {
    const base = ensureBaseImage()
    return `${base.image} ${base.source} (key ${base.key})`
  })
  await timed('docker-compose', () => {
    const bin = ensureComposeBin()
    return `${bin.path} ${bin.built ? 'built' : 'present'}`
  })
  await timed('api socket', async () => {
    started = await startApiService()
    return `${dockerHost} ${started.length > 0 ? `started ${started.join(', ')}` : 'running'}`
  })
  const warning = staleCniBridge()
  if (warning) log(`warning: ${warning}`)
  return { steps, started }
}

const describeKey = (found: string | undefined, wanted: string): string => {
  if (found === undefined) return 'absent'
  return found === wanted ? `current (key ${wanted})` : `stale (key ${found || 'none'}, wanted ${wanted})`
}

/** One line per part of the toolchain; `ok` is false when a part is missing. */
export async function status(): Promise<{ ok: boolean; lines: string[] }> {
  const missing = missingPackages()
  const key = currentKey()
  const baseKey = missing.includes('podman') ? undefined : imageKey(NODE_24_SLIM.image)
  const compose = composeVersion()
  const pids = servicePids()
  const answering = await ping(socketPath)
  const parts: Array<[boolean, string]> = [
    [
      missing.length === 0,
      `host packages: ${missing.length === 0 ? 'installed' : `missing ${missing.join(' ')}`}`,
    ],
    [baseKey === key, `base image ${NODE_24_SLIM.image}: ${describeKey(baseKey, key)}`],
    [compose !== undefined, `docker-compose: ${compose ?? 'not built'} (${composeBinPath()})`],
    [
      answering,
      `api socket ${dockerHost}: ${answering ? `answering (pid ${pids.api ?? 'not ours'})` : 'down'}`,
    ],
    [
      pids.health !== undefined,
      `health driver: ${pids.health === undefined ? 'stopped' : `pid ${pids.health}`}`,
    ],
  ]
  return {
    ok: parts.every(([ok]) => ok),
    lines: parts.map(([ok, line]) => `${ok ? 'ok  ' : 'MISS'} ${line}`),
  }
}

/** Throws NOT_READY naming the missing parts, for tests that need the whole toolchain. */
export async function requireToolchain(): Promise<void> {
  const { ok, lines } = await status()
  if (!ok) {
    const missing = lines.filter((line) => line.startsWith('MISS')).join('; ')
    throw new ToolchainError(
      'NOT_READY',
      `container toolchain incomplete: ${missing}; run: bash tools/node.sh tools/containers/main.ts up`,
    )
  }
}

/** Stops the API service and health driver this checkout started. */
export const down = (): Promise<string[]> => stopApiService()
