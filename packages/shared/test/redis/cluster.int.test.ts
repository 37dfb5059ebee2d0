/**
 * The duplicate store on a real 3-node Redis Cluster (REDIS_CLUSTER=true), reached through
 * `connectRedis` as the services reach it: the partitions spread over the nodes, so redirections are
 * exercised, and a command fails instead of waiting while the cluster is down. The aggregator tests
 * its own store on a cluster (services/aggregator/test/state/redis-store-cluster.int.test.ts).
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, describe, it } from 'node:test'
import { nodeOfKeys, startRedisCluster, uniqueName } from '@healthstream/testkit/stack'
import type { Cluster } from 'ioredis'
import { connectRedis } from '../../src/redis/connect.ts'
import { RedisDedupStore } from '../../src/redis/dedup-store.ts'

const cluster = await startRedisCluster(3)
const redis = connectRedis({ url: cluster.url, cluster: true }) as Cluster
// Commands fail until the client has the slot map (no offline queue); the services' loops retry
await once(redis, 'ready')
after(async () => {
  await redis.quit()
  await cluster.stop()
})

describe('RedisDedupStore on a 3-node Redis Cluster', () => {
  it('checks duplicates per partition on whichever node holds it', async () => {
    const ns = uniqueName('dedup')
    for (let p = 0; p < 6; p++) {
      const store = new RedisDedupStore(redis, ns, p)
      assert.deepEqual(await store.seen(['a', 'b', 'a'], 60_000), [false, false, true])
      assert.deepEqual(await store.seen(['b', 'c'], 60_000, ['o1', 'o2']), [true, false])
    }
    const holders = await nodeOfKeys(redis, `${ns}:dedup:`)
    assert.equal(holders.size, 6 * 3, 'keys a, b and c of six partitions')
    assert.ok(new Set(holders.values()).size > 1, 'the partitions landed on more than one node')
  })
})

describe('a Redis Cluster that goes down', () => {
  it('fails the stores’ commands within seconds instead of holding them', async () => {
    const doomed = await startRedisCluster(3)
    const client = connectRedis({ url: doomed.url, cluster: true })
    client.on('error', () => undefined) // reconnection attempts, expected here
    try {
      await once(client, 'ready')
      const store = new RedisDedupStore(client, uniqueName('down'), 1)
      assert.deepEqual(await store.seen(['x'], 60_000), [false])
      await doomed.stop()
      const started = Date.now()
      await assert.rejects(store.seen(['y'], 60_000))
      assert.ok(Date.now() - started < 10_000, `rejected after ${Date.now() - started} ms`)
    } finally {
      client.disconnect()
      await doomed.stop()
    }
  })
})
