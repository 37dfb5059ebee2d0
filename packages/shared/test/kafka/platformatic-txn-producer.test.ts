import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addPartitionsToTxnV3, endTxnV4, kGetApi, kListApis, UnsupportedError } from '@platformatic/kafka'
import { TransactionalProducer } from '../../src/kafka/platformatic-txn-producer.ts'

/** A producer that believes the broker offers these versions (no connection is made). */
function producerOffering(
  apis: Record<string, number>,
  minVersions: Record<string, number> = {},
): TransactionalProducer {
  const producer = new TransactionalProducer({ clientId: 'txn-test', bootstrapBrokers: ['127.0.0.1:1'] })
  const listed = Object.entries(apis).map(([name, maxVersion], apiKey) => ({
    apiKey,
    name,
    minVersion: minVersions[name] ?? 0,
    maxVersion,
  }))
  Object.assign(producer, {
    [kListApis]: (callback: (error: null, apis: unknown) => void) => callback(null, listed),
  })
  return producer
}

const apiFor = (producer: TransactionalProducer, name: string): Promise<{ version: number }> =>
  new Promise((resolve, reject) =>
    producer[kGetApi](name, (error, api) =>
      error === null ? resolve(api as { version: number }) : reject(error),
    ),
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

test('refuses a broker that accepts no AddPartitionsToTxn below v4 with an UNSUPPORTED error', async (t) => {
  const producer = producerOffering({ AddPartitionsToTxn: 5, EndTxn: 4 }, { AddPartitionsToTxn: 4 })
  t.after(() => producer.close())
  await assert.rejects(
    apiFor(producer, 'AddPartitionsToTxn'),
    (error: unknown) =>
      error instanceof UnsupportedError &&
      error.code === 'PLT_KFK_UNSUPPORTED' &&
      /accepts AddPartitionsToTxn v4 and later only; this client sends v3/.test(error.message),
  )
})

// v3 is right only for a transaction-version-0 client. Once the installed client speaks Produce v12 or
// EndTxn v5 (KIP-890's TV2), forcing v3 would misstate its protocol: revisit TransactionalProducer.
test('the installed client is a TV0 client: it sends no Produce v12 and no EndTxn v5', async (t) => {
  const producer = producerOffering({ Produce: 13, EndTxn: 5 })
  t.after(() => producer.close())
  assert.ok((await apiFor(producer, 'Produce')).version <= 11, 'Produce v12+ implemented: a TV2 client')
  assert.ok((await apiFor(producer, 'EndTxn')).version <= 4, 'EndTxn v5+ implemented: a TV2 client')
})
