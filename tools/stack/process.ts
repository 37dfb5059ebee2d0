import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { logFile, pidFile } from './paths.ts'
import type { LaunchSpec } from './server.ts'

/** Starts a detached process whose output goes to the server's log file and records its pid. */
export function launch(name: string, spec: LaunchSpec): number {
  const log = logFile(name)
  mkdirSync(dirname(log), { recursive: true })
  mkdirSync(dirname(pidFile(name)), { recursive: true })
  const fd = openSync(log, 'a')
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`${name}: could not start ${spec.command}`)
  child.unref()
  writeFileSync(pidFile(name), String(child.pid))
  return child.pid
}

/** The recorded pid if that process is still alive. */
export function runningPid(name: string): number | undefined {
  const file = pidFile(name)
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops the process group `up` started (SIGTERM, then SIGKILL after a grace period) and removes the pid file. */
export async function stop(name: string, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(name)
  rmSync(pidFile(name), { force: true })
  if (pid === undefined) return false
  signalGroup(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (isAlive(pid) && Date.now() < deadline) await sleep(100)
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL')
  while (isAlive(pid)) await sleep(50)
  return true
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal) // detached: the pid leads its own process group
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Polls `probe` until it resolves true or the timeout passes; then throws naming the server
 * and pointing at its log.
 */
export async function waitFor(
  name: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  pid?: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(`${name} exited during start-up; see ${logFile(name)}`)
    }
    try {
      if (await probe()) return
    } catch (error) {
      lastError = error
    }
    await sleep(250)
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
  throw new Error(`${name} not ready after ${timeoutMs / 1000}s${detail}; see ${logFile(name)}`)
}

/** Fetch that resolves to false instead of throwing, for readiness probes. */
export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}
