import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clusterOptions, seedNode } from '../../src/redis/connect.ts'

describe('clusterOptions', () => {
  const cases: [string, string, object][] = [
    ['no credentials', 'redis://10.0.0.5:7000', { maxRetriesPerRequest: 3 }],
    ['a password', 'redis://:s3cret@redis:6379', { maxRetriesPerRequest: 3, password: 's3cret' }],
    [
      'a user and an escaped password, over TLS',
      'rediss://app:p%40ss%3Aword@redis.example:6380',
      { maxRetriesPerRequest: 3, username: 'app', password: 'p@ss:word', tls: {} },
    ],
  ]
  for (const [name, url, expected] of cases) {
    it(`gives every discovered node the seed's settings: ${name}`, () => {
      assert.deepEqual(clusterOptions(url, 3).redisOptions, expected)
    })
  }

  it('fails commands while the cluster is unreachable instead of queueing them', () => {
    assert.equal(clusterOptions('redis://a:1', 3).enableOfflineQueue, false)
  })

  it('leaves host names unresolved over TLS only, so certificates for the name match', () => {
    assert.equal(clusterOptions('redis://a:1', 3).dnsLookup, undefined)
    const lookup = clusterOptions('rediss://cache.example:6380', 3).dnsLookup!
    let resolved: string | undefined
    lookup('node-1.cache.example', (_error, address) => {
      resolved = address
    })
    assert.equal(resolved, 'node-1.cache.example')
  })
})

describe('seedNode', () => {
  const cases: [string, { host: string; port: number }][] = [
    ['redis://10.0.0.5:7000', { host: '10.0.0.5', port: 7000 }],
    ['redis://redis', { host: 'redis', port: 6379 }],
    ['rediss://:pw@[::1]:7001', { host: '::1', port: 7001 }],
  ]
  for (const [url, expected] of cases) it(url, () => assert.deepEqual(seedNode(url), expected))
})
