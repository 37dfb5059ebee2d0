import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InMemoryDedupStore } from '@healthstream/testkit/memory'
import fc from 'fast-check'
import { dedupKey, dedupOwner } from '../../src/domain/index.ts'
import { healthSample } from './fixtures.ts'

describe('dedupKey', () => {
  it('keeps ids that contain the separator apart', () => {
    assert.notEqual(dedupKey('a:b', 'c'), dedupKey('a', 'b:c'))
  })
  it('is injective on (userId, sampleId) pairs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (u1, s1, u2, s2) => {
        fc.pre(u1 !== u2 || s1 !== s2)
        assert.notEqual(dedupKey(u1, s1), dedupKey(u2, s2))
      }),
    )
  })
})

describe('dedupOwner', () => {
  it('names the occurrence by its raw topic, partition, offset and index', () => {
    assert.equal(dedupOwner(healthSample({ sourceIndex: 4 })), 'health-data-raw:3:1200:4')
  })
})

describe('InMemoryDedupStore', () => {
  const horizon = 1000

  it('answers false the first time and true for a later copy', async () => {
    const store = new InMemoryDedupStore(() => 0)
    assert.deepEqual(await store.seen(['k1', 'k2'], horizon), [false, false])
    assert.deepEqual(await store.seen(['k2', 'k3'], horizon), [true, false])
  })

  it('sees a key repeated within one call as a duplicate', async () => {
    const store = new InMemoryDedupStore(() => 0)
    assert.deepEqual(await store.seen(['k', 'k'], horizon), [false, true])
  })

  it('forgets a key once the horizon has passed', async () => {
    let now = 0
    const store = new InMemoryDedupStore(() => now)
    await store.seen(['k'], horizon)
    now = 999
    assert.deepEqual(await store.seen(['k'], horizon), [true])
    now = 1000
    assert.deepEqual(await store.seen(['k'], horizon), [false])
    assert.equal(store.size, 1)
  })

  it('does not count a replay by the same owner as a duplicate, but a copy by another owner', async () => {
    const store = new InMemoryDedupStore(() => 0)
    assert.deepEqual(await store.seen(['k'], horizon, ['raw:0:10:0']), [false])
    assert.deepEqual(await store.seen(['k', 'k'], horizon, ['raw:0:10:0', 'raw:0:11:0']), [false, true])
  })

  it('refuses owners that do not match the keys one to one', async () => {
    const store = new InMemoryDedupStore(() => 0)
    await assert.rejects(store.seen(['a', 'b'], horizon, ['o']), RangeError)
  })
})
