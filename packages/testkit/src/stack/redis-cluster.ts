/**
 * A throwaway Redis Cluster for tests: `nodes` redis-server processes (the stack's Debian package) in
 * cluster mode on free loopback ports, the 16 384 slots split evenly between them, no persistence.
 * Stopping it kills the processes and deletes their folder.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Cluster, Redis } from 'ioredis'
import { freePort } from './ports.ts'

const HOST = '127.0.0.1'
const SLOTS = 16_384

/** A running cluster. */
export interface RedisClusterHandle {
  /** A seed URL (the first node), as REDIS_URL with REDIS_CLUSTER=true takes it. */
  readonly url: string
  readonly ports: readonly number[]
  stop(): Promise<void>
}

/** The cluster commands used here (`--cluster-port`, `CLUSTER ADDSLOTSRANGE`) came with Redis 7. */
function requireRedis7(server: string): void {
  const version = /v=(\d+)\./.exec(execFileSync(server, ['--version'], { encoding: 'utf8' }))?.[1]
  if (version === undefined || Number(version) < 7)
    throw new Error(`redis cluster: ${server} is Redis ${version ?? '?'}; these tests need Redis 7 or later`)
}

async function until(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  failed: () => Error | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    const failure = failed()
    if (failure) throw failure
    try {
      if (await check()) return
    } catch (error) {
      last = error
    }
    await sleep(100)
  }
  throw new Error(`redis cluster: ${what} within ${timeoutMs} ms`, { cause: last })
}

/** The path of `command` on PATH; throws with `hint` when there is none. */
function requireTool(command: string, hint: string): string {
  const found = spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status !== 0 || path === '') throw new Error(`'${command}' is missing: ${hint}`)
  return path
}

/** Starts the cluster and resolves once every node reports `cluster_state:ok` and knows the others. */
export async function startRedisCluster(nodes = 3): Promise<RedisClusterHandle> {
  const server = requireTool('redis-server', "install the Debian package 'redis-server'")
  requireRedis7(server)
  const dir = mkdtempSync(join(tmpdir(), 'healthstream-redis-cluster-'))
  const processes: ChildProcess[] = []
  const clients: Redis[] = []
  // A test process that dies without its after-hooks must not leave the nodes running
  const killAll = () => {
    for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  }
  process.once('exit', killAll)
  let exited: Error | undefined
  const stop = async () => {
    process.off('exit', killAll)
    for (const c of clients) c.disconnect()
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve()
            p.once('exit', () => resolve())
            p.kill('SIGKILL')
          }),
      ),
    )
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const ports: number[] = []
    const buses: number[] = []
    for (let i = 0; i < nodes; i++) {
      const port = await freePort()
      const bus = await freePort()
      ports.push(port)
      buses.push(bus)
      // biome-ignore format: flag and value pairs
      const args = [
        '--port', String(port), '--bind', HOST, '--cluster-enabled', 'yes', '--cluster-port', String(bus),
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
        '--save', '', '--appendonly', 'no', '--daemonize', 'no',
      ]
      const child = spawn(server, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
      })
      child.once('exit', (code, signal) => {
        exited ??= new Error(
          `redis-server on port ${port} exited (${code ?? signal}) while starting: ${stderr.trim()}`,
        )
      })
      processes.push(child)
      clients.push(new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0 }))
    }
    await until(
      'every node answers PING',
      10_000,
      async () => {
        for (const c of clients) if (c.status !== 'ready') await c.connect().catch(() => undefined)
        const pongs = await Promise.all(clients.map((c) => c.ping()))
        return pongs.every((p) => p === 'PONG')
      },
      () => exited,
    )
    const share = Math.ceil(SLOTS / nodes)
    for (const [i, c] of clients.entries()) {
      const last = Math.min(SLOTS, (i + 1) * share) - 1
      await c.call('CLUSTER', 'ADDSLOTSRANGE', String(i * share), String(last))
    }
    // MEET names the bus port too: it is not port + 10 000 here
    for (let i = 1; i < nodes; i++)
      await clients[0]!.call('CLUSTER', 'MEET', HOST, String(ports[i]), String(buses[i]))
    await until('every node sees the whole cluster', 20_000, async () => {
      const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>))
      return infos.every(
        (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes}`),
      )
    })
    return { url: `redis://${HOST}:${ports[0]}`, ports, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * The master holding each key that starts with `prefix`, by the master's port, read from the nodes
 * themselves (so a test sees where the cluster really put a partition's keys).
 */
export async function nodeOfKeys(cluster: Cluster, prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const node of cluster.nodes('master')) {
    for (const key of await node.keys(`${prefix}*`)) out.set(key, node.options.port!)
  }
  return out
}
