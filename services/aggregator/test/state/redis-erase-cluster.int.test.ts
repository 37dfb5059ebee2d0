/**
 * The erasures on a real 3-node Redis Cluster, reached through `connectRedis` as the services reach
 * it: the aggregator's (one script per partition slot) and the validator's duplicate marks (a SCAN
 * of every master), with the partitions spread over the nodes.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, describe, it } from 'node:test'
import { dedupKey } from '@healthstream/shared/domain'
import { connectRedis, eraseDedupMarks, RedisDedupStore } from '@healthstream/shared/redis'
import { nodeOfKeys, startRedisCluster, uniqueName } from '@healthstream/testkit/stack'
import type { Cluster } from 'ioredis'
import { eraseAggregateUsers } from '../../src/state/redis-erase.ts'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { us } from '../support/samples.ts'
import { commitRequest, windowState } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')
const cluster = await startRedisCluster(3)
const redis = connectRedis({ url: cluster.url, cluster: true }) as Cluster
await once(redis, 'ready')
after(async () => {
  await redis.quit()
  await cluster.stop()
})

describe('erasing users on a 3-node Redis Cluster', () => {
  it("deletes the aggregator's windows of a user in partitions on every node", async () => {
    const ns = uniqueName('erase-agg')
    const store = new RedisAggregateStore(redis, { namespace: ns })
    for (let p = 0; p < 6; p++) {
      await store.claim(p, 1, NOW)
      const put = [
        windowState('gone', `2026-03-1${p}T12:00:00Z`),
        windowState(`kept-${p}`, '2026-03-10T12:00:00Z'),
      ]
      await store.commit(commitRequest(p, { put }))
    }
    const holders = await nodeOfKeys(redis, `${ns}:agg:`)
    assert.ok(new Set(holders.values()).size > 1, 'the partitions landed on more than one node')
    assert.deepEqual(await eraseAggregateUsers(redis, ns, ['gone']), { windows: 6, partitions: 6 })
    assert.deepEqual(await store.query({ userId: 'gone' }), [])
    assert.equal((await store.query({ userId: 'kept-3' })).length, 1)
  })

  it("deletes the validator's marks of a user on every master, and no other", async () => {
    const ns = uniqueName('erase-dedup')
    for (let p = 0; p < 6; p++)
      await new RedisDedupStore(redis, ns, p).seen(
        [dedupKey('gone', `s${p}`), dedupKey('kept', `s${p}`)],
        60_000,
      )
    const before = await nodeOfKeys(redis, `${ns}:dedup:`)
    assert.ok(new Set(before.values()).size > 1, 'the marks landed on more than one node')
    assert.deepEqual(await eraseDedupMarks(redis, ns, ['gone']), { marks: 6 })
    const left = [...(await nodeOfKeys(redis, `${ns}:dedup:`)).keys()]
    assert.equal(left.length, 6)
    assert.ok(
      left.every((k) => k.includes(dedupKey('kept', ''))),
      left.join(' '),
    )
  })
})
