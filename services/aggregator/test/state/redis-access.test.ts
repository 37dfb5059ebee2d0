import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { aggregateStoreAccess } from '../../src/state/redis-access.ts'

describe("the aggregator's Redis access", () => {
  it('is its scripts, the commands they call and the store’s own, on the namespace’s agg keys', () => {
    assert.deepEqual(aggregateStoreAccess('healthstream'), {
      commands: [
        ...['del', 'eval', 'evalsha', 'get', 'hgetall', 'hincrby', 'hset', 'sadd', 'set', 'smembers'],
        ...['srem', 'zadd', 'zrange', 'zrangebyscore', 'zrem'],
      ],
      keys: ['healthstream:agg:*'],
    })
  })

  it('allows no command that deletes or lists a whole keyspace', () => {
    const { commands } = aggregateStoreAccess()
    for (const wide of ['keys', 'scan', 'flushall', 'flushdb', 'config', 'script', 'acl'])
      assert.ok(!commands.includes(wide), wide)
  })
})
