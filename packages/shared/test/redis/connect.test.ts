import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clusterOptions, nodeOptions, type RedisConnectOptions, seedNode } from '../../src/redis/connect.ts'

const options = (url: string, more: Partial<RedisConnectOptions> = {}): RedisConnectOptions => ({
  url,
  cluster: true,
  ...more,
})
const base = { maxRetriesPerRequest: 3, disableClientInfo: true }

describe('clusterOptions', () => {
  const cases: [string, RedisConnectOptions, object][] = [
    ['no credentials', options('redis://10.0.0.5:7000'), base],
    ['a password', options('redis://:s3cret@redis:6379'), { ...base, password: 's3cret' }],
    [
      'a user and an escaped password, over TLS',
      options('rediss://app:p%40ss%3Aword@redis.example:6380'),
      { ...base, username: 'app', password: 'p@ss:word', tls: {} },
    ],
    [
      "a user and password given apart, over the URL's",
      options('redis://app:old@redis:6379', { username: 'validator', password: 'new' }),
      { ...base, username: 'validator', password: 'new' },
    ],
    [
      'the CA, a client certificate and the expected name, over TLS',
      options('rediss://redis:6380', {
        tls: { ca: 'CA', cert: 'CERT', key: 'KEY', servername: 'r.example' },
      }),
      { ...base, tls: { ca: 'CA', cert: 'CERT', key: 'KEY', servername: 'r.example' } },
    ],
    ['no TLS settings without rediss:', options('redis://redis:6379', { tls: { ca: 'CA' } }), base],
  ]
  for (const [name, given, expected] of cases) {
    it(`gives every discovered node the seed's settings: ${name}`, () => {
      assert.deepEqual(clusterOptions(given).redisOptions, expected)
    })
  }

  it('fails commands while the cluster is unreachable instead of queueing them', () => {
    assert.equal(clusterOptions(options('redis://a:1')).enableOfflineQueue, false)
  })

  it('leaves host names unresolved over TLS only, so certificates for the name match', () => {
    assert.equal(clusterOptions(options('redis://a:1')).dnsLookup, undefined)
    const lookup = clusterOptions(options('rediss://cache.example:6380')).dnsLookup!
    let resolved: string | undefined
    lookup('node-1.cache.example', (_error, address) => {
      resolved = address
    })
    assert.equal(resolved, 'node-1.cache.example')
  })
})

describe('nodeOptions', () => {
  it('takes host, port and database from the URL, the rest as a cluster node would', () => {
    assert.deepEqual(
      nodeOptions({ url: 'rediss://app:pw@redis.example:6380/2', cluster: false, tls: { ca: 'CA' } }),
      {
        host: 'redis.example',
        port: 6380,
        db: 2,
        ...base,
        username: 'app',
        password: 'pw',
        tls: { ca: 'CA' },
      },
    )
  })

  it('bounds the retries per command as asked', () => {
    assert.equal(
      nodeOptions({ url: 'redis://r', cluster: false, maxRetriesPerRequest: 1 }).maxRetriesPerRequest,
      1,
    )
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
