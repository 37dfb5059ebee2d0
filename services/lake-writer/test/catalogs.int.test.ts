/**
 * The lake-writer process through the Iceberg REST fixture, on S3 (versitygw) through the SQL
 * catalog, and through the SQL catalog on PostgreSQL: every table holds exactly what was consumed,
 * as pyiceberg and DuckDB read it (DuckDB where it can open the catalog).
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import { TopicSchemas } from '@healthstream/shared/topics'
import { readTable } from '@healthstream/testkit/lake'
import { eventually, testPipeline } from '@healthstream/testkit/stack'
import { TABLES, TableNames } from '../src/committing/tables.ts'
import { errorRow, rawRow } from '../src/consuming/rows.ts'
import { readerForm, sortedBy, topicValues } from './support/expected.ts'
import { aggregate, errorRecord, validatedSample } from './support/records.ts'
import {
  drained,
  InputProducer,
  type LakeTarget,
  postgresTarget,
  restTarget,
  s3Target,
  serializers,
} from './support/stack.ts'

const def = (name: string) => TABLES.find((t) => t.name === name)!

const targets = [
  restTarget,
  () => s3Target(mkdtempSync(join(tmpdir(), 'lake-writer-s3-'))),
  () => postgresTarget(mkdtempSync(join(tmpdir(), 'lake-writer-pg-'))),
]
for (const make of targets) {
  const target: LakeTarget = make()
  describe(`the lake-writer on a ${target.label}`, { timeout: 110_000 }, () => {
    const pipeline = testPipeline('lake-cat')
    const writer = pipeline.service('lake-writer', { ...target.env, COMMIT_INTERVAL: '300ms' })
    const producer = new InputProducer()
    after(async () => {
      await producer.close()
      await writer.stop()
    })

    it('holds exactly the samples, dead letters and newest window results, read by pyiceberg and DuckDB', async () => {
      await writer.start()
      const ser = await serializers(pipeline.topics)
      const send = (topic: 'validated' | 'aggregates' | 'errors', values: { userId: string | null }[]) =>
        producer.send(
          pipeline.topics[topic],
          values.map((v) => ({ key: v.userId ?? 'none', value: ser[topic].serialize(v) })),
        )
      await send(
        'validated',
        Array.from({ length: 400 }, (_, i) => validatedSample(i)),
      )
      await send(
        'errors',
        Array.from({ length: 20 }, (_, i) => errorRecord(i)),
      )
      await send('aggregates', [aggregate('a', 0, 1), aggregate('b', 0, 1), aggregate('a', 0, 1, 'monthly')])
      await send('aggregates', [aggregate('a', 0, 2), aggregate('a', 0, 2, 'monthly')])
      for (const [table, topic] of [
        [TableNames.raw, 'validated'],
        [TableNames.errors, 'errors'],
        [TableNames.daily, 'aggregates'],
      ] as const) {
        await eventually(`${table} to hold all of ${topic}`, () =>
          drained(target, table, pipeline.topics[topic]).catch(() => false),
        )
      }

      const samples = await topicValues<ValidatedSample>(pipeline.topics.validated, TopicSchemas.validated)
      const wantRaw = sortedBy(
        samples.map((s) => readerForm(def(TableNames.raw), rawRow(s.value, s.at))),
        'sample_id',
      )
      for (const engine of target.engines) {
        const got = await readTable({ ...target.ref(TableNames.raw), engine, sort: ['sample_id'] })
        assert.deepEqual(sortedBy(got, 'sample_id'), wantRaw, `${engine} reads every sample as written`)
      }
      const errors = await topicValues<ErrorRecord>(pipeline.topics.errors, TopicSchemas.errors)
      const wantErrors = errors.map((e) => readerForm(def(TableNames.errors), errorRow(e.value, e.at)))
      const gotErrors = await readTable({ ...target.ref(TableNames.errors), sort: ['error_id'] })
      assert.deepEqual(sortedBy(gotErrors, 'error_id'), sortedBy(wantErrors, 'error_id'))
      const revisions = async (table: string) =>
        (await readTable({ ...target.ref(table), sort: ['user_id'] })).map((r) => [
          r.user_id,
          r.revision,
          r.count,
        ])
      assert.deepEqual(await revisions(TableNames.daily), [
        ['a', 2, 20],
        ['b', 1, 10],
      ])
      assert.deepEqual(await revisions(TableNames.monthly), [['a', 2, 20]])
      assert.deepEqual(await revisions(TableNames.weekly), [])
    })
  })
}
