import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import calculateSlot from 'cluster-key-slot'
import { Redis } from 'ioredis'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { dropNamespace } from '../support/redis-namespace.ts'
import { us } from '../support/samples.ts'
import { commitRequest, describeStoreContract, windowState } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')

const redis = new Redis(endpoint('REDIS_URL'))
const namespaces: string[] = []
const namespace = (prefix: string): string => {
  namespaces.push(uniqueName(prefix))
  return namespaces.at(-1)!
}
after(async () => {
  for (const ns of namespaces) await dropNamespace(redis, ns)
  await redis.quit()
})

describeStoreContract(
  'RedisAggregateStore',
  () => new RedisAggregateStore(redis, { namespace: namespace('agg') }),
)

describe('RedisAggregateStore keys', () => {
  it('keep every key of a partition in one hash slot, tagged {agg-p<N>}', async () => {
    const ns = namespace('slots')
    const store = new RedisAggregateStore(redis, { namespace: ns })
    await store.claim(5, 1, NOW)
    const state = windowState('u-1', '2026-03-10T12:00:00Z')
    const timers = new Map([[state.id, state.window.end]])
    await store.commit(commitRequest(5, { put: [state], timers, dirtyAdd: [state.id] }))
    const keys = (await redis.keys(`${ns}:agg:{*`)).sort()
    assert.deepEqual(
      keys.map((k) => k.slice(ns.length)),
      [
        ':agg:{agg-p5}:dirty',
        ':agg:{agg-p5}:meta',
        ':agg:{agg-p5}:outbox',
        ':agg:{agg-p5}:timers',
        ':agg:{agg-p5}:u:u-1',
        `:agg:{agg-p5}:w:${state.id}`,
      ],
    )
    assert.equal(new Set(keys.map((k) => calculateSlot(k))).size, 1)
    assert.equal(calculateSlot(keys[0]!), calculateSlot('agg-p5'))
  })

  it('refuses a namespace with braces, which would break the partition hash tag', () => {
    assert.throws(() => new RedisAggregateStore(redis, { namespace: 'a{b}' }), /braces/)
  })
})
