import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { eraseAggregateUsers, eraseCommand } from '../../src/state/redis-erase.ts'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { AggregateStoreError } from '../../src/windows/store.ts'
import { dropNamespace } from '../support/redis-namespace.ts'
import { us } from '../support/samples.ts'
import { commitRequest, windowState } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')
const redis = new Redis(endpoint('REDIS_URL'))
const namespaces: string[] = []
after(async () => {
  for (const ns of namespaces) await dropNamespace(redis, ns)
  await redis.quit()
})

describe('eraseCommand', () => {
  it("names the partition's meta, timers, dirty set and the user's index, and the window prefix", () => {
    assert.deepEqual(eraseCommand('hs:agg:{agg-p3}:', 'u-1'), {
      keys: [
        'hs:agg:{agg-p3}:meta',
        'hs:agg:{agg-p3}:timers',
        'hs:agg:{agg-p3}:dirty',
        'hs:agg:{agg-p3}:u:u-1',
      ],
      args: ['hs:agg:{agg-p3}:w:'],
    })
  })
})

describe('eraseAggregateUsers', () => {
  it("deletes an erased user's windows, timers, dirty marks and index in every partition, and nobody else's", async () => {
    const ns = uniqueName('erase')
    namespaces.push(ns)
    const store = new RedisAggregateStore(redis, { namespace: ns })
    const gone = [
      windowState('u-gone', '2026-03-10T12:00:00Z'),
      windowState('u-gone', '2026-03-11T12:00:00Z'),
    ]
    const kept = windowState('u-kept', '2026-03-10T12:00:00Z')
    for (const [partition, put] of [
      [1, [gone[0]!, kept]],
      [2, [gone[1]!]],
    ] as const) {
      await store.claim(partition, 1, NOW)
      const timers = new Map(put.map((s) => [s.id, s.window.end]))
      await store.commit(commitRequest(partition, { put: [...put], timers, dirtyAdd: put.map((s) => s.id) }))
    }

    assert.deepEqual(await eraseAggregateUsers(redis, ns, ['u-gone']), { windows: 2, partitions: 2 })

    assert.deepEqual(await store.query({ userId: 'u-gone' }), [])
    assert.equal((await store.query({ userId: 'u-kept' })).length, 1)
    const keys = await redis.keys(`${ns}:agg:*`)
    assert.ok(!keys.some((k) => k.includes('u-gone')), keys.join(' '))
    assert.deepEqual(await redis.zrange(`${ns}:agg:{agg-p1}:timers`, 0, -1), [kept.id])
    assert.deepEqual(await redis.smembers(`${ns}:agg:{agg-p1}:dirty`), [kept.id])
    // run again: nothing left to delete
    assert.deepEqual(await eraseAggregateUsers(redis, ns, ['u-gone']), { windows: 0, partitions: 2 })
  })

  it('fences a batch loaded before the erasure: its commit fails with CONFLICT and writes nothing back', async () => {
    const ns = uniqueName('erase-fence')
    namespaces.push(ns)
    const store = new RedisAggregateStore(redis, { namespace: ns })
    const state = windowState('u-gone', '2026-03-10T12:00:00Z')
    await store.claim(0, 1, NOW)
    await store.commit(commitRequest(0, { put: [state] }))
    // a batch loaded at version 1 …
    await eraseAggregateUsers(redis, ns, ['u-gone'])
    // … commits after the erasure
    await assert.rejects(
      store.commit(commitRequest(0, { expectedVersion: 1, put: [state], created: [] })),
      (e: unknown) => e instanceof AggregateStoreError && e.code === 'CONFLICT',
    )
    assert.deepEqual(await store.query({ userId: 'u-gone' }), [])
  })
})
