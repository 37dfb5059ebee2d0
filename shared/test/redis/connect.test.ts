import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clusterOptions } from '../../src/redis/connect.ts'

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
})
