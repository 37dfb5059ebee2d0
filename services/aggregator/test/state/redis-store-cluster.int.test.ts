/**
 * `RedisAggregateStore` on a real 3-node Redis Cluster, reached through `connectRedis` as the service
 * reaches it: each partition's keys stay in one slot (a script touching two slots fails there) and
 * the partitions spread over the nodes, so redirections are exercised.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, describe, it } from 'node:test'
import { connectRedis } from '@healthstream/shared/redis'
import { nodeOfKeys, startRedisCluster, uniqueName } from '@healthstream/testkit/stack'
import type { Cluster } from 'ioredis'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { us } from '../support/samples.ts'
import { commitRequest, describeStoreContract, windowState } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')

const cluster = await startRedisCluster(3)
const redis = connectRedis({ url: cluster.url, cluster: true }) as Cluster
// Commands fail until the client has the slot map (no offline queue); the service's loop retries
await once(redis, 'ready')
after(async () => {
  await redis.quit()
  await cluster.stop()
})

describeStoreContract(
  'RedisAggregateStore on a 3-node Redis Cluster',
  () => new RedisAggregateStore(redis, { namespace: uniqueName('agg') }),
)

describe('RedisAggregateStore on a 3-node Redis Cluster', () => {
  it('writes each partition’s keys to one node, and the partitions to all three', async () => {
    const ns = uniqueName('spread')
    const store = new RedisAggregateStore(redis, { namespace: ns })
    for (let p = 0; p < 12; p++) {
      await store.claim(p, 1, NOW)
      const state = windowState('u-1', '2026-03-10T12:00:00Z')
      const timers = new Map([[state.id, state.window.end]])
      await store.commit(commitRequest(p, { put: [state], timers, dirtyAdd: [state.id] }))
    }
    const holders = await nodeOfKeys(redis, `${ns}:agg:{`)
    const nodesOfPartition = new Map<number, Set<number>>()
    for (const [key, port] of holders) {
      const p = Number(/\{agg-p(\d+)\}/.exec(key)![1])
      nodesOfPartition.set(p, (nodesOfPartition.get(p) ?? new Set()).add(port))
    }
    assert.equal(nodesOfPartition.size, 12, 'every partition wrote keys')
    for (const [p, ports] of nodesOfPartition) {
      assert.equal(ports.size, 1, `partition ${p}'s keys live on one node`)
      const keys = [...holders.keys()].filter((k) => k.includes(`{agg-p${p}}`))
      assert.ok(keys.length >= 4, `partition ${p} wrote meta, timers, dirty and its window (${keys})`)
    }
    const used = new Set([...holders.values()])
    assert.deepEqual([...used].sort(), [...cluster.ports].sort(), 'every node holds some partitions')
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
})
