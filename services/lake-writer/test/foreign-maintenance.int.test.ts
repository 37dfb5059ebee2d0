/**
 * Other engines maintaining our tables while the lake-writer writes them (issue #12): Spark's
 * rewrite_data_files, expire_snapshots(retain_last => 1), rewrite_manifests and remove_orphan_files,
 * pyiceberg's own append, and rewrite + expiry combined, each while data flows, then more data, and
 * each once more followed by a kill -9 of the writer. After every step each valid sample is in
 * health_data_raw exactly once, the aggregate tables hold one row per window at its newest revision,
 * and the errors table one row per dead letter. At the end Spark, pyiceberg and DuckDB read the same
 * rows from all five tables.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  appendCopies,
  type Row,
  type Spark,
  type SparkSession,
  startSpark,
  tableFiles,
} from '@healthstream/testkit/lake'
import { eventually, testPipeline } from '@healthstream/testkit/stack'
import { TableNames } from '../src/committing/tables.ts'
import { engineDigests, type Invariants, lakeInvariants } from './support/foreign.ts'
import { poisonFrom } from './support/poison.ts'
import { aggregate, errorRecord, validatedSample } from './support/records.ts'
import {
  drained,
  InputProducer,
  type LakeTarget,
  localTarget,
  restTarget,
  serializers,
} from './support/stack.ts'

/** A maintenance step another engine runs on a table; resolves to how much it did (files, manifests). */
interface Step {
  readonly name: string
  run(spark: SparkSession, target: LakeTarget, table: string): Promise<number>
}

/**
 * Spark refuses a rewrite that conflicts with one of our commits (it validates, as it must); a user
 * runs it again. So does this, a few times: the data stops flowing soon.
 */
const CONFLICT = /ValidationException|CommitFailedException|conflicted with another concurrent/

const call =
  (procedure: string, work: (row: Row) => number, args: () => string = () => '') =>
  async (spark: SparkSession, target: LakeTarget, table: string): Promise<number> => {
    const { namespace } = target.ref(table)
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await spark.sql(
          `CALL ${spark.catalog}.system.${procedure}(table => '${namespace}.${table}'${args()})`,
        )
        return rows.reduce((n, r) => n + work(r), 0)
      } catch (error) {
        if (attempt >= 8 || !CONFLICT.test((error as Error).message)) throw error
        await new Promise((r) => setTimeout(r, 1000))
      }
    }
  }
const count = (column: string) => (row: Row) => Number(row[column])
/** A Spark timestamp literal `secondsAgo` before now (procedure arguments must be literals). */
const ago = (secondsAgo: number) => `TIMESTAMP '${new Date(Date.now() - secondsAgo * 1000).toISOString()}'`
const DAY_S = 86_400

const rewrite: Step = {
  name: 'Spark rewrite_data_files',
  run: call(
    'rewrite_data_files',
    count('rewritten_data_files_count'),
    () => ", options => map('min-input-files', '2')",
  ),
}
const expire: Step = {
  name: 'Spark expire_snapshots(retain_last => 1)',
  run: call(
    'expire_snapshots',
    count('deleted_manifest_lists_count'),
    () => `, older_than => ${ago(0)}, retain_last => 1`,
  ),
}

/**
 * Spark's remove_orphan_files refuses thresholds under 24 hours (files of commits in flight would go).
 * So the table's live data files are made two days old, and an orphan of that age is put beside them:
 * the procedure must remove the orphan and nothing the table uses. Files the writer writes meanwhile
 * are new, as in life.
 */
const removeOrphans: Step = {
  name: 'Spark remove_orphan_files',
  run: async (spark, target, table) => {
    const old = new Date(Date.now() - 2 * DAY_S * 1000)
    const live = (await tableFiles(target.ref(table))).map((f) => fileURLToPath(f.path))
    const orphan = join(dirname(live[0]!), `orphan-${randomUUID()}.parquet`)
    writeFileSync(orphan, 'not referenced by any snapshot')
    for (const file of [...live, orphan]) utimesSync(file, old, old)
    const removed = await call(
      'remove_orphan_files',
      () => 1,
      () => `, older_than => ${ago(DAY_S + 3600)}`,
    )(spark, target, table)
    assert.equal(existsSync(orphan), false, 'the orphan is gone')
    return removed
  },
}

const STEPS: readonly Step[] = [
  rewrite,
  expire,
  { name: 'Spark rewrite_manifests', run: call('rewrite_manifests', count('rewritten_manifests_count')) },
  removeOrphans,
  {
    name: "pyiceberg's own append",
    run: async (_s, target, table) => {
      const mark =
        table === TableNames.raw ? 'sample_id' : table === TableNames.errors ? 'error_id' : 'user_id'
      await appendCopies(target.ref(table), 2, mark)
      return 2
    },
  },
  {
    name: 'Spark rewrite_data_files and expire_snapshots combined',
    run: async (spark, target, table) =>
      (await rewrite.run(spark, target, table)) + (await expire.run(spark, target, table)),
  },
]

