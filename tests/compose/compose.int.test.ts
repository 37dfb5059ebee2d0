/**
 * `docker compose --profile demo up` of the whole product, with the compose built here on podman
 * (tools/containers) and the stand-in images of tools/containers/infra-images.ts: the lake (S3 +
 * PostgreSQL catalog) fills all five tables, read back through pyiceberg from the host; a `down`
 * while data flows and an `up` again lose and duplicate nothing (each sample once in health_data_raw,
 * one row per window in each aggregate table, each dead letter once, every row from before still
 * there); Prometheus scrapes all four services, and every metric the Grafana dashboard reads is one
 * they export. Grafana itself is left out of `up` (its image cannot be had here; see
 * provisioning.test.ts). Its own project name, free host ports and `down -v` at the end keep it
 * apart from a stack a user runs.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { TableNames } from '@healthstream/lake-writer/tables'
import { GRANULARITIES, type Row, readTable, windowKey } from '@healthstream/testkit/lake'
import { freePort, projectRoot } from '@healthstream/testkit/stack'
import { type Captured, capture, down, succeeded, toolchainEnv, up } from '@healthstream/tools/containers'
import { dashboardMetrics, family, readDashboard, SCRAPE_SERIES } from './dashboard.ts'

const PROJECT = `hs-compose-${randomBytes(3).toString('hex')}`
const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const
const TABLES = Object.values(TableNames)
const PORT_KEYS = [
  'KAFKA',
  'REGISTRY',
  'REDIS',
  'POSTGRES',
  'S3',
  'INGEST',
  'VALIDATOR',
  'AGGREGATOR',
  'LAKE_WRITER',
  'PROMETHEUS',
  'GRAFANA',
] as const
const FILL_WITHIN_MS = 300_000

let env: Record<string, string> = {}
const ports: Record<string, number> = {}
let startedHere: readonly string[] = []
/** The services `up` starts: all of the demo profile but Grafana. */
let upServices: string[] = []

const compose = (args: readonly string[], timeoutMs = 600_000): Captured =>
  capture(env.COMPOSE_BIN!, ['-p', PROJECT, '--profile', 'demo', ...args], {
    env,
    cwd: projectRoot,
    timeoutMs,
  })
const podman = (args: readonly string[]): Captured => capture('podman', args, { env, timeoutMs: 60_000 })

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

function read(table: string, columns?: string[]): Promise<Row[]> {
  return readTable({
    catalog: 'sql',
    uri: `postgresql+psycopg2://healthstream:healthstream@127.0.0.1:${ports.POSTGRES}/healthstream`,
    catalogName: 'healthstream',
    namespace: 'health',
    table,
    s3: {
      endpoint: `http://127.0.0.1:${ports.S3}`,
      region: 'us-east-1',
      accessKeyId: 'healthstream',
      secretAccessKey: 'healthstream-secret',
    },
    columns,
  })
}

/** Row counts of the five tables; a table not created yet counts 0. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of TABLES) {
    out[table] = await read(table, table === 'health_data_raw' ? ['sample_id'] : undefined).then(
      (rows) => rows.length,
      () => 0,
    )
  }
  return out
}

/** Waits until every table holds rows; returns how long that took. */
async function lakeFilled(since: number): Promise<number> {
  let last: Record<string, number> = {}
  while (Date.now() - since < FILL_WITHIN_MS) {
    last = await counts()
    if (TABLES.every((t) => (last[t] ?? 0) > 0)) return Date.now() - since
    await sleep(5000)
  }
  const simulator = podman(['logs', '--tail', '10', `${PROJECT}-simulator-1`])
  throw new Error(
    `not every table has rows after ${seconds(FILL_WITHIN_MS)}: ${JSON.stringify(last)}; ` +
      `simulator ${JSON.stringify(simulatorState())}:\n${simulator.stdout}${simulator.stderr}`,
  )
}

