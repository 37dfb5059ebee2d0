/**
 * Carrying out the fault plan on real processes: SIGKILL and restart of the four services (what a
 * Kubernetes Deployment would do after a crash), and stops/starts of the stack's servers.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ServiceProcess } from '@healthstream/testkit/stack'
import { down, up } from '../stack/main.ts'
import { allServers } from '../stack/servers/index.ts'
import type { ServerFault, ServiceName } from './schedule.ts'

/** What happened to one service during the run. */
export interface ServiceRecord {
  kills: number
  /** Milliseconds from SIGKILL until the new process logged `started`. */
  restartMs: number[]
  /** Starts that failed (e.g. the broker was down) and were tried again. */
  failedStarts: number
  /** Exits nobody asked for, with the last lines the process logged. */
  crashes: { atMs: number; lastLines: string[] }[]
}

const RESTART_GIVE_UP_MS = 300_000

/** The four services of the run; keeps each one running until `stop()`. */
export class Fleet {
  readonly records = new Map<ServiceName, ServiceRecord>()
  readonly #services: Map<ServiceName, ServiceProcess>
  readonly #since: number
  /** Services being restarted by the kill lane or the watchdog right now. */
  readonly #restarting = new Set<ServiceName>()
  #watchdog: NodeJS.Timeout | undefined
  /** Set when the watchdog could not start a crashed service again. */
  #gaveUp: Error | undefined

  constructor(services: Map<ServiceName, ServiceProcess>, since: number) {
    this.#services = services
    this.#since = since
    for (const name of services.keys())
      this.records.set(name, { kills: 0, restartMs: [], failedStarts: 0, crashes: [] })
  }

  async start(): Promise<void> {
    await Promise.all([...this.#services.keys()].map((name) => this.#startUntilUp(name)))
    // A service that exits on its own is recorded as a crash and started again, like a pod
    this.#watchdog = setInterval(() => {
      for (const [name, service] of this.#services) {
        if (service.running || this.#restarting.has(name)) continue
        this.records
          .get(name)!
          .crashes.push({ atMs: Date.now() - this.#since, lastLines: service.lines.slice(-8) })
        this.#startUntilUp(name).catch((error: Error) => {
          this.#gaveUp ??= error
        })
      }
    }, 1_000)
  }

  /** SIGKILL, then a new process at once; resolves when it is up again. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.#services.get(name)!
    const record = this.records.get(name)!
    this.#restarting.add(name)
    try {
      const t0 = Date.now()
      await service.kill9()
      record.kills++
      await this.#startUntilUp(name)
      record.restartMs.push(Date.now() - t0)
    } finally {
      this.#restarting.delete(name)
    }
  }

  async #startUntilUp(name: ServiceName): Promise<void> {
    const service = this.#services.get(name)!
    this.#restarting.add(name)
    const deadline = Date.now() + RESTART_GIVE_UP_MS
    try {
      for (;;) {
        try {
          await service.start()
          return
        } catch (error) {
          this.records.get(name)!.failedStarts++
          if (Date.now() > deadline)
            throw new Error(`${name} did not start within ${RESTART_GIVE_UP_MS} ms`, { cause: error })
          await service.kill9() // a start that hung leaves nothing behind
          await sleep(2_000)
        }
      }
    } finally {
      this.#restarting.delete(name)
    }
  }

  /** Resolves once every service runs (after the faults, before draining); fails if one never came back. */
  async ensureRunning(): Promise<void> {
    while ([...this.#services].some(([name, s]) => !s.running || this.#restarting.has(name))) {
      if (this.#gaveUp) throw this.#gaveUp
      await sleep(500)
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#watchdog)
    await Promise.all([...this.#services.values()].map((s) => s.stop()))
  }
}

/** What happened to one server fault. */
export interface ServerRecord {
  readonly server: string
  readonly kind: string
  readonly atMs: number
  /** From the stop until the server answered again. */
  readonly downMs: number
}

const server = (name: string) => {
  const found = allServers.find((s) => s.name === name)
  if (!found) throw new Error(`no stack server '${name}'`)
  return found
}

/** The stack servers behind a fault's name: the lake is its object store and its catalog database. */
const serversOf = (name: ServerFault['server']) => (name === 'lake' ? ['s3', 'postgres'] : [name]).map(server)

/** Stops the servers, waits `forMs` (an outage) or not at all (a restart), and starts them again. */
export async function serverFault(fault: ServerFault, since: number): Promise<ServerRecord> {
  const targets = serversOf(fault.server)
  const t0 = Date.now()
  await down(targets)
  if (fault.forMs > 0) await sleep(fault.forMs)
  await up(targets)
  return { server: fault.server, kind: fault.kind, atMs: t0 - since, downMs: Date.now() - t0 }
}
