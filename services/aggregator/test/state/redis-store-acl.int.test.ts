/**
 * `RedisAggregateStore` as the aggregator's ACL user, which may do only what `aggregateStoreAccess`
 * lists: the store contract over TLS on the stack's Redis (`healthstream-aggregator`, the stack's CA,
 * the password from its file) and on a TLS-only Redis Cluster whose user, as production would write
 * it, owns one namespace. A user without the store's commands or keys gets `FORBIDDEN`, not retried.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { loadConfig } from '@healthstream/shared/platform'
import {
  connectRedis,
  type RedisConnectOptions,
  redisConfig,
  redisConnectOptions,
  redisStartup,
} from '@healthstream/shared/redis'
import {
  endpoint,
  redisEnv,
  redisUserOf,
  stackRedisTls,
  startRedisCluster,
  uniqueName,
} from '@healthstream/testkit/stack'
import { type Cluster, Redis } from 'ioredis'
import { aggregateStoreAccess } from '../../src/state/redis-access.ts'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { AggregateStoreError } from '../../src/windows/store.ts'
import { dropNamespace } from '../support/redis-namespace.ts'
import { us } from '../support/samples.ts'
import { describeStoreContract } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/** A client from a service's Redis keys, ready. */
async function asUser(options: RedisConnectOptions): Promise<Redis | Cluster> {
  const client = connectRedis(options)
  client.on('error', () => undefined)
  assert.deepEqual(await redisStartup(client, 10_000), { state: 'ready' })
  return client
}
const fromEnv = (env: Record<string, string>): RedisConnectOptions =>
  redisConnectOptions(loadConfig(redisConfig('tests'), env))

const admin = new Redis(endpoint('REDIS_URL'))
const stackUser = await asUser(fromEnv(redisEnv(redisUserOf('aggregator'), { tls: true })))
const namespaces: string[] = []

// The cluster's user owns the namespaces under one prefix, as a production ACL would own one
const CLUSTER_NS = uniqueName('agg-acl')
const PASSWORD = uniqueName('aggregator-pw')
const tls = stackRedisTls()
const cluster = await startRedisCluster(3, {
  users: [
    { name: 'aggregator', passwordSha256: sha256(PASSWORD), access: aggregateStoreAccess(`${CLUSTER_NS}*`) },
  ],
  tls,
})
const clusterUser = await asUser({
  url: cluster.url,
  cluster: true,
  username: 'aggregator',
  password: PASSWORD,
  tls: { ca: readFileSync(tls.ca, 'utf8') },
})

after(async () => {
  for (const ns of namespaces) await dropNamespace(admin, ns)
  for (const c of [admin, stackUser, clusterUser]) c.disconnect()
  await cluster.stop()
})

describeStoreContract('RedisAggregateStore as healthstream-aggregator over TLS', () => {
  namespaces.push(uniqueName('agg-acl'))
  return new RedisAggregateStore(stackUser, { namespace: namespaces.at(-1)! })
})

// The contract wants a fresh namespace per store: the user owns those under CLUSTER_NS
let stores = 0
describeStoreContract(
  'RedisAggregateStore as an ACL user on a TLS Redis Cluster',
  () => new RedisAggregateStore(clusterUser, { namespace: `${CLUSTER_NS}-${++stores}` }),
)

describe('the aggregate store as a user its ACL does not fit', () => {
  it('is FORBIDDEN, not retried, with the validator’s user (no HGETALL, no agg keys)', async () => {
    const validator = await asUser(fromEnv(redisEnv(redisUserOf('validator'), { tls: true })))
    try {
      const store = new RedisAggregateStore(validator, { namespace: uniqueName('agg-acl') })
      await assert.rejects(store.claim(0, 1, NOW), (e) => {
        assert.ok(e instanceof AggregateStoreError)
        assert.equal(e.code, 'FORBIDDEN')
        assert.equal(e.canRetry, false)
        assert.match(e.message, /refused a command or key to this service's user/)
        return true
      })
    } finally {
      validator.disconnect()
    }
  })

  it('is FORBIDDEN in another namespace than its own on the cluster', async () => {
    const store = new RedisAggregateStore(clusterUser, { namespace: uniqueName('agg-other') })
    await assert.rejects(
      store.claim(0, 1, NOW),
      (e) => e instanceof AggregateStoreError && e.code === 'FORBIDDEN',
    )
  })
})
