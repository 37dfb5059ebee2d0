/**
 * The aggregator on the real stack (Kafka, registry, Redis), as processes: out-of-order, late and
 * too-late data flow in slices while aggregator processes are killed with SIGKILL at random moments
 * (at least ten times) and restarted, and Redis is restarted once; afterwards every window's rows on
 * the aggregates topic (read_committed) run revision 1, 2, … to one final row equal to a naive
 * recomputation from the accepted samples, the too-late samples are in the dead-letter topic once each,
 * and the query endpoint answers what the topic says. Two instances give the same results as one, and
 * two instances keeping their state on a 3-node Redis Cluster (REDIS_CLUSTER=true) are exact too.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import type { AggregateRecord } from '@healthstream/shared/domain'
import { connectRedis } from '@healthstream/shared/redis'
import { startRedisCluster } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { openAccess } from '../src/query/access.ts'
import { aggregateRoutes } from '../src/query/routes.ts'
import { RedisAggregateStore } from '../src/state/redis-store.ts'
import { assertSameFigures, finalRows, redisUrl, runScenario } from './support/stack-run.ts'

/** The query endpoint's final windows of a few users are the final rows on the aggregates topic. */
async function assertQueryAgrees(store: RedisAggregateStore, out: Parameters<typeof finalRows>[0]) {
  const app = aggregateRoutes({ store, access: openAccess, audit: () => {} })
  const topic = finalRows(out)
  for (const user of ['u-0', 'u-5', 'u-11']) {
    const body = (await (await app.request(`/aggregates/${user}`)).json()) as {
      windows: (AggregateRecord & { status: string })[]
    }
    const finals = body.windows.filter((w) => w.status === 'final')
    assert.ok(finals.length > 0)
    for (const { status: _, updatedAt: __, ...view } of finals) {
      const key = JSON.stringify([view.userId, view.dataType, view.granularity, view.windowStart, view.zone])
      assert.deepEqual(view, topic.get(key), `query of ${key}`)
    }
  }
}

describe('the aggregator on the real stack', { timeout: 900_000 }, () => {
  it('produces every window exactly once through ≥ 10 kill -9 and a Redis restart, and the query agrees', async (t) => {
    const { run, out, kills } = await runScenario(t, {
      instances: 1,
      chaos: true,
      restartRedis: true,
      seed: 5,
    })
    assert.ok(kills >= 10, `only ${kills} kills`)
    t.diagnostic(
      `${kills} kills, ${run.stats.selfCrashes} crashes after a Redis commit, ${run.stats.replays} replays`,
    )
    assert.ok(run.stats.replays >= run.stats.selfCrashes && run.stats.selfCrashes > 0, 'the replay path ran')
    const redis = new Redis(redisUrl)
    t.after(() => redis.quit())
    await assertQueryAgrees(new RedisAggregateStore(redis, { namespace: run.config.namespace }), out)
  })

  it('gives the same results with two instances sharing the partitions as with one', async (t) => {
    const one = await runScenario(t, { instances: 1, chaos: false, restartRedis: false, seed: 6 })
    const two = await runScenario(t, { instances: 2, chaos: false, restartRedis: false, seed: 7 })
    // Revision numbers depend on how batches fell (one late update per batch), and so does the order
    // of floating-point additions (sums may differ in the last bit); everything else must be equal
    const a = finalRows(one.out)
    const b = finalRows(two.out)
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort())
    for (const [key, row] of a) assertSameFigures(b.get(key)!, row, key)
  })

  it('produces every window exactly once with its state on a 3-node Redis Cluster, and the query agrees', async (t) => {
    const cluster = await startRedisCluster(3)
    // runScenario checks every window against a naive recomputation, exactly once; its cleanup (stop
    // the processes) is registered inside it, so the cluster's stop goes after it
    let onCluster: Awaited<ReturnType<typeof runScenario>>
    try {
      onCluster = await runScenario(t, { instances: 2, chaos: false, restartRedis: false, seed: 8, cluster })
    } catch (error) {
      t.after(() => cluster.stop())
      throw error
    }
    const redis = connectRedis({ url: cluster.url, cluster: true })
    t.after(async () => {
      await redis.quit()
      await cluster.stop()
    })
    await once(redis, 'ready')
    await assertQueryAgrees(
      new RedisAggregateStore(redis, { namespace: onCluster.run.config.namespace }),
      onCluster.out,
    )
  })
})
