/**
 * `npm start`, the main job: the local stack (what is not running yet), the services that exist, and
 * the simulator, with one screen of progress until Ctrl-C, which stops everything this started.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, fstatSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Topics } from '@healthstream/shared/topics'
import { OffsetsProbe, SERVICE_NODE_FLAGS } from '@healthstream/testkit/stack'
import { down, envLines, up } from './stack/main.ts'
import { projectRoot, simulatorMain, stackDir } from './stack/paths.ts'
import { allServers } from './stack/servers/index.ts'
import { lastWordsOfLog } from './start/log-tail.ts'
import { parseCounters, type ServiceCounters } from './start/metrics-scrape.ts'
import { localQueryAuth } from './start/query-token.ts'

interface ServiceSpec {
  readonly name: string
  readonly port: number
  readonly inputs: readonly string[]
}

const SERVICES: readonly ServiceSpec[] = [
  { name: 'ingest', port: 8081, inputs: [Topics.raw] },
  { name: 'validator', port: 8082, inputs: [Topics.samples] },
  { name: 'aggregator', port: 8083, inputs: [Topics.validated] },
  { name: 'lake-writer', port: 8084, inputs: [Topics.validated, Topics.aggregates, Topics.errors] },
]
const SIMULATOR_RATE = process.env.SIMULATOR_RATE ?? '2000'

/** What this run started; `logFrom` is the size its log had before (logs are appended to). */
const children: { name: string; child: ChildProcess; logFrom: number }[] = []

function startProcess(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[] = [],
): void {
  mkdirSync(join(stackDir, 'logs'), { recursive: true })
  const log = openSync(join(stackDir, 'logs', `${name}.log`), 'a')
  const logFrom = fstatSync(log).size
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env, stdio: ['ignore', log, log] })
  children.push({ name, child, logFrom })
}

async function scrape(port: number): Promise<ServiceCounters | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1000) })
    return parseCounters(await res.text())
  } catch {
    return undefined
  }
}

function row(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((c, i) => String(c).padEnd(widths[i] ?? 10)).join(' ')
}

