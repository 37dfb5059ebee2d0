import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RedisOperation } from '@healthstream/shared/redis'
import type { Redis } from 'ioredis'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { AggregateStoreError } from '../../src/windows/store.ts'

/** A client whose every command fails as a script error or a lost connection would. */
function failingRedis(message: string): Redis {
  const reject = () => Promise.reject(new Error(message))
  const client: Record<string, unknown> = { smembers: reject, sadd: reject, getBuffer: reject }
  client.defineCommand = (name: string) => {
    client[name] = reject
    client[`${name}Buffer`] = reject
  }
  return client as unknown as Redis
}

describe('the Redis aggregate store, when Redis fails', () => {
  it('counts each failed call by operation and throws a typed error the loop retries on', async () => {
    const failed: RedisOperation[] = []
    const store = new RedisAggregateStore(failingRedis('connect ECONNREFUSED'), {
      onError: (operation) => failed.push(operation),
    })
    await assert.rejects(
      store.claim(0, 1, 0),
      (e) => e instanceof AggregateStoreError && e.code === 'UNAVAILABLE',
    )
    await assert.rejects(store.readTick(0, 1), AggregateStoreError)
    await assert.rejects(store.query({ userId: 'u' }), AggregateStoreError)
    assert.deepEqual(failed, ['claim', 'read', 'query'])
  })

  it('stops on a command or key its ACL refuses: FORBIDDEN, not retried', async () => {
    const store = new RedisAggregateStore(
      failingRedis("ERR The user executing the script can't access at least one of the keys"),
    )
    await assert.rejects(
      store.claim(0, 1, 0),
      (e) => e instanceof AggregateStoreError && e.code === 'FORBIDDEN' && !e.canRetry,
    )
    const fenced = new RedisAggregateStore(failingRedis('FENCED epoch 3 < 4'))
    await assert.rejects(fenced.claim(0, 1, 0), (e) => e instanceof AggregateStoreError && e.canRetry)
  })

  it('counts a fenced commit too: the call failed, whatever the reason', async () => {
    const failed: RedisOperation[] = []
    const store = new RedisAggregateStore(failingRedis('FENCED epoch 3 < 4'), {
      onError: (operation) => failed.push(operation),
    })
    await assert.rejects(store.claim(0, 1, 0), (e) => e instanceof AggregateStoreError && e.code === 'FENCED')
    assert.deepEqual(failed, ['claim'])
  })
})
