/**
 * Exactly once under crashes: the lake-writer is killed with SIGKILL again and again while samples
 * flow (commits every few hundred rows; some kills wait for a data file to appear, so most of those
 * land between writing files and committing them), and two writers share the partitions and the tables;
 * pyiceberg then reads every sample exactly once, with its values.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync } from 'node:fs'
import { watch } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { ValidatedSample } from '@healthstream/shared/domain'
import { TopicSchemas } from '@healthstream/shared/topics'
import { readTable, snapshots, tableFiles } from '@healthstream/testkit/lake'
import { eventually, type ServiceProcess, testPipeline } from '@healthstream/testkit/stack'
import { TABLES, TableNames } from '../src/committing/tables.ts'
import { rawRow } from '../src/consuming/rows.ts'
import { readerForm, sortedBy, topicValues } from './support/expected.ts'
import { validatedSample } from './support/records.ts'
import { drained, InputProducer, type LakeTarget, localTarget, serializers } from './support/stack.ts'

const KILLS = Number(process.env.LAKE_CRASH_KILLS ?? 10)
const FAST_COMMITS = { COMMIT_INTERVAL: '200ms', COMMIT_MAX_ROWS: '300', LOG_LEVEL: 'debug' }

/** Deterministic pauses, so a failing run can be repeated. */
function pauses(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state % 400
  }
}

/** Sends samples from `next` on, in small chunks, until stopped; resolves to how many it sent. */
function flow(send: (from: number, to: number) => Promise<void>, chunk: number, everyMs: number) {
  let stopped = false
  let sent = 0
  const done = (async () => {
    while (!stopped) {
      await send(sent, sent + chunk)
      sent += chunk
      await sleep(everyMs)
    }
    return sent
  })()
  return {
    stop: () => {
      stopped = true
      return done
    },
  }
}

const commits = (p: ServiceProcess): number => p.lines.filter((l) => l.includes('"msg":"committed"')).length

/** Resolves when a Parquet file appears under `dir` (the writer links a data file in once it is whole). */
async function aDataFileAppears(dir: string, timeoutMs: number): Promise<void> {
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(), timeoutMs)
  try {
    for await (const e of watch(dir, { recursive: true, signal: stop.signal }))
      if (e.filename?.endsWith('.parquet')) return
  } catch (error) {
    if (stop.signal.aborted) throw new Error(`no data file appeared under ${dir} in ${timeoutMs} ms`)
    throw error
  } finally {
    clearTimeout(timer)
    stop.abort()
  }
}

/** Every Parquet file under a directory (an append-only table references all it committed). */
function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => join(dir, f))
}

async function assertEverySampleOnce(target: LakeTarget, topic: string): Promise<number> {
  const samples = await topicValues<ValidatedSample>(topic, TopicSchemas.validated)
  const def = TABLES.find((t) => t.name === TableNames.raw)!
  const want = sortedBy(
    samples.map((s) => readerForm(def, rawRow(s.value, s.at))),
    'sample_id',
  )
  const got = sortedBy(await readTable({ ...target.ref(TableNames.raw), sort: ['sample_id'] }), 'sample_id')
  const ids = got.map((r) => r.sample_id)
  assert.equal(new Set(ids).size, ids.length, 'no sample twice')
  assert.equal(got.length, want.length, 'no sample missing')
  assert.deepEqual(got, want, 'every sample with its values and Kafka coordinates')
  return got.length
}

