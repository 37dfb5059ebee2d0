/**
 * The exactly-once hop against the real broker: processes are killed with SIGKILL in the middle of a
 * transaction and restarted with the same group and transactional id, instances join and leave, and a
 * read_committed reader of the output must still find every input exactly once.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { committedOffsets, endpoint, nextOffsets, uniqueName } from '@healthstream/testkit/stack'
import type { KafkaConnectionConfig, OutputRecord } from '../../src/kafka/index.ts'
import {
  createAdmin,
  createTransactionalPorts,
  createTransactionalProducer,
  ensureTopics,
  KafkaErrorCode,
  type LoopEvent,
  readCommittedTopic,
  TransactionalLoop,
} from '../../src/kafka/index.ts'
import type { CopyLoopConfig } from './fixtures/copy.ts'
import { copy } from './fixtures/copy.ts'

interface After {
  after(fn: () => unknown): void
}

const FIXTURE = fileURLToPath(new URL('./fixtures/copy-loop.ts', import.meta.url))

interface Setup extends CopyLoopConfig {
  readonly connection: KafkaConnectionConfig
  readonly count: number
  /** Cleanups run last-registered first, so loops stop before their topics are deleted. */
  readonly cleanup: (fn: () => unknown) => void
}

/** Fresh input and output topics (4 partitions), `count` keyed inputs, a group and a transactional id. */
async function setUp(t: After, count: number): Promise<Setup> {
  const brokers = endpoint('KAFKA_BROKERS').split(',')
  const connection = { bootstrapBrokers: brokers, clientId: uniqueName('loop-int') }
  const input = uniqueName('loop-in')
  const output = uniqueName('loop-out')
  const cleanups: (() => unknown)[] = []
  t.after(async () => {
    for (const fn of cleanups.reverse()) await fn()
  })
  const admin = createAdmin(connection)
  cleanups.push(async () => {
    await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined)
    await admin.close()
  })
  await ensureTopics(admin, [
    { topic: input, partitions: 4 },
    { topic: output, partitions: 4 },
  ])
  await produceInputs(connection, input, count)
  const groupId = uniqueName('loop-group')
  return {
    connection,
    count,
    cleanup: (fn) => {
      cleanups.push(fn)
    },
    brokers,
    input,
    output,
    groupId,
    transactionalId: `${groupId}-0`,
    maxBatchRecords: 150,
  }
}

async function produceInputs(connection: KafkaConnectionConfig, topic: string, count: number): Promise<void> {
  const producer = createTransactionalProducer({ ...connection, transactionalId: uniqueName('loop-seed') })
  try {
    const messages: OutputRecord[] = []
    for (let i = 0; i < count; i++) {
      const headers = new Map([['traceparent', Buffer.from(`00-${i}-01`)]])
      messages.push({ topic, key: Buffer.from(`user-${i % 13}`), value: Buffer.from(`msg-${i}`), headers })
    }
    const txn = await producer.beginTransaction()
    await txn.send({
      messages: messages.map((m) => ({
        topic: m.topic,
        key: m.key ?? undefined,
        value: m.value ?? undefined,
        headers: new Map([...(m.headers ?? [])].map(([k, v]) => [Buffer.from(k), v])),
      })),
    })
    await txn.commit()
  } finally {
    await producer.close()
  }
}

/** Runs the fixture process until it kills itself; resolves with the signal it died of. */
function runUntilCrash(setup: Setup, crash: Partial<CopyLoopConfig>): Promise<NodeJS.Signals | null> {
  const { connection: _, count: __, cleanup: ___, ...config } = setup
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, COPY_LOOP: JSON.stringify({ ...config, ...crash }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout.resume()
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) =>
    child.once('exit', (_code, signal) => {
      clearTimeout(timer)
      resolve(signal)
    }),
  )
}

/** An in-process loop over the setup, stopped (gracefully) after the test. */
function startLoop(
  setup: Setup,
  transactionalId = setup.transactionalId,
  onEvent?: (event: LoopEvent) => void,
): TransactionalLoop {
  const ports = createTransactionalPorts({
    ...setup.connection,
    groupId: setup.groupId,
    transactionalId,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
  })
  const loop = new TransactionalLoop({
    ...ports,
    inputTopics: [setup.input],
    transform: copy(setup.output),
    maxBatchRecords: setup.maxBatchRecords,
    onEvent,
  })
  const done = loop.run()
  done.catch((error: unknown) => failures.set(loop, error))
  setup.cleanup(() => loop.stop())
  return loop
}

/** Why a loop started by `startLoop` ended by itself, for the waits to report instead of timing out. */
const failures = new Map<TransactionalLoop, unknown>()

