import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addPartitionsToTxnV3, endTxnV4, kGetApi, kListApis } from '@platformatic/kafka'
import { TransactionalProducer } from '../../src/kafka/platformatic-txn-producer.ts'

/** A producer that believes the broker offers these versions (no connection is made). */
function producerOffering(apis: Record<string, number>): TransactionalProducer {
  const producer = new TransactionalProducer({ clientId: 'txn-test', bootstrapBrokers: ['127.0.0.1:1'] })
  const listed = Object.entries(apis).map(([name, maxVersion], apiKey) => ({
    apiKey,
    name,
    minVersion: 0,
    maxVersion,
  }))
  Object.assign(producer, {
    [kListApis]: (callback: (error: null, apis: unknown) => void) => callback(null, listed),
  })
  return producer
}

const apiFor = (producer: TransactionalProducer, name: string): Promise<unknown> =>
  new Promise((resolve, reject) =>
    producer[kGetApi](name, (error, api) => (error === null ? resolve(api) : reject(error))),
  )

test('adds partitions with AddPartitionsToTxn v3 when the broker offers the brokers-only v5', async (t) => {
  const producer = producerOffering({ AddPartitionsToTxn: 5, EndTxn: 4 })
  t.after(() => producer.close())
  assert.equal(await apiFor(producer, 'AddPartitionsToTxn'), addPartitionsToTxnV3.api)
  assert.equal(await apiFor(producer, 'EndTxn'), endTxnV4.api, 'other APIs keep the newest version')
})

test('keeps an older AddPartitionsToTxn when that is all the broker offers', async (t) => {
  const producer = producerOffering({ AddPartitionsToTxn: 2 })
  t.after(() => producer.close())
  assert.notEqual(await apiFor(producer, 'AddPartitionsToTxn'), addPartitionsToTxnV3.api)
})
