import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { dedupKey } from '../../src/domain/dedup.ts'
import { eraseDedupMarks } from '../../src/redis/dedup-erase.ts'
import { RedisDedupStore } from '../../src/redis/dedup-store.ts'

const redis = new Redis(endpoint('REDIS_URL'))
const namespaces: string[] = []
after(async () => {
  for (const ns of namespaces) {
    const keys = await redis.keys(`${ns}:*`)
    if (keys.length > 0) await redis.del(...keys)
  }
  await redis.quit()
})

describe('eraseDedupMarks', () => {
  for (const many of [false, true])
    it(`deletes every mark of the erased users in every partition and no other (${many ? 'one pass over all marks' : 'a pass per user'})`, async () => {
      const ns = uniqueName('dedup-erase')
      namespaces.push(ns)
      const mark = (p: number, user: string, sample: string) =>
        new RedisDedupStore(redis, ns, p).seen([dedupKey(user, sample)], 60_000)
      await mark(0, 'alice', 's1')
      await mark(0, 'alice', 's2')
      await mark(3, 'alice', 's3')
      await mark(0, 'bob', '}:5:alice:x') // a sample id that looks like alice's key
      await mark(1, 'alice*', 's1') // a glob character in another id
      const others = many ? Array.from({ length: 9 }, (_, i) => `nobody-${i}`) : []
      assert.deepEqual(await eraseDedupMarks(redis, ns, ['alice', ...others]), { marks: 3 })
      const left = (await redis.keys(`${ns}:dedup:*`)).sort()
      assert.deepEqual(left, [
        `${ns}:dedup:{p0}:${dedupKey('bob', '}:5:alice:x')}`,
        `${ns}:dedup:{p1}:${dedupKey('alice*', 's1')}`,
      ])
      // a later sample of alice is new again
      assert.deepEqual(await new RedisDedupStore(redis, ns, 0).seen([dedupKey('alice', 's1')], 60_000), [
        false,
      ])
    })
})
