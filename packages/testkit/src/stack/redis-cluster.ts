/**
 * A throwaway Redis Cluster for tests: `nodes` redis-server processes (the stack's Debian package) in
 * cluster mode on free loopback ports, the 16 384 slots split evenly between them, no persistence.
 * Optionally with a password for `default` (`requirepass`), ACL users, and TLS only (clients and the
 * cluster bus, `tls-cluster yes`). Stopping it kills the processes and deletes their folder.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type AclUser, aclUserRule } from '@healthstream/shared/redis'
import { type Cluster, Redis } from 'ioredis'
import { freePort } from './ports.ts'

const HOST = '127.0.0.1'
const SLOTS = 16_384

/** PEM files of a TLS cluster: every node presents `cert`, and trusts (and is trusted by) `ca`. */
export interface RedisClusterTls {
  readonly cert: string
  readonly key: string
  readonly ca: string
}

/** How the cluster guards itself; nothing given, it is open as before. */
export interface RedisClusterOptions {
  /** The `default` user's password (`requirepass`); without it `default` needs none. */
  readonly defaultPassword?: string
  /** ACL users beside `default`; the cluster commands are added to each. */
  readonly users?: readonly AclUser[]
  /** TLS only: no plain port, TLS between the nodes too. */
  readonly tls?: RedisClusterTls
}

/** A running cluster. */
export interface RedisClusterHandle {
  /** A seed URL (the first node) without credentials, as REDIS_URL with REDIS_CLUSTER=true takes it. */
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

/** One node's redis.conf. */
function nodeConfig(dir: string, port: number, bus: number, options: RedisClusterOptions): string {
  const { tls } = options
  return [
    `bind ${HOST}`,
    ...(tls
      ? [`port 0`, `tls-port ${port}`, 'tls-cluster yes', 'tls-auth-clients optional']
      : [`port ${port}`]),
    ...(tls
      ? [`tls-cert-file "${tls.cert}"`, `tls-key-file "${tls.key}"`, `tls-ca-cert-file "${tls.ca}"`]
      : []),
    'cluster-enabled yes',
    `cluster-port ${bus}`,
    `cluster-config-file "${join(dir, `nodes-${port}.conf`)}"`,
    `dir "${dir}"`,
    'save ""',
    'appendonly no',
    'daemonize no',
    ...(options.defaultPassword === undefined ? [] : [`requirepass ${options.defaultPassword}`]),
    ...(options.users ?? []).map((user) => aclUserRule({ ...user, cluster: true })),
    '',
  ].join('\n')
}

/** Starts the cluster and resolves once every node reports `cluster_state:ok` and knows the others. */
export async function startRedisCluster(
  nodes = 3,
  options: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
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
      const configFile = join(dir, `node-${port}.conf`)
      writeFileSync(configFile, nodeConfig(dir, port, bus, options), { mode: 0o600 })
      const child = spawn(server, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
      // Redis logs to stdout, a rejected configuration too; the last lines say why a node stopped
      let output = ''
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-4000)
      }
      child.stdout?.on('data', keep)
      child.stderr?.on('data', keep)
      child.once('exit', (code, signal) => {
        exited ??= new Error(
          `redis-server on port ${port} exited (${code ?? signal}) while starting: ${output.trim()}`,
        )
      })
      processes.push(child)
      const admin = new Redis({
        host: HOST,
        port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        ...(options.defaultPassword === undefined ? {} : { password: options.defaultPassword }),
        ...(options.tls ? { tls: { ca: readFileSync(options.tls.ca) } } : {}),
      })
      admin.on('error', () => undefined) // refused until the node listens: `until` retries
      clients.push(admin)
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
    return { url: `${options.tls ? 'rediss' : 'redis'}://${HOST}:${ports[0]}`, ports, stop }
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