const AGG_TABLE = { daily: TableNames.daily, weekly: TableNames.weekly, monthly: TableNames.monthly } as const

/** The tables each step maintains: an append table, an upsert table, the table several topics feed. */
const MAINTAINED = [TableNames.raw, TableNames.daily, TableNames.errors]

function scenario(label: string, makeTarget: () => LakeTarget, steps: readonly Step[]) {
  describe(`other engines maintaining the tables while the lake-writer writes (${label})`, {
    timeout: 900_000,
  }, () => {
    const target = makeTarget()
    const pipeline = testPipeline('lake-foreign')
    const writer = pipeline.service('lake-writer', { ...target.env, COMMIT_INTERVAL: '500ms' })
    const producer = new InputProducer()
    let jvm: Spark | undefined
    let spark: SparkSession
    let ser: Awaited<ReturnType<typeof serializers>>
    const expected: Invariants = { samples: new Set(), windows: new Map(), deadLetters: 0 }
    let round = 0

    /** One round of input: samples, window revisions (new windows and newer revisions of old ones), dead letters. */
    const sendRound = async (): Promise<void> => {
      const r = round++
      const samples = Array.from({ length: 60 }, (_, i) => validatedSample(r * 60 + i))
      for (const s of samples) expected.samples.add(s.sampleId)
      // Each round revises the windows of an earlier one and opens new ones, in all three tables
      const windows = (['daily', 'weekly', 'monthly'] as const).flatMap((granularity) =>
        Array.from({ length: 4 }, (_, i) => {
          const w = aggregate(`u${i}`, r % 3, 1, granularity)
          const key = `${AGG_TABLE[granularity]}|${w.userId}|${w.windowStart}`
          const revision = (expected.windows.get(key) ?? 0) + 1
          expected.windows.set(key, revision)
          return aggregate(`u${i}`, r % 3, revision, granularity)
        }),
      )
      const errors = Array.from({ length: 4 }, (_, i) => errorRecord(r * 4 + i))
      const [poison] = poisonFrom(ser.validated.serialize(samples[0]!))
      expected.deadLetters += errors.length + 1
      await Promise.all([
        producer.send(pipeline.topics.validated, [
          ...samples.map((s) => ({ key: s.userId, value: ser.validated.serialize(s) })),
          { key: `poison-${r}`, value: poison!.value },
        ]),
        producer.send(
          pipeline.topics.aggregates,
          windows.map((w) => ({ key: w.userId, value: ser.aggregates.serialize(w) })),
        ),
        producer.send(
          pipeline.topics.errors,
          errors.map((e) => ({ key: e.userId ?? 'none', value: ser.errors.serialize(e) })),
        ),
      ])
    }

    const settled = () =>
      eventually(
        'the tables to record every topic to its end',
        async () =>
          (
            await Promise.all([
              drained(target, TableNames.raw, pipeline.topics.validated),
              drained(target, TableNames.daily, pipeline.topics.aggregates),
              drained(target, TableNames.errors, pipeline.topics.errors),
              drained(target, TableNames.errors, pipeline.topics.validated),
              drained(target, TableNames.errors, pipeline.topics.aggregates),
              drained(target, TableNames.monthly, pipeline.topics.aggregates),
            ]).catch(() => [false])
          ).every(Boolean),
        90_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the writer's last lines:\n${writer.lines.slice(-15).join('\n')}`)
      })

    before(async () => {
      const starting = startSpark()
      await writer.start()
      jvm = await starting
      spark = await jvm.open(target.ref(TableNames.raw)) // once the writer made the catalog
      ser = await serializers(pipeline.topics)
      await sendRound()
      await settled()
    })
    after(async () => {
      await producer.close()
      await writer.stop()
      await jvm?.close()
    })

    for (const step of steps) {
      for (const kill of [false, true]) {
        it(`keeps every row exactly once after ${step.name}${kill ? ', the writer killed -9 right after' : ' while data flows'}`, async () => {
          const flowing = sendRound()
          let done = 0
          for (const table of MAINTAINED) done += await step.run(spark, target, table)
          await flowing
          assert.ok(done > 0, `${step.name} changed nothing`)
          if (kill) {
            await writer.kill9()
            await writer.start()
          }
          await sendRound()
          await settled()
          await lakeInvariants(target, expected)
          assert.deepEqual(writer.unexpectedExits, [])
        })
      }
    }

    it('is read alike by Spark, pyiceberg and DuckDB, all five tables', async () => {
      const digests = await engineDigests(target, spark, Object.values(TableNames))
      for (const [table, byEngine] of digests) {
        const [first, ...rest] = [...byEngine.values()]
        for (const d of rest)
          assert.deepEqual(d, first, `${table}: ${[...byEngine.keys()].join(', ')} disagree`)
        assert.ok(first!.count > 0, `${table} has rows`)
      }
    })
  })
}

scenario(
  'SQL catalog on SQLite, local directory',
  () => localTarget(mkdtempSync(join(tmpdir(), 'lake-foreign-'))),
  STEPS,
)
scenario('REST catalog', restTarget, [STEPS.at(-1)!])
