/**
 * podman's Docker-compatible API on a unix socket (`podman system service --time=0`), started in the
 * background with its pid recorded, plus the health-check driver beside it. DOCKER_HOST points
 * docker-compose (and any Docker client) at it.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { launch, runningPid, stop } from '../stack/process.ts'
import { ping } from './api-client.ts'
import { podmanEnv } from './conf.ts'
import { ToolchainError } from './errors.ts'
import { dockerHost, runDir, socketPath } from './paths.ts'

/** Names for pid and log files under .stack/ (pids/<name>.pid, logs/<name>.log). */
export const API_SERVICE = 'podman-api'
export const HEALTH_DRIVER = 'podman-health'

/** Unix socket paths are limited to 107 bytes. */
const MAX_SOCKET_PATH = 107

async function waitForPing(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await ping(socketPath)) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

/** Starts the API service and the health driver unless they run; returns what it started. */
export async function startApiService(): Promise<string[]> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new ToolchainError(
      'SERVICE_FAILED',
      `socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; set HEALTHSTREAM_CONTAINERS_RUN to a shorter folder`,
    )
  }
  const started: string[] = []
  if (runningPid(API_SERVICE) === undefined || !(await ping(socketPath))) {
    await stop(API_SERVICE, 5000)
    mkdirSync(runDir, { recursive: true })
    rmSync(socketPath, { force: true })
    launch(API_SERVICE, {
      command: 'podman',
      args: ['system', 'service', '--time=0', dockerHost],
      env: podmanEnv(),
    })
    if (!(await waitForPing(30_000))) {
      throw new ToolchainError(
        'SERVICE_FAILED',
        `podman system service did not answer on ${socketPath} within 30 s; see .stack/logs/${API_SERVICE}.log`,
      )
    }
    started.push(API_SERVICE)
  }
  if (runningPid(HEALTH_DRIVER) === undefined) {
    launch(HEALTH_DRIVER, {
      command: process.execPath,
      args: [join(import.meta.dirname, 'main.ts'), 'health-driver'],
      env: podmanEnv(),
    })
    started.push(HEALTH_DRIVER)
  }
  return started
}

/** Stops the health driver and the API service (by their recorded pids); containers keep running. */
export async function stopApiService(): Promise<string[]> {
  const stopped: string[] = []
  if (await stop(HEALTH_DRIVER, 5000)) stopped.push(HEALTH_DRIVER)
  if (await stop(API_SERVICE, 10_000)) stopped.push(API_SERVICE)
  if (existsSync(socketPath)) rmSync(socketPath, { force: true })
  return stopped
}

/** Pids of the running API service and health driver (undefined when not running). */
export function servicePids(): { api?: number; health?: number } {
  return { api: runningPid(API_SERVICE), health: runningPid(HEALTH_DRIVER) }
}
