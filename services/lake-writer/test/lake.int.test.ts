/**
 * The lake-writer process on the local stack (SQL catalog on a SQLite file, warehouse in a local
 * directory), read back by pyiceberg and DuckDB: exact values, upserts of window results, and
 * table maintenance through the admin endpoints.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import { TopicSchemas } from '@healthstream/shared/topics'
import { readTable, snapshotSummary, tableFiles } from '@healthstream/testkit/lake'
import { eventually, TEST_ADMIN_TOKEN, testPipeline } from '@healthstream/testkit/stack'
import { SummaryKeys } from '../src/committing/offsets.ts'
import { TABLES, TableNames } from '../src/committing/tables.ts'
import { aggregateRow, errorRow, rawRow } from '../src/consuming/rows.ts'
import { readerForm, sortedBy, topicValues } from './support/expected.ts'
import { aggregate, errorRecord, validatedSample } from './support/records.ts'
import { drained, InputProducer, localTarget, serializers } from './support/stack.ts'

const def = (name: string) => TABLES.find((t) => t.name === name)!
const WITHOUT_KAFKA = ({ kafka_partition: _p, kafka_offset: _o, ...rest }: Record<string, unknown>) => rest

describe('the lake-writer on a SQL catalog and a local directory', { timeout: 110_000 }, () => {
  const target = localTarget(mkdtempSync(join(tmpdir(), 'lake-writer-it-')))
  const pipeline = testPipeline('lake')
  const writer = pipeline.service('lake-writer', { ...target.env, COMMIT_INTERVAL: '300ms' })
  const producer = new InputProducer()
  let ser: Awaited<ReturnType<typeof serializers>>
  const admin = (path: string) =>
    writer.fetch(`/admin/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    })
  const send = (topic: 'validated' | 'aggregates' | 'errors', values: { userId: string | null }[]) =>
    producer.send(
      pipeline.topics[topic],
      values.map((v) => ({ key: v.userId ?? 'none', value: ser[topic].serialize(v) })),
    )
  const settle = (table: string, topic: 'validated' | 'aggregates' | 'errors') =>
    eventually(`${table} to hold all of ${topic}`, () =>
      drained(target, table, pipeline.topics[topic]).catch(() => false),
    )

  before(async () => {
    await writer.start()
    ser = await serializers(pipeline.topics)
  })
  after(async () => {
    await producer.close()
    await writer.stop()
  })

  it('writes exactly the samples and dead letters it consumed, as pyiceberg and DuckDB read them', async () => {
    for (let round = 0; round < 3; round++) {
      await send(
        'validated',
        Array.from({ length: 500 }, (_, i) => validatedSample(round * 500 + i)),
      )
      await settle(TableNames.raw, 'validated')
    }
    await send(
      'errors',
      Array.from({ length: 40 }, (_, i) => errorRecord(i)),
    )
    await settle(TableNames.errors, 'errors')

    const samples = await topicValues<ValidatedSample>(pipeline.topics.validated, TopicSchemas.validated)
    const wantRaw = sortedBy(
      samples.map((s) => readerForm(def(TableNames.raw), rawRow(s.value, s.at))),
      'sample_id',
    )
    for (const engine of ['pyiceberg', 'duckdb'] as const) {
      const got = await readTable({ ...target.ref(TableNames.raw), engine, sort: ['sample_id'] })
      assert.equal(got.length, 1500, engine)
      assert.deepEqual(sortedBy(got, 'sample_id'), wantRaw, `${engine} reads every value as written`)
    }
    const errors = await topicValues<ErrorRecord>(pipeline.topics.errors, TopicSchemas.errors)
    const wantErrors = sortedBy(
      errors.map((e) => readerForm(def(TableNames.errors), errorRow(e.value, e.at))),
      'error_id',
    )
    const gotErrors = await readTable({ ...target.ref(TableNames.errors), sort: ['error_id'] })
    assert.deepEqual(sortedBy(gotErrors, 'error_id'), wantErrors)
  })

  it('keeps one row per window, its newest revision, however late the revisions come', async () => {
    const users = ['a', 'b', 'c', 'd', 'e']
    const first = users.flatMap((u) => [0, 1].map((day) => aggregate(u, day, 1)))
    await send('aggregates', [...first, aggregate('a', 0, 1, 'weekly'), aggregate('a', 0, 1, 'monthly')])
    await settle(TableNames.daily, 'aggregates')
    // Later revisions for some windows, a new window, and a stale revision 1 arriving after revision 3
    await send('aggregates', [
      aggregate('a', 0, 2),
      aggregate('b', 1, 2),
      aggregate('a', 0, 3),
      aggregate('f', 0, 1),
    ])
    await send('aggregates', [aggregate('a', 0, 1), aggregate('a', 0, 2, 'weekly')])
    await settle(TableNames.daily, 'aggregates')

    const newest = new Map(first.map((a) => [`${a.userId}/${a.windowStart}`, a]))
    for (const a of [aggregate('a', 0, 3), aggregate('b', 1, 2), aggregate('f', 0, 1)])
      newest.set(`${a.userId}/${a.windowStart}`, a)
    const at = { partition: 0, offset: 0n }
    const want = sortedBy(
      [...newest.values()].map((a) => WITHOUT_KAFKA(readerForm(def(TableNames.daily), aggregateRow(a, at)))),
      'user_id',
      'window_start',
    )
    const got = await readTable({ ...target.ref(TableNames.daily), sort: ['user_id', 'window_start'] })
    assert.deepEqual(sortedBy(got.map(WITHOUT_KAFKA), 'user_id', 'window_start'), want)
    const weekly = await readTable(target.ref(TableNames.weekly))
    assert.deepEqual(
      weekly.map((r) => [r.user_id, r.revision]),
      [['a', 2]],
    )
    assert.equal((await snapshotSummary(target.ref(TableNames.daily)))?.operation, 'overwrite')
  })

  it('reads the same rows after compaction and snapshot expiry, and the replaced files are gone', async () => {
    const ref = target.ref(TableNames.raw)
    const rowsBefore = await readTable({ ...ref, sort: ['sample_id'] })
    const filesBefore = await tableFiles(ref)
    const offsetsBefore = (await snapshotSummary(ref))?.summary[SummaryKeys.offsets]
    const compacted = (await (await admin(`compact/${TableNames.raw}`)).json()) as { rewrittenFiles: number }
    assert.ok(compacted.rewrittenFiles > 1, 'small files were rewritten')
    const expired = await admin(`expire-snapshots/${TableNames.raw}?olderThanMs=0&retainLast=1`)
    assert.equal(expired.status, 200)

    assert.deepEqual(await readTable({ ...ref, sort: ['sample_id'] }), rowsBefore)
    const filesAfter = await tableFiles(ref)
    assert.ok(
      filesAfter.length < filesBefore.length,
      `${filesBefore.length} files became ${filesAfter.length}`,
    )
    const kept = new Set(filesAfter.map((f) => f.path))
    const gone = filesBefore.filter((f) => !kept.has(f.path))
    assert.ok(gone.length > 0)
    assert.deepEqual(
      gone.filter((f) => existsSync(fileURLToPath(f.path))),
      [],
      'replaced files are deleted',
    )
    const summary = await snapshotSummary(ref)
    assert.equal(summary?.operation, 'replace')
    assert.equal(summary?.summary[SummaryKeys.offsets], offsetsBefore, 'the offsets survive maintenance')

    // and the writer goes on from them: new samples land once, old ones are not written again
    await send(
      'validated',
      Array.from({ length: 100 }, (_, i) => validatedSample(10_000 + i)),
    )
    await settle(TableNames.raw, 'validated')
    const ids = (await readTable(ref)).map((r) => r.sample_id)
    assert.equal(ids.length, 1600)
    assert.equal(new Set(ids).size, 1600)
  })
})
