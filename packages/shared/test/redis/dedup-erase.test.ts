import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dedupKey } from '../../src/domain/dedup.ts'
import { dedupMarkPattern, dedupMarkUser, globEscape } from '../../src/redis/dedup-erase.ts'

describe('the keys an erasure selects among the duplicate marks', () => {
  it('reads the user of a mark from its length-prefixed key, in any partition', () => {
    assert.equal(dedupMarkUser(`hs:dedup:{p0}:${dedupKey('alice', 's1')}`, 'hs'), 'alice')
    assert.equal(dedupMarkUser(`hs:dedup:{p12}:${dedupKey('a:b', 'c')}`, 'hs'), 'a:b')
  })

  it("takes bob's mark whose sample id looks like alice's for bob's", () => {
    assert.equal(dedupMarkUser(`hs:dedup:{p1}:${dedupKey('bob', '}:5:alice:x')}`, 'hs'), 'bob')
  })

  it('selects nothing of another namespace or of malformed keys', () => {
    assert.equal(dedupMarkUser(`other:dedup:{p0}:${dedupKey('alice', 's1')}`, 'hs'), undefined)
    assert.equal(dedupMarkUser('hs:dedup:{p0}:9:alice:s1', 'hs'), undefined)
    assert.equal(dedupMarkUser('hs:dedup:{px}:5:alice:s1', 'hs'), undefined)
    assert.equal(dedupMarkUser('hs:agg:{agg-p0}:u:alice', 'hs'), undefined)
  })

  it('matches a user with glob characters literally', () => {
    assert.equal(globEscape('a*b?[c]\\'), 'a\\*b\\?\\[c\\]\\\\')
    assert.equal(dedupMarkPattern('hs', 'al*ce'), 'hs:dedup:{p*}:5:al\\*ce:*')
  })
})
