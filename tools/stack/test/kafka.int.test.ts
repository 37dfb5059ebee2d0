/** Integration test against the stack's real Kafka (`npm run stack -- up kafka`): transactions work. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ConsumedRecord, KafkaConnectionConfig } from '@healthstream/shared/kafka'
import {
  createAdmin,
  createTransactionalProducer,
  ensureTopics,
  readCommittedTopic,
} from '@healthstream/shared/kafka'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import type { Admin, Producer } from '@platformatic/kafka'
import { newClusterId } from '../servers/kafka.ts'

interface After {
  after(fn: () => unknown): void
}

function connection(): KafkaConnectionConfig {
  return { bootstrapBrokers: endpoint('KAFKA_BROKERS').split(','), clientId: uniqueName('stack-test') }
}

async function topicFor(t: After, config: KafkaConnectionConfig, partitions = 1): Promise<string> {
  const admin: Admin = createAdmin(config)
  const topic = uniqueName('stack-kafka')
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.close()
  })
  await ensureTopics(admin, [{ topic, partitions }])
  return topic
}

function producerFor(t: After, config: KafkaConnectionConfig): Producer {
  const producer = createTransactionalProducer({ ...config, transactionalId: uniqueName('stack-tx') })
  t.after(() => producer.close(true))
  return producer
}

/**
 * Reads the topic (read_committed) until `last` is visible or 15 s passed: a commit returns before the
 * broker has written its markers, so a read right after it may not see the transaction yet.
 */
async function readAfterCommit(
  config: KafkaConnectionConfig,
  topic: string,
  last: string,
): Promise<ConsumedRecord[]> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const records = await readCommittedTopic(config, topic)
    if (records.some((r) => r.value?.toString() === last) || Date.now() > deadline) return records
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Writes one record per value in one transaction, then commits or aborts it. */
async function transaction(
  producer: Producer,
  topic: string,
  values: string[],
  commit: boolean,
): Promise<void> {
  const txn = await producer.beginTransaction()
  await txn.send({
    messages: values.map((v) => ({ topic, key: Buffer.from(v), value: Buffer.from(v), partition: 0 })),
  })
  if (commit) await txn.commit()
  else await txn.abort()
}

test('cluster ids never start with "-", which the storage tool would take for an option', () => {
  // 0xf8 puts 62 ('-' in base64url) in the first six bits; the second draw starts with 'A'.
  const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0)]
  const id = newClusterId(() => draws.shift() ?? assert.fail('drew a third time'))
  assert.equal(id, Buffer.alloc(16, 0).toString('base64url'))
  assert.equal(draws.length, 0)
  for (let i = 0; i < 2000; i++) {
    const random = newClusterId()
    assert.match(random, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
  }
})

test('a committed transaction is read back by a read_committed consumer, headers included', async (t) => {
  const config = connection()
  const topic = await topicFor(t, config)
  const producer = producerFor(t, config)
  const txn = await producer.beginTransaction()
  await txn.send({
    messages: [
      // Header names as Buffers: the client hangs on string names without its string serializers
      {
        topic,
        key: Buffer.from('k1'),
        value: Buffer.from('one'),
        headers: new Map([[Buffer.from('traceparent'), Buffer.from('00-abc-01')]]),
      },
      { topic, key: Buffer.from('k2'), value: Buffer.from('two') },
    ],
  })
  await txn.commit()

  const records = await readAfterCommit(config, topic, 'two')
  assert.deepEqual(
    records.map((r) => r.value?.toString()),
    ['one', 'two'],
  )
  assert.equal(records[0]?.headers.get('traceparent')?.toString(), '00-abc-01')
})

test('an open transaction is not read until it commits', async (t) => {
  const config = connection()
  const topic = await topicFor(t, config)
  const producer = producerFor(t, config)
  const txn = await producer.beginTransaction()
  await txn.send({ messages: [{ topic, value: Buffer.from('pending'), partition: 0 }] })

  assert.deepEqual(await readCommittedTopic(config, topic), [])
  await txn.commit()
  assert.deepEqual(
    (await readAfterCommit(config, topic, 'pending')).map((r) => r.value?.toString()),
    ['pending'],
  )
})

test('aborted transactions are invisible to a read_committed consumer, the committed ones around them are not', async (t) => {
  const config = connection()
  const topic = await topicFor(t, config)
  const producer = producerFor(t, config)
  // One producer aborting twice: the case @platformatic/kafka's own stream gets wrong (it shows 'b')
  await transaction(producer, topic, ['a1', 'a2'], true)
  await transaction(producer, topic, ['b1', 'b2'], false)
  await transaction(producer, topic, ['c1'], true)
  await transaction(producer, topic, ['d1'], false)
  await transaction(producer, topic, ['e1', 'e2'], true)

  const values = (await readAfterCommit(config, topic, 'e2')).map((r) => r.value?.toString())
  assert.deepEqual(values, ['a1', 'a2', 'c1', 'e1', 'e2'])
})

test('a newer producer with the same transactional id fences the older one and aborts its open transaction', async (t) => {
  const config = connection()
  const topic = await topicFor(t, config)
  const transactionalId = uniqueName('stack-tx')
  const zombie = createTransactionalProducer({ ...config, transactionalId })
  t.after(() => zombie.close(true).catch(() => undefined))
  const open = await zombie.beginTransaction()
  await open.send({ messages: [{ topic, value: Buffer.from('zombie'), partition: 0 }] })

  const successor = createTransactionalProducer({ ...config, transactionalId })
  t.after(() => successor.close(true))
  await transaction(successor, topic, ['successor'], true)

  await assert.rejects(open.commit(), (error: Error & { findBy?: (k: string, v: unknown) => unknown }) => {
    const fenced = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'].some((id) => error.findBy?.('apiId', id))
    assert.ok(fenced, `expected a fencing error, got ${error.message}`)
    return true
  })
  const values = (await readAfterCommit(config, topic, 'successor')).map((r) => r.value?.toString())
  assert.deepEqual(values, ['successor'])
})
