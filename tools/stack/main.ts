/**
 * The local stack: real servers on 127.0.0.1 without Docker.
 *   npm run stack -- up [name...] | down [name...] | status | env
 */
import { mkdirSync } from 'node:fs'
import { stackDir } from './paths.ts'
import { launch, portOpen, runningPid, stop, waitFor } from './process.ts'
import type { StackServer } from './server.ts'
import { allServers } from './servers/index.ts'

/** Resolves true when the server's readiness probe passes (throws otherwise). */
const probe = (server: StackServer) => async (): Promise<boolean> => {
  await server.ready()
  return true
}

const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 180_000)

function select(names: readonly string[]): readonly StackServer[] {
  if (names.length === 0) return allServers
  return names.map((name) => {
    const server = allServers.find((s) => s.name === name)
    if (!server)
      throw new Error(`unknown server '${name}'; known: ${allServers.map((s) => s.name).join(', ')}`)
    return server
  })
}

/** Starts what is not running yet; a server already up (by our pid file) is left alone. */
export async function up(servers: readonly StackServer[]): Promise<string[]> {
  mkdirSync(stackDir, { recursive: true })
  const started: string[] = []
  try {
    for (const server of servers) await upOne(server, started)
  } catch (error) {
    // Leave nothing behind: stop what this call started before reporting the failure.
    await down(servers.filter((s) => launchedNow.has(s.name)))
    throw error
  }
  return started
}

/** Pids launched by this process, so a failed readiness wait can still stop the server it started. */
const launchedNow = new Map<string, number>()

async function upOne(server: StackServer, started: string[]): Promise<void> {
  {
    if (server.kind === 'tool') {
      await server.install()
      return
    }
    if (runningPid(server.name) !== undefined) {
      await waitFor(server.name, probe(server), READY_TIMEOUT_MS)
      console.error(`${server.name}: already running`)
      return
    }
    for (const port of server.ports) {
      if (await portOpen(port)) {
        throw new Error(
          `${server.name}: port 127.0.0.1:${port} is taken by another process (not started by this stack)`,
        )
      }
    }
    const t0 = Date.now()
    await server.install()
    const spec = await server.prepare()
    const pid = launch(server.name, spec)
    launchedNow.set(server.name, pid)
    await waitFor(server.name, probe(server), READY_TIMEOUT_MS, pid)
    await server.afterStart?.()
    started.push(server.name)
    console.error(`${server.name}: up (pid ${pid}, ${((Date.now() - t0) / 1000).toFixed(1)}s)`)
  }
}

/** Stops, in reverse order, exactly the processes whose pid files `up` wrote. */
export async function down(servers: readonly StackServer[]): Promise<void> {
  for (const server of [...servers].reverse()) {
    if (server.kind === 'tool') continue
    const stopped = await stop(server.name)
    console.error(`${server.name}: ${stopped ? 'stopped' : 'not running'}`)
  }
}

/** One line per server; true when all are healthy. */
export async function status(servers: readonly StackServer[]): Promise<boolean> {
  let healthy = true
  for (const server of servers) {
    const pid = runningPid(server.name)
    let state = 'stopped'
    if (server.kind === 'tool') {
      state = await server.ready().then(
        () => 'installed',
        (error: Error) => `not installed: ${error.message}`,
      )
      healthy &&= state === 'installed'
    } else if (pid !== undefined) {
      try {
        await server.ready()
        state = `healthy (pid ${pid})`
      } catch (error) {
        state = `unhealthy (pid ${pid}): ${(error as Error).message}`
        healthy = false
      }
    } else healthy = false
    console.log(`${server.name.padEnd(14)} ${state}`)
  }
  return healthy
}

export function envLines(servers: readonly StackServer[] = allServers): string[] {
  return servers.flatMap((s) => Object.entries(s.env()).map(([k, v]) => `${k}=${v}`))
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...names] = argv
  const servers = select(names)
  switch (command) {
    case 'up':
      await up(servers)
      return 0
    case 'down':
      await down(servers)
      return 0
    case 'status':
      return (await status(servers)) ? 0 : 1
    case 'env':
      for (const line of envLines(servers)) console.log(line)
      return 0
    default:
      console.error('usage: npm run stack -- up [name...] | down [name...] | status | env')
      return 2
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`stack: ${error.message}`)
      process.exit(1)
    },
  )
}
