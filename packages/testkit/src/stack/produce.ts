import { Producer } from '@platformatic/kafka'
import { endpoint } from './endpoints.ts'

/** Produces raw key/value pairs (not transactional), as a phone gateway would; resolves when acked. */
export async function produceRaw(
  topic: string,
  records: readonly { key: string; value: Buffer }[],
): Promise<void> {
  const producer = new Producer({
    clientId: 'test-producer',
    bootstrapBrokers: [endpoint('KAFKA_BROKERS')],
    idempotent: true,
    autocreateTopics: false,
  })
  try {
    for (const record of records) {
      await producer.send({ messages: [{ topic, key: Buffer.from(record.key), value: record.value }] })
    }
  } finally {
    await producer.close()
  }
}
