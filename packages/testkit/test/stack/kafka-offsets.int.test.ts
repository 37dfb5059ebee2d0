import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAdmin, createTransactionalProducer, ensureTopics } from '@healthstream/shared/kafka'
import { Admin } from '@platformatic/kafka'
import { endpoint, uniqueName } from '../../src/stack/endpoints.ts'
import { groupTopicKey, OffsetsProbe } from '../../src/stack/kafka-offsets.ts'
import { produceRaw } from '../../src/stack/produce.ts'

describe('OffsetsProbe on the real broker', () => {
  const brokers = [endpoint('KAFKA_BROKERS')]
  const topic = uniqueName('offsets')
  const group = uniqueName('offsets-group')
  const idle = uniqueName('offsets-idle')
  const probe = new OffsetsProbe(brokers, 'offsets-test')
  const admin = new Admin({ clientId: 'offsets-test-admin', bootstrapBrokers: brokers })

  before(async () => {
    const setup = createAdmin({ clientId: 'offsets-test-setup', bootstrapBrokers: brokers })
    await ensureTopics(setup, [{ topic, partitions: 2 }]).finally(() => setup.close())
    await produceRaw(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: Buffer.from([i]) })),
    )
  })
  after(async () => {
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined)
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await Promise.all([probe.close(), admin.close()])
  })

  it('gives each partition’s start and end, leaves absent topics out', async () => {
    const ends = await probe.ends([topic, uniqueName('absent')])
    assert.deepEqual([...ends.keys()], [topic])
    assert.deepEqual(await probe.starts(topic), [0n, 0n], 'the log starts')
    assert.equal(ends.get(topic)!.length, 2)
    assert.equal(
      ends.get(topic)!.reduce((a, b) => a + b, 0n),
      10n,
    )
  })

  it('gives a group’s committed offsets and the lag behind the ends, also of a group that never committed', async () => {
    const ends = (await probe.ends([topic])).get(topic)!
    const at = ends[0]! > 0n ? 1n : 0n
    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: at }] }],
    })
    const pairs = [
      { group, topic },
      { group: idle, topic },
    ]
    const committed = await probe.committed(pairs)
    assert.deepEqual(committed.get(groupTopicKey({ group, topic })), [at])
    assert.equal(committed.has(groupTopicKey({ group: idle, topic })), false, 'a group that never committed')
    const lag = await probe.lag(pairs)
    assert.equal(lag.get(groupTopicKey({ group, topic })), 10n - at)
    assert.equal(lag.get(groupTopicKey({ group: idle, topic })), 10n)
  })

  it('stops the end before a transaction still open (read_committed), and moves it on its commit', async () => {
    const before = (await probe.ends([topic])).get(topic)!
    const producer = createTransactionalProducer({
      clientId: 'offsets-test-tx',
      bootstrapBrokers: brokers,
      transactionalId: uniqueName('offsets-tx'),
    })
    try {
      const tx = await producer.beginTransaction()
      await tx.send({
        messages: [{ topic, partition: 1, key: Buffer.from('open'), value: Buffer.from([1]) }],
      })
      assert.deepEqual((await probe.ends([topic])).get(topic), before, 'an open transaction is not read')
      await tx.commit()
      // commit() returns before the broker has written the markers: the end moves soon after
      let after = before
      for (let i = 0; i < 50 && after[1] === before[1]; i++) {
        await new Promise((r) => setTimeout(r, 100))
        after = (await probe.ends([topic])).get(topic)!
      }
      assert.equal(after[0], before[0])
      assert.equal(after[1], before[1]! + 2n, 'past the record and its commit marker')
    } finally {
      await producer.close()
    }
  })
})
