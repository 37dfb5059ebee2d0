import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { RedisDedupStore } from '../../src/redis/dedup-store.ts'

describe('RedisDedupStore on a real Redis', () => {
  const redis = new Redis(endpoint('REDIS_URL'))
  after(() => redis.quit())
  const store = () => new RedisDedupStore(redis, uniqueName('test'), 3)

  it('answers false for new keys and true for keys seen before', async () => {
    const s = store()
    assert.deepEqual(await s.seen(['a', 'b'], 60_000), [false, false])
    assert.deepEqual(await s.seen(['b', 'c'], 60_000), [true, false])
  })

  it('sees the earlier entries of the same call', async () => {
    assert.deepEqual(await store().seen(['x', 'x'], 60_000, ['o1', 'o2']), [false, true])
  })

  it('treats a replay by the same owner as new, another owner as a duplicate', async () => {
    const s = store()
    assert.deepEqual(await s.seen(['k'], 60_000, ['raw:0:10:1']), [false])
    assert.deepEqual(await s.seen(['k'], 60_000, ['raw:0:10:1']), [false])
    assert.deepEqual(await s.seen(['k'], 60_000, ['raw:0:99:1']), [true])
  })

  it('forgets keys after the horizon', async () => {
    const s = store()
    await s.seen(['t'], 50)
    await sleep(120)
    assert.deepEqual(await s.seen(['t'], 50), [false])
  })

  it('keeps all keys of a partition in one hash slot', async () => {
    const ns = uniqueName('slot')
    await new RedisDedupStore(redis, ns, 7).seen(['a', 'b', 'c'], 60_000)
    const keys = await redis.keys(`${ns}:*`)
    assert.equal(keys.length, 3)
    assert.ok(keys.every((k) => k.startsWith(`${ns}:dedup:{p7}:`)))
  })
})
