/**
 * Transactional consume → produce throughput on the local broker: @platformatic/kafka (through the
 * project's TransactionalLoop) against kafkajs 2.2.4 (eachBatch + producer.transaction() + sendOffsets),
 * same input records, same run. Each client copies the input topic to its own output topic under its own
 * group; the clock runs from start to the commit that covers the last input record.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 bash tools/node.sh tools/bench/kafka-clients.ts [records] [rounds] [batch]
 */
import { randomBytes } from 'node:crypto'
import type { KafkaConnectionConfig, OutputRecord } from '@healthstream/shared/kafka'
import {
  createAdmin,
  createTransactionalPorts,
  ensureTopics,
  readCommittedTopic,
  TransactionalLoop,
} from '@healthstream/shared/kafka'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Producer } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'

const RECORDS = Number(process.argv[2] ?? 200_000)
const ROUNDS = Number(process.argv[3] ?? 1)
const PARTITIONS = 4
const VALUE_BYTES = 300
/** Records per transaction for both clients (kafkajs sends a partition's share in one record batch, so
 * much larger batches hit the broker's 1 MB message.max.bytes). */
const BATCH_RECORDS = Number(process.argv[4] ?? 1000)

interface Result {
  readonly client: string
  readonly seconds: number
  readonly recordsPerSecond: number
  readonly transactions: number
  readonly outputCount: number
}

const connection: KafkaConnectionConfig = {
  bootstrapBrokers: endpoint('KAFKA_BROKERS').split(','),
  clientId: uniqueName('bench'),
}

/** Writes the input once: keyed by user, ~300-byte values, spread over the partitions by key. */
async function seed(topic: string): Promise<void> {
  const producer = new Producer({
    bootstrapBrokers: [...connection.bootstrapBrokers],
    clientId: `${connection.clientId}-seed`,
    idempotent: true,
  })
  const filler = randomBytes(VALUE_BYTES)
    .toString('base64')
    .slice(0, VALUE_BYTES - 20)
  try {
    for (let start = 0; start < RECORDS; start += 10_000) {
      const messages = []
      for (let i = start; i < Math.min(RECORDS, start + 10_000); i++) {
        messages.push({ topic, key: Buffer.from(`user-${i % 1000}`), value: Buffer.from(`${i}:${filler}`) })
      }
      await producer.send({ messages })
    }
  } finally {
    await producer.close()
  }
}

/** Same work for both clients: the value is copied, the key kept. */
function copyTo(output: string, key: Buffer | null, value: Buffer | null): OutputRecord {
  return { topic: output, key, value }
}

async function runPlatformatic(input: string, output: string): Promise<Result> {
  const groupId = uniqueName('bench-plt')
  const ports = createTransactionalPorts({ ...connection, groupId, transactionalId: `${groupId}-0` })
  const loop = new TransactionalLoop({
    ...ports,
    inputTopics: [input],
    maxBatchRecords: BATCH_RECORDS,
    transform: async (records) => records.map((r) => copyTo(output, r.key, r.value)),
  })
  const started = performance.now()
  const done = loop.run()
  while (loop.stats.recordsIn < RECORDS) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5))])
  }
  const seconds = (performance.now() - started) / 1000
  const transactions = loop.stats.transactionsCommitted
  await loop.stop()
  return result('@platformatic/kafka 2.12.1 (TransactionalLoop)', seconds, transactions, output)
}

async function runKafkajs(input: string, output: string): Promise<Result> {
  const kafka = new Kafka({
    clientId: uniqueName('bench-kjs'),
    brokers: [...connection.bootstrapBrokers],
    logLevel: process.env.KAFKAJS_LOG === '1' ? logLevel.INFO : logLevel.NOTHING,
  })
  const groupId = uniqueName('bench-kjs')
  const producer = kafka.producer({
    transactionalId: `${groupId}-0`,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 2 * 1024 * 1024 })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topic: input, fromBeginning: true })
  let processed = 0
  let transactions = 0
  let finished: () => void = () => undefined
  const allDone = new Promise<void>((resolve) => {
    finished = resolve
  })
  const started = performance.now()
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (let from = 0; from < batch.messages.length; from += BATCH_RECORDS) {
        const chunk = batch.messages.slice(from, from + BATCH_RECORDS)
        const last = chunk[chunk.length - 1]!
        const txn = await producer.transaction()
        await txn.send({ topic: output, messages: chunk.map((m) => ({ key: m.key, value: m.value })) })
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
            },
          ],
        })
        await txn.commit()
        resolveOffset(last.offset)
        transactions++
        processed += chunk.length
        if (processed >= RECORDS) finished()
      }
    },
  })
  await allDone
  const seconds = (performance.now() - started) / 1000
  await consumer.disconnect()
  await producer.disconnect()
  return result('kafkajs 2.2.4 (eachBatch + transaction)', seconds, transactions, output)
}

async function result(
  client: string,
  seconds: number,
  transactions: number,
  output: string,
): Promise<Result> {
  const outputCount = (await readCommittedTopic(connection, output, 120_000)).length
  return { client, seconds, recordsPerSecond: Math.round(RECORDS / seconds), transactions, outputCount }
}

async function main(): Promise<void> {
  const admin = createAdmin(connection)
  const input = uniqueName('bench-in')
  const outputs: string[] = []
  try {
    await ensureTopics(admin, [{ topic: input, partitions: PARTITIONS }])
    console.error(`seeding ${RECORDS} records of ~${VALUE_BYTES} bytes into ${PARTITIONS} partitions`)
    await seed(input)
    const results: Result[] = []
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so neither client always runs on a warmer broker
      const runs = round % 2 === 0 ? [runKafkajs, runPlatformatic] : [runPlatformatic, runKafkajs]
      for (const run of runs) {
        const output = uniqueName('bench-out')
        outputs.push(output)
        await ensureTopics(admin, [{ topic: output, partitions: PARTITIONS }])
        const r = await run(input, output)
        console.error(
          `${r.client}: ${r.recordsPerSecond} records/s (${r.seconds.toFixed(2)} s, ${r.transactions} transactions, ${r.outputCount} output records)`,
        )
        results.push(r)
      }
    }
    console.log(
      JSON.stringify({ records: RECORDS, valueBytes: VALUE_BYTES, partitions: PARTITIONS, results }, null, 2),
    )
  } finally {
    await admin.deleteTopics({ topics: [input, ...outputs] }).catch(() => undefined)
    await admin.close()
  }
}

await main()
