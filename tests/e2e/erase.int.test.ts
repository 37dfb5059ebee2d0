/**
 * Erasing people on the real chain (ingest → validator → aggregator → lake-writer, Redis, the embedded
 * lake). Two of six users are erased with `npm run ops -- erase` while a second upload (of the other
 * users) flows through the chain; afterwards pyiceberg and DuckDB (and Spark, when the stack has it)
 * read no row of theirs in any of the five tables, every other user's rows are what they were plus
 * the second upload, their Redis keys are gone, each table's delete snapshot carries the audit
 * (hashed ids, never one in clear), and a later sample of an erased user lands as any other. Then a
 * third user's erasure is cut short by kill -9 of the lake-writer: the readers still agree, nobody
 * else's row is lost, and the same erasure run again completes it.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { parseTruth } from '@healthstream/simulator'
import { checkRaw, HOUR, outcomes, type Row, readTable, snapshots } from '@healthstream/testkit/lake'
import {
  CHAIN_PARTITIONS,
  chainServices,
  endpoint,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
  waitForLake,
} from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import {
  catalogPointers,
  countsOf,
  redisKeysOf,
  runErase,
  sparkSeesNone,
  stable,
  ERASABLE_TABLES as TABLES,
} from './support/erasure.ts'

const ERASED = ['user-000005', 'user-000006']
const LATER = 'user-000004'
// Long lateness: the first upload's windows stay open while the later uploads (weeks later) flow
const LATENESS = { daily: 30 * 24 * HOUR, weekly: 30 * 24 * HOUR, monthly: 30 * 24 * HOUR } as const
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

describe('erasing people while data flows', { timeout: 600_000 }, () => {
  const pipeline = testPipeline('erase')
  const dir = mkdtempSync(join(tmpdir(), 'hs-erase-'))
  const target = localTarget(join(dir, 'lake'))
  const chain = chainServices(pipeline, {
    lake: target.env,
    windows: { zone: 'utc', outOfOrderness: 2 * HOUR, lateness: LATENESS },
  })
  const { ingest, validator, aggregator } = chain
  let writer = chain.writer
  const running = () => [ingest, validator, aggregator, writer]
  const redis = new Redis(endpoint('REDIS_URL'))
  after(async () => {
    await Promise.all(running().map((s) => s.stop()))
    await redis.quit()
    rmSync(dir, { recursive: true, force: true })
  })

  const upload = async (seed: number, users: number, samples: number, start: string) =>
    parseTruth(
      readFileSync(
        await simulateInto(pipeline, {
          samples,
          users,
          seed,
          invalidShare: 0.06,
          duplicateShare: 0.02,
          lateShare: 0,
          start: Date.parse(start),
        }),
        'utf8',
      ),
    )
  const drained = (validSamples: number) =>
    waitForLake({
      prefix: pipeline.prefix,
      topics: pipeline.topics,
      validSamples,
      ref: target.ref,
      timeouts: { validated: 120_000, aggregator: 90_000, lake: 90_000 },
      services: running(),
    })
  const readAll = async (engine: 'pyiceberg' | 'duckdb') => {
    const out = new Map<string, Row[]>()
    for (const table of TABLES) out.set(table, await readTable({ ...target.ref(table), engine }))
    return out
  }
  const erase = (users: readonly string[]) =>
    runErase(users, { writer: writer.port, aggregator: aggregator.port, validator: validator.port })
  const redisKeys = (users: readonly string[]) => redisKeysOf(redis, pipeline.prefix, users)

  it('leaves no row or key of the erased, every other row as it was, and takes their later samples', async (t) => {
    mkdirSync(join(dir, 'lake'))
    const first = await upload(31, 6, 4_000, '2026-01-20T00:00:00Z') // two days and more of each
    await Promise.all(running().map((s) => s.start()))
    await drained(outcomes(first).valid.length)
    const before = await readAll('pyiceberg')
    const erasedRows = (rows: readonly Row[]) => rows.filter((r) => ERASED.includes(r.user_id as string))
    for (const table of ['health_data_raw', 'health_data_daily_agg', 'health_data_errors'])
      assert.ok(erasedRows(before.get(table)!).length > 0, `${table} holds rows of the erased before`)
    assert.ok((await redisKeys(ERASED)).length > 0, 'Redis holds keys of the erased before')

    // Erase while a second upload (the other four users, weeks later) flows through the chain
    const flowing = upload(32, 4, 3_000, '2026-02-02T00:00:00Z')
    await new Promise((r) => setTimeout(r, 1_500))
    const { code, report } = await erase(ERASED)
    assert.equal(code, 0, JSON.stringify(report))
    const second = await flowing
    const lake = report.steps.find((s) => s.service === 'lake-writer')?.answer
    assert.ok(lake, JSON.stringify(report))
    // at least what was there (windows of theirs the second upload's watermark fired meanwhile too)
    for (const table of TABLES)
      assert.ok(lake.counts[table]! >= erasedRows(before.get(table)!).length, `${table}: rows deleted`)
    assert.ok(countsOf(report, 'aggregator').windows! > 0)
    assert.ok(countsOf(report, 'validator').marks! > 0)
    assert.deepEqual(lake.users, ERASED.map(sha256).sort())
    assert.doesNotMatch(JSON.stringify(report), /user-00000[56]/)

    const valid = outcomes([...first, ...second]).valid
    await drained(valid.length)
    for (const engine of ['pyiceberg', 'duckdb'] as const) {
      const now = await readAll(engine)
      for (const table of TABLES) {
        const rows = now.get(table)!
        assert.deepEqual(erasedRows(rows), [], `${engine} ${table}: no row of the erased`)
        const kept = new Set(rows.map((r) => stable(table, r)))
        const lost = before
          .get(table)!
          .filter((r) => !ERASED.includes(r.user_id as string) && !kept.has(stable(table, r)))
        assert.deepEqual(lost, [], `${engine} ${table}: every other row as it was`)
      }
      const others = valid.filter((v) => !ERASED.includes(v.userId))
      assert.deepEqual(
        checkRaw(now.get('health_data_raw')!, others),
        [],
        `${engine}: raw is the others' samples`,
      )
    }
    assert.deepEqual(await redisKeys(ERASED), [], 'no Redis key of the erased')

    // The audit: a delete snapshot per table with rows of theirs, hashed ids only
    for (const table of TABLES) {
      const audits = (await snapshots(target.ref(table)))
        .map((s) => s.summary['healthstream.erasure'])
        .filter((a) => a !== undefined)
      assert.equal(audits.length, 1, `${table}: one delete snapshot`)
      const audit = JSON.parse(audits[0]!) as Record<string, unknown>
      assert.deepEqual([audit.by, audit.users, audit.table], ['erase-test', ERASED.map(sha256).sort(), table])
      assert.doesNotMatch(audits[0]!, /user-0/)
    }

    // A later sample of an erased user is processed as any other
    const third = await upload(33, 6, 400, '2026-03-01T00:00:00Z')
    const all = outcomes([...first, ...second, ...third]).valid
    await drained(all.length)
    const raw = await readTable({ ...target.ref('health_data_raw'), engine: 'duckdb' })
    const landed = erasedRows(raw)
      .map((r) => `${r.user_id}/${r.sample_id}`)
      .sort()
    const later = outcomes(third)
      .valid.filter((v) => ERASED.includes(v.userId))
      .map((v) => `${v.userId}/${v.sampleId}`)
      .sort()
    assert.ok(later.length > 0)
    assert.deepEqual(landed, later, 'the erased users’ later samples, and only those')
    assert.ok((await redisKeys(ERASED)).length > 0, 'their later samples have state again')
    t.diagnostic(`erased ${JSON.stringify(lake.counts)}`)
  })

  it('is consistent after kill -9 of the lake-writer mid-erasure, and completes when run again', async (t) => {
    const before = await readAll('pyiceberg')
    const ofLater = (rows: readonly Row[]) => rows.filter((r) => r.user_id === LATER)
    assert.ok(ofLater(before.get('health_data_raw')!).length > 0)
    // kill -9 as soon as the first table's delete snapshot has landed (nothing else commits now)
    const pointers = () => catalogPointers(target.env.LAKE_CATALOG_URI!)
    let start = pointers()
    while (start.size < TABLES.length) start = pointers()
    const killed = writer
      .fetch('/admin/erase', {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ users: [LATER], by: 'erase-test' }),
      })
      .catch((e: unknown) => e)
    const deadline = Date.now() + 60_000
    for (;;) {
      const now = pointers()
      if (TABLES.some((t) => now.has(t) && now.get(t) !== start.get(t))) break
      assert.ok(Date.now() < deadline, 'no delete snapshot within 60 s')
      await new Promise((r) => setTimeout(r, 10))
    }
    await writer.kill9()
    await killed
    const erasedTables = async () => {
      let n = 0
      for (const table of TABLES)
        for (const s of await snapshots(target.ref(table)))
          if ((s.summary['healthstream.erasure'] ?? '').includes(sha256(LATER))) n++
      return n
    }
    const cut = await erasedTables()
    t.diagnostic(`the kill left ${cut} of ${TABLES.length} tables erased`)
    assert.ok(cut >= 1 && cut < TABLES.length, `killed mid-erasure: ${cut} tables erased`)

    // Consistent: both readers agree, and nobody else lost a row
    const py = await readAll('pyiceberg')
    const duck = await readAll('duckdb')
    for (const table of TABLES) {
      const lines = (rows: readonly Row[]) => rows.map((r) => stable(table, r)).sort()
      assert.deepEqual(lines(py.get(table)!), lines(duck.get(table)!), `${table}: pyiceberg and DuckDB agree`)
      const kept = new Set(lines(py.get(table)!))
      const lost = before.get(table)!.filter((r) => r.user_id !== LATER && !kept.has(stable(table, r)))
      assert.deepEqual(lost, [], `${table}: no other user's row lost`)
    }

    writer = pipeline.service('lake-writer', { ...CHAIN_PARTITIONS, ...target.env, COMMIT_INTERVAL: '1s' })
    await writer.start()
    const { code, report } = await erase([LATER])
    assert.equal(code, 0, JSON.stringify(report))
    const counts = countsOf(report, 'lake-writer')
    for (const engine of ['pyiceberg', 'duckdb'] as const) {
      const now = await readAll(engine)
      for (const table of TABLES) {
        assert.deepEqual(ofLater(now.get(table)!), [], `${engine} ${table}: no row of ${LATER}`)
        const kept = new Set(now.get(table)!.map((r) => stable(table, r)))
        const lost = before.get(table)!.filter((r) => r.user_id !== LATER && !kept.has(stable(table, r)))
        assert.deepEqual(lost, [], `${engine} ${table}: no other user's row lost`)
        // the second run deleted exactly what the first left
        const left = ofLater(py.get(table)!).length
        assert.equal(counts[table], left, `${table}: the re-run deleted the ${left} rows left`)
      }
    }
    assert.deepEqual(await redisKeys([LATER]), [])
    await sparkSeesNone(target.ref, [LATER], t)
    for (const s of [ingest, validator, aggregator])
      assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
  })
})
