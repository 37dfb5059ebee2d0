/**
 * Reconciliation against the real chain (ingest → validator → aggregator → lake-writer, transactional
 * topics with their commit markers): after a drain, `GET /admin/reconcile` and `npm run ops --
 * reconcile` report every table complete, and the row counts are what the tables hold; with the
 * lake-writer paused while the chain goes on, they report for every table and partition exactly the
 * committed records this test counts on the topics past each recorded offset, the gauge says the same,
 * and after a resume it goes back to 0.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { type ConsumedRecord, readCommittedTopic } from '@healthstream/shared/kafka'
import { parseTruth } from '@healthstream/simulator'
import { outcomes, readTable } from '@healthstream/testkit/lake'
import {
  endpoint,
  eventually,
  projectRoot,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
  waitForLake,
} from '@healthstream/testkit/stack'

interface Partition {
  topic: string
  partition: number
  end: string
  recorded: string | null
  rows: number | null
  behind: number
  exact: boolean
}
interface Report {
  complete: boolean
  behind: number
  tables: { table: string; mode: string; totalRows: number | null; behind: number; partitions: Partition[] }[]
}

const AGGREGATE_TABLES = ['health_data_daily_agg', 'health_data_weekly_agg', 'health_data_monthly_agg']

describe('reconciling the lake with its topics', { timeout: 420_000 }, () => {
  const pipeline = testPipeline('reconcile')
  const { topics } = pipeline
  const dir = mkdtempSync(join(tmpdir(), 'hs-reconcile-'))
  const target = localTarget(join(dir, 'lake'))
  const four = { TOPIC_PARTITIONS: '4' }
  const writer = pipeline.service('lake-writer', {
    ...four,
    ...target.env,
    COMMIT_INTERVAL: '1s',
    RECONCILE_INTERVAL: '2s',
  })
  const services = [
    pipeline.service('ingest', four),
    pipeline.service('validator', four),
    pipeline.service('aggregator', { ...four, DAILY_WINDOW_ZONE: 'utc', PARTITION_IDLE_TIMEOUT: '1ms' }),
    writer,
  ]
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  const admin = async (method: 'GET' | 'POST', path: string) => {
    const response = await writer.fetch(path, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    })
    assert.equal(response.status, 200, `${method} ${path}: ${await response.clone().text()}`)
    return response.json() as Promise<unknown>
  }
  const reconcile = () => admin('GET', '/admin/reconcile') as Promise<Report>
  const upload = async (seed: number, samples: number, start: string) =>
    parseTruth(
      readFileSync(
        await simulateInto(pipeline, {
          samples,
          users: 6,
          seed,
          invalidShare: 0.05,
          duplicateShare: 0.03,
          lateShare: 0,
          start: Date.parse(start),
        }),
        'utf8',
      ),
    )
  const read = (topic: string) =>
    readCommittedTopic({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'reconcile-test' }, topic)

  it('reports a drained lake complete, and exactly what a paused writer has not written yet', async () => {
    mkdirSync(join(dir, 'lake'))
    const first = await upload(7, 1_500, '2026-01-20T00:00:00Z')
    await Promise.all(services.map((s) => s.start()))
    await waitForLake({
      prefix: pipeline.prefix,
      topics,
      validSamples: outcomes(first).valid.length,
      ref: target.ref,
      timeouts: { validated: 120_000, aggregator: 60_000, lake: 60_000 },
      services,
    })

    // (a) drained: nothing behind anywhere, although each LSO stands past a commit marker
    const drained = await reconcile()
    assert.equal(drained.complete, true, JSON.stringify(drained))
    assert.equal(drained.tables.length, 5)
    for (const t of drained.tables) {
      const inputs = t.table === 'health_data_errors' ? 12 : 4
      assert.equal(t.partitions.length, inputs, `${t.table} covers every partition of its topics`)
      for (const p of t.partitions) {
        assert.deepEqual([p.behind, p.exact], [0, true], `${t.table} ${p.topic}[${p.partition}]`)
        // the lake holds everything: the table records an offset on every partition that has records
        if (p.end !== '0') assert.notEqual(p.recorded, null, `${t.table} ${p.topic}[${p.partition}]`)
      }
      assert.equal(sumRows(t.partitions), t.totalRows, `${t.table}: row counts add up to total-records`)
    }
    assert.ok(
      drained.tables.some((t) =>
        t.partitions.some((p) => p.recorded !== null && BigInt(p.recorded) < BigInt(p.end)),
      ),
      'some recorded offset stands before its LSO (the commit marker after the last record)',
    )
    await checkRows(drained)
    const validatedAtDrain = (await read(topics.validated)).length
    const cli = await ops(['reconcile', '--url', `http://127.0.0.1:${writer.port}`])
    assert.equal(cli.code, 0, cli.stdout + cli.stderr)
    assert.match(cli.stdout, /^complete: every table holds every committed record/m)
    assert.match(cli.stdout, /health_data_raw +\S+health-data-validated +0 /)

    // (b) paused: the writer commits what it buffered and reads no more; the chain goes on
    await admin('POST', '/admin/pause')
    await new Promise((r) => setTimeout(r, 3_000)) // its buffers (1 s commit interval) committed
    const frozen = await reconcile()
    const second = await upload(8, 400, '2026-01-26T00:00:00Z')
    const valid = outcomes([...first, ...second]).valid.length
    await eventually(
      'the validator to write the second upload',
      async () => (await read(topics.validated)).length >= valid,
      120_000,
    )
    const behind = await reconcile()
    assert.equal(behind.complete, false)
    for (const t of behind.tables) {
      const before = t.partitions.map((p) => p.recorded)
      const was = frozen.tables.find((f) => f.table === t.table)!.partitions.map((p) => p.recorded)
      assert.deepEqual(before, was, `${t.table}: the paused writer committed nothing`)
    }
    const counted = await countBehind(behind)
    for (const t of behind.tables)
      for (const p of t.partitions)
        assert.deepEqual(
          [p.behind, p.exact],
          [counted.get(`${t.table} ${p.topic} ${p.partition}`), true],
          `${t.table} ${p.topic}[${p.partition}]: the records past ${p.recorded} up to ${p.end}`,
        )
    const raw = behind.tables.find((t) => t.table === 'health_data_raw')!
    const endOf = new Map(raw.partitions.map((p) => [p.partition, BigInt(p.end)]))
    const validatedNow = (await read(topics.validated)).filter((r) => r.offset < endOf.get(r.partition)!)
    assert.equal(
      raw.behind,
      validatedNow.length - validatedAtDrain,
      'the validated samples written since the pause',
    )
    assert.ok(raw.behind > 0)

    const json = await ops(['reconcile', '--url', `http://127.0.0.1:${writer.port}`, '--json'])
    assert.equal(json.code, 1, json.stderr)
    const viaCli = JSON.parse(json.stdout) as Report
    assert.equal(viaCli.tables.find((t) => t.table === 'health_data_raw')!.behind, raw.behind)
    const table = await ops(['reconcile', '--url', `http://127.0.0.1:${writer.port}`])
    assert.equal(table.code, 1)
    assert.match(
      table.stdout,
      new RegExp(
        `^behind: \\d+ committed records not in the lake yet \\(.*health_data_raw ${raw.behind}`,
        'm',
      ),
    )

    // the gauge, refreshed by the call and every 2 s, says the same for the raw table
    const gauge = await gaugeOf('health_data_raw')
    assert.equal(
      [...gauge.values()].reduce((a, b) => a + b, 0),
      raw.behind,
    )

    // resumed: back to complete, through the gauge too
    await admin('POST', '/admin/resume')
    await eventually('the resumed writer to catch up', async () => (await reconcile()).complete, 90_000)
    await eventually(
      'the gauge to show it',
      async () => [...(await gaugeOf('health_data_raw')).values()].every((v) => v === 0),
      10_000,
    )
    const done = await ops(['reconcile', '--url', `http://127.0.0.1:${writer.port}`])
    assert.equal(done.code, 0, done.stdout)
    assert.deepEqual(writer.unexpectedExits, [])
  })

  /** What the test counts itself: per table and partition, committed records in [recorded, end). */
  async function countBehind(report: Report): Promise<Map<string, number>> {
    const byTopic = new Map<string, ConsumedRecord[]>()
    for (const topic of [topics.validated, topics.aggregates, topics.errors])
      byTopic.set(topic, await read(topic))
    const out = new Map<string, number>()
    for (const t of report.tables)
      for (const p of t.partitions) {
        const from = p.recorded === null ? -1n : BigInt(p.recorded)
        const n = byTopic
          .get(p.topic)!
          .filter((r) => r.partition === p.partition && r.offset >= from && r.offset < BigInt(p.end)).length
        out.set(`${t.table} ${p.topic} ${p.partition}`, n)
      }
    return out
  }

  /** The rows reported are the rows the tables hold, per partition read from. */
  async function checkRows(report: Report): Promise<void> {
    const perPartition = (records: readonly { partition: number }[]) =>
      [0, 1, 2, 3].map((p) => records.filter((r) => r.partition === p).length)
    const rowsOf = (table: string, topic: string) =>
      report.tables
        .find((t) => t.table === table)!
        .partitions.filter((p) => p.topic === topic)
        .map((p) => p.rows)
    assert.deepEqual(rowsOf('health_data_raw', topics.validated), perPartition(await read(topics.validated)))
    assert.deepEqual(rowsOf('health_data_errors', topics.errors), perPartition(await read(topics.errors)))
    assert.deepEqual(rowsOf('health_data_errors', topics.validated), [0, 0, 0, 0])
    for (const table of AGGREGATE_TABLES) {
      const rows = await readTable({ ...target.ref(table), columns: ['kafka_partition'] })
      const held = perPartition(rows.map((r) => ({ partition: Number(r.kafka_partition) })))
      assert.deepEqual(rowsOf(table, topics.aggregates), held, `${table}: rows held per partition`)
    }
  }

  /** The reconcile gauge of one table, by partition. */
  async function gaugeOf(table: string): Promise<Map<string, number>> {
    const text = await (await writer.fetch('/metrics')).text()
    const out = new Map<string, number>()
    const line = new RegExp(
      `^healthstream_lake_reconcile_records_behind\\{([^}]*table="${table}"[^}]*)\\} (\\S+)$`,
      'gm',
    )
    for (const m of text.matchAll(line)) out.set(m[1]!, Number(m[2]))
    assert.ok(out.size > 0, `no gauge for ${table}`)
    return out
  }
})

const sumRows = (partitions: readonly Partition[]) =>
  partitions.reduce((n, p) => n + (p.rows ?? Number.NaN), 0)

/** `npm run ops -- …` as an operator runs it: its own process, the token from the environment. */
function ops(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(projectRoot, 'packages', 'ops', 'src', 'main.ts'), ...args], {
    env: { ...process.env, ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8')
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8')
  })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}