/** The simulator container's state: `running`, `exited` (with its exit code), … */
function simulatorState(): { status: string; exitCode: number } {
  const out = succeeded(
    podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', `${PROJECT}-simulator-1`]),
  )
  const [status = '', code = '1'] = out.split(' ')
  return { status, exitCode: Number(code) }
}

/** Waits for the simulator to finish and the lake to stop changing (two equal readings 15 s apart). */
async function drained(timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs
  let previous = ''
  while (Date.now() < deadline) {
    const state = simulatorState()
    const now = JSON.stringify(await counts())
    if (state.status === 'exited') {
      assert.equal(
        state.exitCode,
        0,
        `simulator exit code:\n${podman(['logs', `${PROJECT}-simulator-1`]).stderr}`,
      )
      if (now === previous) return JSON.parse(now) as Record<string, number>
    }
    previous = now
    await sleep(15_000)
  }
  throw new Error(`the lake did not settle within ${seconds(timeoutMs)}: ${previous}`)
}

interface LakeKeys {
  readonly samples: string[]
  readonly windows: Record<string, string[]>
  readonly errors: string[]
}

/** The keys each table must hold once: samples, windows per granularity, dead letters. */
async function lakeKeys(): Promise<LakeKeys> {
  const raw = await read('health_data_raw', ['user_id', 'sample_id'])
  const windows: Record<string, string[]> = {}
  for (const g of GRANULARITIES) {
    const rows = await read(`health_data_${g}_agg`, ['user_id', 'data_type', 'window_start'])
    windows[g] = rows.map((r) => windowKey(String(r.user_id), String(r.data_type), g, Number(r.window_start)))
  }
  const errors = await read('health_data_errors', ['error_id'])
  return {
    samples: raw.map((r) => `${r.user_id}/${r.sample_id}`),
    windows,
    errors: errors.map((r) => String(r.error_id)),
  }
}

function repeated(keys: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const key of keys) {
    if (seen.has(key)) out.push(key)
    seen.add(key)
  }
  return out
}

function missing(before: readonly string[], after: readonly string[]): string[] {
  const now = new Set(after)
  return before.filter((k) => !now.has(k))
}

before(async () => {
  startedHere = (await up()).started
  for (const key of PORT_KEYS) ports[key] = await freePort()
  env = {
    ...toolchainEnv(),
    ADMIN_TOKEN: `compose-test-${randomBytes(12).toString('hex')}`,
    ...Object.fromEntries(PORT_KEYS.map((k) => [`HEALTHSTREAM_${k}_PORT`, String(ports[k])])),
  }
  // The stand-ins compose runs, built (or found current) by their own command
  const images = capture(process.execPath, [join(projectRoot, 'tools', 'containers', 'infra-images.ts')], {
    env,
    timeoutMs: 1_800_000,
  })
  console.error(images.stderr.trim())
  succeeded(images)
  const start = Date.now()
  succeeded(compose(['build']))
  console.error(`compose build (the four services and the simulator): ${seconds(Date.now() - start)}`)
  upServices = succeeded(compose(['config', '--services']))
    .split('\n')
    .filter((s) => s !== '' && s !== 'grafana')
})

after(async () => {
  if (env.COMPOSE_BIN !== undefined) {
    const logs = compose(['logs', '--no-color', '--tail', '20', ...SERVICES, 'simulator'], 60_000)
    if (process.exitCode) console.error(logs.stdout.slice(-6000))
    compose(['down', '--volumes', '--timeout', '40'], 300_000)
  }
  if (startedHere.length > 0) await down()
})