describe('exactly once under kill -9 of the lake-writer', { timeout: 170_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lake-writer-crash-'))
  const target = localTarget(dir)
  const pipeline = testPipeline('lake-crash')
  const writer = pipeline.service('lake-writer', { ...target.env, ...FAST_COMMITS })
  const producer = new InputProducer()
  after(async () => {
    await producer.close()
    await writer.stop()
  })

  it(`holds every validated sample exactly once after ${KILLS} kills, at random moments and mid-commit, while data flows`, async () => {
    await writer.start()
    const ser = await serializers(pipeline.topics)
    const send = (from: number, to: number) =>
      producer.send(
        pipeline.topics.validated,
        Array.from({ length: to - from }, (_, i) => validatedSample(from + i, 40)).map((s) => ({
          key: s.userId,
          value: ser.validated.serialize(s),
        })),
      )
    const data = flow(send, 150, 250)
    const pause = pauses(7)
    for (let kill = 0; kill < KILLS; kill++) {
      if (kill % 3 === 0) {
        // amid the commits that follow a restart (the backlog is committed COMMIT_MAX_ROWS at a time)
        const before = commits(writer)
        await eventually('a commit after the restart', async () => commits(writer) > before, 30_000)
        await sleep(pause())
      } else if (kill % 3 === 1)
        await sleep(200 + 3 * pause()) // anywhere: loading tables, joining the group, resyncing, committing
      else await aDataFileAppears(join(dir, 'warehouse'), 30_000) // before the snapshot that would hold it
      await writer.kill9()
      await writer.start()
    }
    const sent = await data.stop()
    await eventually('the table to hold the whole topic', () =>
      drained(target, TableNames.raw, pipeline.topics.validated).catch(() => false),
    )
    const rows = await assertEverySampleOnce(target, pipeline.topics.validated)
    assert.equal(rows, sent)
    const referenced = new Set(
      (await tableFiles(target.ref(TableNames.raw))).map((f) => fileURLToPath(f.path)),
    )
    const orphans = parquetFiles(join(dir, 'warehouse')).filter(
      (f) => f.includes(`/${TableNames.raw}/`) && !referenced.has(f),
    )
    const history = await snapshots(target.ref(TableNames.raw))
    console.log(
      `# ${KILLS} kills, ${sent} samples, ${history.length} snapshots, ${orphans.length} data files left by kills mid-commit`,
    )
    assert.ok(orphans.length > 0, 'at least one kill landed between writing data files and committing them')
  })
})

describe('two lake-writers on the same tables', { timeout: 120_000 }, () => {
  const target = localTarget(mkdtempSync(join(tmpdir(), 'lake-writer-two-')))
  const pipeline = testPipeline('lake-two')
  const writers = [1, 2].map((n) =>
    pipeline.service('lake-writer', { ...target.env, ...FAST_COMMITS, INSTANCE_ID: `lake-writer-${n}` }),
  )
  const producer = new InputProducer()
  after(async () => {
    await producer.close()
    for (const w of writers) await w.stop()
  })

  it("lose neither each other's rows nor offsets, even when one of them is killed", async () => {
    for (const w of writers) await w.start()
    const ser = await serializers(pipeline.topics)
    const send = (from: number, to: number) =>
      producer.send(
        pipeline.topics.validated,
        Array.from({ length: to - from }, (_, i) => validatedSample(from + i, 40)).map((s) => ({
          key: s.userId,
          value: ser.validated.serialize(s),
        })),
      )
    const data = flow(send, 300, 100)
    await eventually('both writers to commit', async () => writers.every((w) => commits(w) > 2), 30_000)
    await sleep(1000)
    await writers[0]!.kill9()
    await sleep(1000)
    await writers[0]!.start()
    await eventually('both writers to commit again', async () => writers.every((w) => commits(w) > 6), 30_000)
    const sent = await data.stop()
    await eventually('the table to hold the whole topic', () =>
      drained(target, TableNames.raw, pipeline.topics.validated).catch(() => false),
    )
    assert.equal(await assertEverySampleOnce(target, pipeline.topics.validated), sent)
    const writersInHistory = new Set(
      (await snapshots(target.ref(TableNames.raw))).map((s) => s.summary['healthstream.writer']),
    )
    assert.deepEqual(
      [...writersInHistory].sort(),
      ['lake-writer-lake-writer-1', 'lake-writer-lake-writer-2'],
      'both wrote snapshots',
    )
  })
})
