/**
 * The duplicate store on a 3-node Redis Cluster that speaks TLS only (clients and cluster bus, the
 * stack's certificates), wants a password of `default` and has an ACL user for the validator as
 * production would write it: its one namespace, the cluster commands (`dedupAccess` + `aclUserRule`).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { nodeOfKeys, stackRedisTls, startRedisCluster, uniqueName } from '@healthstream/testkit/stack'
import type { Cluster } from 'ioredis'
import { connectRedis, type RedisConnectOptions, redisStartup } from '../../src/redis/connect.ts'
import { dedupAccess, RedisDedupStore } from '../../src/redis/dedup-store.ts'
import { RedisAccessError } from '../../src/redis/refusal.ts'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const NAMESPACE = uniqueName('cluster-acl')
const PASSWORD = uniqueName('validator-pw')
const ADMIN_PASSWORD = uniqueName('admin-pw')
const tls = stackRedisTls()
const cluster = await startRedisCluster(3, {
  defaultPassword: ADMIN_PASSWORD,
  users: [{ name: 'validator', passwordSha256: sha256(PASSWORD), access: dedupAccess(NAMESPACE) }],
  tls,
})
const clients: Cluster[] = []
after(async () => {
  for (const c of clients) c.disconnect()
  await cluster.stop()
})

const options = (more: Partial<RedisConnectOptions>): RedisConnectOptions => ({
  url: cluster.url,
  cluster: true,
  tls: { ca: readFileSync(tls.ca, 'utf8') },
  ...more,
})

function client(more: Partial<RedisConnectOptions>): Cluster {
  const c = connectRedis(options(more)) as Cluster
  c.on('error', () => undefined) // refusals are what these tests look at, through redisStartup
  clients.push(c)
  return c
}

describe('a TLS Redis Cluster with ACL users', () => {
  it('serves the validator’s user its duplicate checks, on all three nodes', async () => {
    const redis = client({ username: 'validator', password: PASSWORD })
    assert.deepEqual(await redisStartup(redis, 10_000), { state: 'ready' })
    for (let p = 0; p < 6; p++) {
      const store = new RedisDedupStore(redis, NAMESPACE, p)
      assert.deepEqual(await store.seen(['a', 'b', 'a'], 60_000), [false, false, true])
    }
    const admin = client({ password: ADMIN_PASSWORD })
    assert.deepEqual(await redisStartup(admin, 10_000), { state: 'ready' })
    const holders = await nodeOfKeys(admin, `${NAMESPACE}:dedup:`)
    assert.equal(holders.size, 6 * 2)
    assert.ok(new Set(holders.values()).size > 1, 'the partitions landed on more than one node')
  })

  it('refuses the user another namespace, with an error the loop does not retry', async () => {
    const redis = client({ username: 'validator', password: PASSWORD })
    await redisStartup(redis, 10_000)
    const other = new RedisDedupStore(redis, `${NAMESPACE}-other`, 1)
    await assert.rejects(other.seen(['a'], 60_000), (e) => e instanceof RedisAccessError && !e.canRetry)
  })

  it('refuses a wrong password, and no password at all, at start-up', async () => {
    for (const [more, expected] of [
      [{ username: 'validator', password: `${PASSWORD}-wrong` }, /WRONGPASS/],
      [{}, /NOAUTH/],
    ] as const) {
      const refused = await redisStartup(client(more), 10_000).catch((e: unknown) => e)
      assert.ok(refused instanceof RedisAccessError, String(refused))
      assert.equal(refused.kind, 'credentials')
      assert.match(refused.message, expected)
      assert.ok(!refused.message.includes(PASSWORD))
    }
  })
})