describe('docker compose --profile demo up: the whole product', { timeout: 1_800_000 }, () => {
  let before: LakeKeys

  it('refuses to start without ADMIN_TOKEN', () => {
    // Empty counts as unset for `${ADMIN_TOKEN:?…}`; this also hides a token of this process's own
    const args = ['-p', PROJECT, 'config', '--quiet']
    const result = capture(env.COMPOSE_BIN!, args, { env: { ...env, ADMIN_TOKEN: '' }, cwd: projectRoot })
    assert.notEqual(result.status, 0)
    assert.match(result.stderr, /required variable ADMIN_TOKEN is missing a value/)
  })

  it('gives every service a grace period, and binds every published port to 127.0.0.1', () => {
    const config = JSON.parse(succeeded(compose(['config', '--format', 'json']))) as {
      services: Record<string, { stop_grace_period?: string; ports?: Array<{ host_ip?: string }> }>
    }
    for (const [name, service] of Object.entries(config.services)) {
      assert.ok(service.stop_grace_period, `${name} has no stop_grace_period`)
      for (const port of service.ports ?? []) assert.equal(port.host_ip, '127.0.0.1', name)
    }
  })

  it('fills all five tables of the lake on S3 and PostgreSQL within five minutes', async () => {
    const start = Date.now()
    succeeded(compose(['up', '--detach', ...upServices]))
    const upMs = Date.now() - start
    const filled = await lakeFilled(start)
    console.error(`up returned after ${seconds(upMs)}; rows in all five tables after ${seconds(filled)}`)
    assert.ok(filled < FILL_WITHIN_MS)
  })

  it('has Prometheus scraping all four services', async () => {
    const deadline = Date.now() + 120_000
    let health: Record<string, string> = {}
    while (Date.now() < deadline) {
      const response = await fetch(`http://127.0.0.1:${ports.PROMETHEUS}/api/v1/targets`)
      const body = (await response.json()) as {
        data: { activeTargets: Array<{ labels: Record<string, string>; health: string }> }
      }
      health = Object.fromEntries(
        body.data.activeTargets.filter((t) => t.labels.service).map((t) => [t.labels.service!, t.health]),
      )
      if (SERVICES.every((s) => health[s] === 'up')) return
      await sleep(3000)
    }
    assert.fail(`targets after 120 s: ${JSON.stringify(health)}`)
  })

  it('exports every metric the Grafana dashboard reads', async () => {
    const exported = new Set<string>()
    for (const service of SERVICES) {
      const port = ports[service === 'lake-writer' ? 'LAKE_WRITER' : service.toUpperCase()]
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      for (const [, name] of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(name!)
    }
    const absent = [...dashboardMetrics(readDashboard(projectRoot)).keys()].filter(
      (name) => !SCRAPE_SERIES.has(name) && !exported.has(family(name)),
    )
    assert.deepEqual(absent, [])
  })

  it('loses and duplicates nothing through a down while data flows and an up again', async () => {
    before = await lakeKeys()
    const stopped = Date.now()
    succeeded(compose(['down', '--timeout', '40'], 300_000))
    const downMs = Date.now() - stopped
    const volumes = succeeded(podman(['volume', 'ls', '--format', '{{.Name}}']))
    for (const volume of ['kafka-data', 'postgres-data', 's3-data', 'redis-data'])
      assert.match(volumes, new RegExp(`^${PROJECT}_${volume}$`, 'm'), 'down keeps the volumes')
    const start = Date.now()
    succeeded(compose(['up', '--detach', ...upServices]))
    const settled = await drained(600_000)
    console.error(
      `down took ${seconds(downMs)}; after up again the lake settled in ${seconds(Date.now() - start)}: ${JSON.stringify(settled)}`,
    )
    const after = await lakeKeys()
    assert.deepEqual(repeated(after.samples).slice(0, 5), [], 'each sample once in health_data_raw')
    assert.deepEqual(missing(before.samples, after.samples).slice(0, 5), [], 'no sample lost')
    for (const g of GRANULARITIES) {
      assert.deepEqual(repeated(after.windows[g]!).slice(0, 5), [], `one row per ${g} window`)
      assert.deepEqual(missing(before.windows[g]!, after.windows[g]!).slice(0, 5), [], `no ${g} window lost`)
    }
    assert.deepEqual(repeated(after.errors).slice(0, 5), [], 'each dead letter once')
    assert.deepEqual(missing(before.errors, after.errors).slice(0, 5), [], 'no dead letter lost')
    assert.ok(after.samples.length >= before.samples.length)
  })
})