/** Waits until the output holds `count` committed records (it may briefly hold fewer, never more). */
async function outputOnceComplete(setup: Setup, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = await readCommittedTopic(setup.connection, setup.output)
    if (records.length >= setup.count || Date.now() > deadline) return records
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Every input value exactly once, transformed, with the tracing header carried over. */
function assertExactlyOnce(setup: Setup, records: Awaited<ReturnType<typeof readCommittedTopic>>): void {
  const values = records.map((r) => r.value?.toString() ?? '')
  const duplicates = values.filter((v, i) => values.indexOf(v) !== i)
  assert.deepEqual(duplicates.slice(0, 5), [], 'no output record is duplicated')
  const expected = Array.from({ length: setup.count }, (_, i) => `msg-${i}|copied`).sort()
  assert.deepEqual([...values].sort(), expected, 'every input is in the output')
  for (const record of records) {
    const i = record.value?.toString().slice(4, -7)
    assert.equal(record.headers.get('traceparent')?.toString(), `00-${i}-01`)
  }
}

test("commits every partition's next offset in the transaction, several partitions at a time", async (t) => {
  const setup = await setUp(t, 1000)
  const partitionsPerCommit: number[] = []
  const loop = startLoop(setup, setup.transactionalId, (event) => {
    if (event.type === 'committed') partitionsPerCommit.push(event.offsets.length)
  })
  await outputOnceComplete(setup)
  await waitFor(() => loop.stats.recordsIn === setup.count, 'the loop consumed every input')
  const ends = nextOffsets(await readCommittedTopic(setup.connection, setup.input))
  assert.equal(ends.size, 4, 'the inputs span the four partitions')
  assert.ok(
    partitionsPerCommit.some((n) => n > 1),
    `some transaction carried several partitions' offsets: ${partitionsPerCommit}`,
  )
  const show = (m: Map<number, bigint>) => JSON.stringify([...m].sort().map(([p, o]) => [p, String(o)]))
  assert.equal(show(await committedOffsets(setup.groupId, setup.input)), show(ends))
})

test('a loop killed between produce and commit, then killed again after a commit, ends with each record once', async (t) => {
  const setup = await setUp(t, 3000)

  assert.equal(await runUntilCrash(setup, { crashAfterProduced: 4 }), 'SIGKILL')
  const afterFirstCrash = await readCommittedTopic(setup.connection, setup.output)
  assert.ok(afterFirstCrash.length < setup.count, 'the first process died before finishing')
  assert.equal(await runUntilCrash(setup, { crashAfterCommitted: 3 }), 'SIGKILL')

  const loop = startLoop(setup)
  const records = await outputOnceComplete(setup)
  assertExactlyOnce(setup, records)
  assert.ok(loop.stats.recordsIn > 0 && loop.stats.recordsIn < setup.count, 'the restart resumed mid-way')
})

test('two instances that join and leave one group write each record once', async (t) => {
  const setup = await setUp(t, 3000)
  const first = startLoop(setup, `${setup.groupId}-a`)
  await waitFor(() => first.stats.transactionsCommitted >= 2, 'the first instance commits')

  const second = startLoop(setup, `${setup.groupId}-b`)
  // The second's join rebalances the first even when the first already read everything (seen in CI)
  await waitFor(
    () => first.stats.rebalances >= 1,
    () => `the first instance to see the second join (second: ${JSON.stringify(second.stats, bigints)})`,
  )
  await second.stop() // leaves the group: a second rebalance hands everything back to the first

  const records = await outputOnceComplete(setup)
  assertExactlyOnce(setup, records)
  assert.equal(first.stats.recordsIn + second.stats.recordsIn, setup.count)
  assert.ok(first.stats.rebalances >= 1, 'the first instance saw a rebalance')
})

test('a loop whose transactional id is taken over by another producer stops as fenced', async (t) => {
  const setup = await setUp(t, 200)
  const ports = createTransactionalPorts({
    ...setup.connection,
    groupId: setup.groupId,
    transactionalId: setup.transactionalId,
  })
  let release: (() => void) | undefined
  const loop = new TransactionalLoop({
    ...ports,
    inputTopics: [setup.input],
    transform: async (records) => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return copy(setup.output)(records)
    },
  })
  const done = loop.run()
  setup.cleanup(() => loop.stop())
  await waitFor(() => release !== undefined, 'a batch in the transform')

  const successor = createTransactionalPorts({
    ...setup.connection,
    groupId: uniqueName('other'),
    transactionalId: setup.transactionalId,
  })
  setup.cleanup(() => successor.producer.close())
  setup.cleanup(() => successor.consumer.close())
  await successor.producer.init()
  release?.()

  await assert.rejects(done, (error: { code?: string }) => error.code === KafkaErrorCode.PRODUCER_FENCED)
  assert.deepEqual(await readCommittedTopic(setup.connection, setup.output), [])
})

const bigints = (_: string, value: unknown) => (typeof value === 'bigint' ? String(value) : value)

async function waitFor(
  condition: () => boolean,
  describe: string | (() => string),
  timeoutMs = 60_000,
): Promise<void> {
  const what = (): string => (typeof describe === 'string' ? describe : describe())
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    for (const [, error] of failures)
      throw new Error(`a loop failed while waiting for ${what()}`, { cause: error })
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
