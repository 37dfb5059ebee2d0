/**
 * ensureTopics against the real broker: an existing topic's partition count is checked against what
 * the caller needs, not against what it would have created (ingest and the simulator race to create
 * health-data-raw with different counts under `npm start`).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createAdmin, ensureTopics, KafkaErrorCode, KafkaLoopError } from '@healthstream/shared/kafka'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

describe('ensureTopics on an existing topic', () => {
  it('stops a caller that needs more partitions, naming the topic; takes it for one that needs fewer', async (t) => {
    const admin = createAdmin({
      bootstrapBrokers: endpoint('KAFKA_BROKERS').split(','),
      clientId: uniqueName('ensure-topics'),
    })
    const topic = uniqueName('ensure-topics')
    t.after(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
      await admin.close()
    })
    await ensureTopics(admin, [{ topic, partitions: 2 }])

    await assert.rejects(
      ensureTopics(admin, [{ topic, partitions: 6 }]),
      (error: unknown) =>
        error instanceof KafkaLoopError &&
        error.code === KafkaErrorCode.FATAL &&
        error.message === `topic ${topic} has 2 partitions, 6 are required`,
    )
    await ensureTopics(admin, [{ topic, partitions: 6, minPartitions: 1 }])
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    assert.equal(metadata.topics.get(topic)?.partitionsCount, 2, 'an existing topic is left as it is')
  })
})
