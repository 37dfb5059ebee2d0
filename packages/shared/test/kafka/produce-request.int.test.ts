/**
 * Produce requests written by `produce-request.ts` against the real broker: it accepts them (CRC,
 * sequences across transactions, transactional markers) and a read_committed reader gets back every
 * record as it was sent. Timestamps 30 days apart in one batch tell this path from the client's, whose
 * varlong keeps 32 bits of a timestamp delta.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import {
  createAdmin,
  createTransactionalProducer,
  ensureTopics,
  readCommittedTopic,
} from '../../src/kafka/index.ts'

const DAY_MS = 86_400_000

test('the broker takes one-pass produce requests and a reader gets every record back as sent', async (t) => {
  const connection = {
    bootstrapBrokers: endpoint('KAFKA_BROKERS').split(','),
    clientId: uniqueName('produce-int'),
  }
  const topic = uniqueName('produce-out')
  const admin = createAdmin(connection)
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.close()
  })
  await ensureTopics(admin, [{ topic, partitions: 3 }])
  const producer = createTransactionalProducer({ ...connection, transactionalId: uniqueName('produce-txn') })
  t.after(() => producer.close())

  const start = Date.now() - 45 * DAY_MS // the broker refuses timestamps ahead of its clock
  const sent: {
    partition: number
    key?: Buffer
    value?: Buffer
    headers: Map<Buffer, Buffer>
    timestamp: bigint
  }[] = []
  // Two transactions over the same partitions: the second's sequence numbers follow the first's
  for (let txn = 0; txn < 2; txn++) {
    const messages = Array.from({ length: 300 }, (_, j) => {
      const i = txn * 300 + j
      return {
        partition: i % 3,
        ...(i % 7 === 0 ? {} : { key: Buffer.from(`user-${i}`) }),
        ...(i % 11 === 0 ? {} : { value: Buffer.from(`value-${i}`.repeat(i % 5)) }),
        headers: new Map(i % 2 === 0 ? [[Buffer.from('traceparent'), Buffer.from(`00-${i}-01`)]] : []),
        timestamp: BigInt(start + (i % 40) * DAY_MS + i),
      }
    })
    sent.push(...messages)
    const transaction = await producer.beginTransaction()
    await transaction.send({ messages: messages.map((m) => ({ ...m, topic })) })
    await transaction.commit()
  }

  let read = await readCommittedTopic(connection, topic)
  for (let tries = 0; read.length < sent.length && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    read = await readCommittedTopic(connection, topic)
  }
  const show = (r: {
    partition: number
    key?: Buffer | null
    value?: Buffer | null
    timestamp: number | bigint
  }) =>
    `${r.partition}|${r.key?.toString() ?? '-'}|${r.value?.toString() ?? '-'}|${new Date(Number(r.timestamp)).toISOString()}`
  assert.deepEqual(read.map(show).sort(), sent.map(show).sort())
  const traced = read.filter((r) => r.headers.size > 0)
  assert.equal(traced.length, sent.filter((m) => m.headers.size > 0).length)
  for (const record of traced) assert.match(record.headers.get('traceparent')!.toString(), /^00-\d+-01$/)
})