async function main(): Promise<void> {
  const started = await up(allServers)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(envLines().map((l) => l.split(/=(.*)/s).slice(0, 2))),
    ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? randomBytes(16).toString('hex'),
    LAKE_WAREHOUSE: process.env.LAKE_WAREHOUSE ?? join(stackDir, 'lake', 'warehouse'),
    LAKE_CATALOG_URI: process.env.LAKE_CATALOG_URI ?? join(stackDir, 'lake', 'catalog.db'),
    HTTP_HOST: '127.0.0.1',
  }
  // Traces go to the stack's Jaeger (JAEGER_QUERY_URL/api/traces?service=ingest) unless sent elsewhere
  env.OTEL_EXPORTER_OTLP_ENDPOINT ??= env.JAEGER_OTLP_URL
  mkdirSync(stackDir, { recursive: true })
  const query = await localQueryAuth(process.env, stackDir)
  const running = SERVICES.filter((s) => existsSync(join(projectRoot, 'services', s.name, 'src', 'main.ts')))
  const missing = SERVICES.filter((s) => !running.includes(s)).map((s) => s.name)
  for (const s of running) {
    const main = join(projectRoot, 'services', s.name, 'src', 'main.ts')
    const serviceEnv = {
      ...env,
      ...(s.name === 'aggregator' ? query.env : {}),
      HTTP_PORT: String(s.port),
      INSTANCE_ID: `${s.name}-local`,
    }
    startProcess(s.name, main, [], serviceEnv, SERVICE_NODE_FLAGS)
  }
  startProcess(
    'simulator',
    simulatorMain,
    // 1 % of uploads carry a traceparent, as a phone's SDK would: their traces start at the phone
    [
      ...['--rate', SIMULATOR_RATE, '--duration', '24h', '--users', '1000', '--start', 'now-30d'],
      ...['--trace-share', '0.01', '--quiet'],
    ],
    env,
  )

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log('\nstopping what this started …')
    for (const { child } of children) child.kill('SIGTERM')
    await Promise.all(
      children.map(({ child }) =>
        child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null,
      ),
    )
    await probe.close()
    if (started.length > 0) await down(allServers.filter((s) => started.includes(s.name)))
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())

  const probe = new OffsetsProbe((env.KAFKA_BROKERS ?? '').split(','), 'healthstream-start-lag')
  const t0 = Date.now()
  let previous = new Map<string, ServiceCounters>()
  for (;;) {
    const lines: string[] = []
    const uptime = new Date(Date.now() - t0).toISOString().slice(11, 19)
    lines.push(`Healthstream main job — up ${uptime} — Ctrl-C stops everything this started`, '')
    const widths = [12, 10, 10, 12, 12]
    lines.push(row(['service', 'in/s', 'out/s', 'in total', 'out total'], widths))
    const current = new Map<string, ServiceCounters>()
    const dlq = new Map<string, number>()
    const tables = new Map<string, { commits: number; rows: number }>()
    for (const s of running) {
      const c = await scrape(s.port)
      if (c === undefined) {
        lines.push(row([s.name, 'starting …'], widths))
        continue
      }
      current.set(s.name, c)
      const p = previous.get(s.name)
      const rate = (now: number, before: number | undefined) =>
        before === undefined ? '-' : Math.round((now - before) / 2)
      lines.push(
        row(
          [
            s.name,
            rate(c.recordsIn, p?.recordsIn),
            rate(c.recordsOut, p?.recordsOut),
            c.recordsIn,
            c.recordsOut,
          ],
          widths,
        ),
      )
      for (const [reason, n] of c.deadLetters) dlq.set(reason, (dlq.get(reason) ?? 0) + n)
      for (const [table, t] of c.tables) tables.set(table, t)
    }
    previous = current
    for (const name of missing) lines.push(row([name, 'not built yet'], widths))
    lines.push('', 'consumer lag (records):')
    try {
      const lag = await probe.lag(
        running.flatMap((s) => s.inputs.map((topic) => ({ group: `healthstream-${s.name}`, topic }))),
      )
      for (const [key, value] of lag) lines.push(`  ${key.padEnd(54)} ${value}`)
    } catch (error) {
      lines.push(`  (unavailable: ${(error as Error).message})`)
    }
    lines.push('', 'lake commits (snapshots, rows) per table:')
    for (const [table, t] of tables)
      lines.push(`  ${table.padEnd(28)} ${String(t.commits).padStart(6)} ${String(t.rows).padStart(12)}`)
    if (tables.size === 0) lines.push('  none yet')
    lines.push(
      '',
      `dead letters by reason: ${[...dlq].map(([r, n]) => `${r} ${n}`).join(', ') || 'none yet'}`,
    )
    lines.push(`lake: warehouse ${env.LAKE_WAREHOUSE}, catalog ${env.LAKE_CATALOG_URI}`)
    lines.push(`logs: ${join(stackDir, 'logs')}`)
    if (query.tokenFile !== undefined) {
      const url = 'http://127.0.0.1:8083/aggregates/user-000001?granularity=daily'
      lines.push(`query: curl -H "Authorization: Bearer $(cat ${query.tokenFile})" '${url}'`)
    }
    for (const { name, child, logFrom } of children) {
      if (child.exitCode === null) continue
      const said = lastWordsOfLog(join(stackDir, 'logs', `${name}.log`), logFrom)
      lines.push(`!! ${name} exited with code ${child.exitCode}${said ? `: ${said}` : '; see its log'}`)
    }
    if (stopping) return
    process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`)
    await sleep(2000)
  }
}

main().catch((error: Error) => {
  console.error(`start: ${error.message}`)
  for (const { child } of children) child.kill('SIGTERM')
  process.exit(1)
})
