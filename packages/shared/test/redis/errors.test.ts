import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { RedisDedupStore } from '../../src/redis/dedup-store.ts'
import { redisErrorCounter } from '../../src/redis/errors.ts'
import { RedisAccessError } from '../../src/redis/refusal.ts'

const value = async (registry: Registry, operation: string): Promise<number | undefined> => {
  const text = await registry.metrics()
  const match = new RegExp(
    `^healthstream_redis_errors_total\\{operation="${operation}"\\} (\\S+)$`,
    'm',
  ).exec(text)
  return match ? Number(match[1]) : undefined
}

describe('the Redis error counter', () => {
  it('shows each operation it is given at 0 before anything failed, and no other', async () => {
    const registry = new Registry()
    redisErrorCounter(registry, ['connection', 'dedup'])
    assert.equal(await value(registry, 'connection'), 0)
    assert.equal(await value(registry, 'dedup'), 0)
    assert.equal(await value(registry, 'load'), undefined)
  })

  it('counts a duplicate check that Redis failed, and throws the error on for the batch to be retried', async () => {
    const registry = new Registry()
    const count = redisErrorCounter(registry, ['connection', 'dedup'])
    const failing = {
      healthstreamSeen: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    } as unknown as Redis
    const store = new RedisDedupStore(failing, 'ns', 3, count)
    await assert.rejects(store.seen(['a', 'b'], 60_000), /ECONNREFUSED/)
    await assert.rejects(store.seen(['c'], 60_000), /ECONNREFUSED/)
    assert.equal(await value(registry, 'dedup'), 2)
    assert.equal(await value(registry, 'connection'), 0)
  })

  it('stops on a key its ACL refuses, rather than retrying a batch that fails the same way each time', async () => {
    const refusing = {
      healthstreamSeen: () =>
        Promise.reject(
          new Error('NOPERM this user has no permissions to access one of the keys used as arguments'),
        ),
    } as unknown as Redis
    const store = new RedisDedupStore(refusing, 'ns', 3)
    await assert.rejects(store.seen(['a'], 60_000), (e) => e instanceof RedisAccessError && !e.canRetry)
  })
})
