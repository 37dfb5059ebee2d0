/**
 * Both Redis stores on a real 3-node Redis Cluster (REDIS_CLUSTER=true), reached through
 * `connectRedis` as the services reach it: each partition's keys stay in one slot (a script touching
 * two slots fails there), and the partitions spread over the nodes, so redirections are exercised.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Cluster } from 'ioredis'
import { uniqueName } from '../../../scripts/test-support/endpoints.ts'
import { startRedisCluster } from '../../../scripts/test-support/redis-cluster.ts'
import { RedisAggregateStore } from '../../src/redis/aggregate-store.ts'
import { connectRedis } from '../../src/redis/connect.ts'
import { RedisDedupStore } from '../../src/redis/dedup-store.ts'
import { us } from '../domain/aggregate/helpers.ts'
import { commitRequest, describeStoreContract, windowState } from '../domain/aggregate/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')

const cluster = await startRedisCluster(3)
const redis = connectRedis({ url: cluster.url, cluster: true }) as Cluster
after(async () => {
  await redis.quit()
  await cluster.stop()
})

describeStoreContract(
  'RedisAggregateStore on a 3-node Redis Cluster',
  () => new RedisAggregateStore(redis, { namespace: uniqueName('agg') }),
)

/** Which of the cluster's masters holds `key`, by port. */
async function nodeOf(key: string): Promise<number> {
  const slot = (await redis.cluster('KEYSLOT', key)) as number
  const shards = await redis.cluster('SLOTS')
  const owner = shards.find(([from, to]) => slot >= from && slot <= to)
  assert.ok(owner?.[2], `no node owns slot ${slot}`)
  return owner[2][1]
}

describe('Redis stores on a 3-node Redis Cluster', () => {
  before(async () => {
    assert.equal((await redis.cluster('INFO')).includes('cluster_state:ok'), true)
  })

  it('spreads the partitions over the nodes, each partition in one slot', async () => {
    const ns = uniqueName('spread')
    const store = new RedisAggregateStore(redis, { namespace: ns })
    const nodes = new Set<number>()
    for (let p = 0; p < 12; p++) {
      await store.claim(p, 1, NOW)
      const state = windowState('u-1', '2026-03-10T12:00:00Z')
      await store.commit(
        commitRequest(p, {
          put: [state],
          timers: new Map([[state.id, state.window.end]]),
          dirtyAdd: [state.id],
        }),
      )
      const prefix = store.prefix(p)
      const keys = [`${prefix}meta`, `${prefix}timers`, `${prefix}w:${state.id}`, `${prefix}u:u-1`]
      const holders = new Set(await Promise.all(keys.map(nodeOf)))
      assert.equal(holders.size, 1, `partition ${p}'s keys live on one node`)
      nodes.add([...holders][0]!)
    }
    assert.deepEqual([...nodes].sort(), [...cluster.ports].sort(), 'every node holds some partitions')
  })

  it('answers a query from the partitions of every node', async () => {
    const store = new RedisAggregateStore(redis, { namespace: uniqueName('query') })
    const written = []
    for (let p = 0; p < 6; p++) {
      await store.claim(p, 1, NOW)
      const state = windowState('u-7', `2026-03-${String(10 + p).padStart(2, '0')}T12:00:00Z`)
      await store.commit(commitRequest(p, { put: [state] }))
      written.push(state)
    }
    const found = await store.query({ userId: 'u-7' })
    assert.deepEqual(found.map((s) => s.id).sort(), written.map((s) => s.id).sort())
  })

  it('checks duplicates per partition on whichever node holds it', async () => {
    const ns = uniqueName('dedup')
    for (let p = 0; p < 6; p++) {
      const store = new RedisDedupStore(redis, ns, p)
      assert.deepEqual(await store.seen(['a', 'b', 'a'], 60_000), [false, false, true])
      assert.deepEqual(await store.seen(['b', 'c'], 60_000, ['o1', 'o2']), [true, false])
    }
    const holders = new Set(await Promise.all([0, 1, 2, 3, 4, 5].map((p) => nodeOf(`${ns}:dedup:{p${p}}:a`))))
    assert.ok(holders.size > 1, 'the partitions landed on more than one node')
  })
})
