/**
 * The validator's duplicate store on the stack's Redis as its ACL user `healthstream-validator`,
 * reached as the service reaches it (its Redis keys → `connectRedis`): with the password in the URL on
 * the plain port, from a password file over TLS with the stack's CA, and with a client certificate
 * too. A wrong password, an untrusted server and a command or key outside the user's ACL are refused
 * with errors that say so, and never show the password.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { inspect } from 'node:util'
import {
  endpoint,
  type RedisEnvOptions,
  redisEnv,
  redisPassword,
  redisUserOf,
  uniqueName,
} from '@healthstream/testkit/stack'
import type { Cluster, Redis } from 'ioredis'
import { loadConfig } from '../../src/platform/config.ts'
import { redisConfig, redisConnectOptions } from '../../src/redis/config.ts'
import { connectRedis, type RedisConnectOptions, redisStartup } from '../../src/redis/connect.ts'
import { dedupAccess, RedisDedupStore } from '../../src/redis/dedup-store.ts'
import { accessError, RedisAccessError } from '../../src/redis/refusal.ts'

const USER = redisUserOf('validator')
const PASSWORD = redisPassword(USER)
const clients: (Redis | Cluster)[] = []
after(() => {
  for (const c of clients) c.disconnect()
})

/** A client as the validator makes one from its keys. */
const asService = (options: RedisEnvOptions): RedisConnectOptions =>
  redisConnectOptions(loadConfig(redisConfig('tests'), redisEnv(USER, options)))

async function ready(options: RedisConnectOptions): Promise<Redis | Cluster> {
  const client = connectRedis({ ...options, maxRetriesPerRequest: 0 })
  clients.push(client)
  assert.deepEqual(await redisStartup(client, 5000), { state: 'ready' })
  return client
}

async function checksDuplicates(client: Redis | Cluster): Promise<void> {
  const store = new RedisDedupStore(client, uniqueName('acl'), 3)
  assert.deepEqual(await store.seen(['a', 'b', 'a'], 60_000), [false, false, true])
  assert.deepEqual(await store.seen(['b', 'c'], 60_000, ['o1', 'o2']), [true, false])
}

/** Everything an operator could see of `error`, which must not hold the password. */
const shown = (error: unknown): string => `${String(error)}\n${inspect(error, { depth: 10 })}`

describe('the duplicate store as the ACL user healthstream-validator', () => {
  it('checks duplicates with the password in REDIS_URL, on the plain port', async () => {
    const url = new URL(endpoint('REDIS_URL'))
    url.username = USER
    url.password = PASSWORD
    await checksDuplicates(await ready({ url: url.href, cluster: false }))
  })

  it('checks duplicates over TLS, trusting the stack’s CA, the password from REDIS_PASSWORD_FILE', async () => {
    const options = asService({ tls: true })
    assert.match(options.url, /^rediss:/)
    await checksDuplicates(await ready(options))
  })

  it('checks duplicates over mutual TLS, presenting the stack’s client certificate', async () => {
    await checksDuplicates(await ready(asService({ tls: true, clientCertificate: true })))
  })

  it('refuses a wrong password at start-up, naming the keys and showing no password', async () => {
    const wrong = `${PASSWORD}-wrong`
    const client = connectRedis({ ...asService({ tls: false }), password: wrong, maxRetriesPerRequest: 0 })
    clients.push(client)
    const events: unknown[] = []
    client.on('error', (error) => events.push(error))
    const refused = await redisStartup(client, 5000).catch((error: unknown) => error)
    assert.ok(refused instanceof RedisAccessError, String(refused))
    assert.equal(refused.kind, 'credentials')
    assert.match(refused.message, /REDIS_USERNAME and REDIS_PASSWORD\): WRONGPASS/)
    // What a logger would print of the client's own errors and of a command that was waiting
    const command = await new RedisDedupStore(client, 'ns', 1).seen(['k'], 1000).catch((e: unknown) => e)
    for (const error of [refused, command, ...events]) {
      assert.ok(!shown(error).includes(wrong), shown(error))
      assert.ok(!shown(error).includes(PASSWORD))
    }
    // ioredis hangs the failed AUTH, user and password, on the error it emits: blanked
    const auth = events.map((e) => (e as { command?: { name: string; args: string[] } }).command)
    assert.deepEqual(auth.find((c) => c?.name === 'auth')?.args, ['***', '***'])
  })

  it('refuses a server whose certificate it cannot trust (no CA given)', async () => {
    const { tls: _trusted, ...untrusting } = asService({ tls: true })
    const client = connectRedis({ ...untrusting, maxRetriesPerRequest: 0 })
    clients.push(client)
    client.on('error', () => undefined)
    const refused = await redisStartup(client, 5000).catch((error: unknown) => error)
    assert.ok(refused instanceof RedisAccessError)
    assert.equal(refused.kind, 'tls')
    assert.match(refused.message, /REDIS_TLS_CA_FILE.*SELF_SIGNED_CERT_IN_CHAIN/)
  })

  it('is refused commands and keys outside its ACL, with an error that is not retried', async () => {
    const client = await ready(asService({ tls: false }))
    const ns = uniqueName('acl')
    for (const call of [
      () => client.keys('*'),
      () => client.get(`${ns}:agg:{agg-p0}:meta`),
      () => client.flushall(),
    ]) {
      const error = accessError(
        await call().then(
          () => assert.fail('allowed'),
          (e: unknown) => e,
        ),
      )
      assert.ok(error instanceof RedisAccessError)
      assert.equal(error.canRetry, false)
      assert.match(error.message, /NOPERM/)
    }
  })

  it('is allowed exactly what dedupAccess lists, on any namespace of the stack', async () => {
    const admin = connectRedis({ url: endpoint('REDIS_URL'), cluster: false }) as Redis
    clients.push(admin)
    const rules = (await admin.call('ACL', 'GETUSER', USER)) as unknown[]
    const at = (field: string) => String(rules[rules.indexOf(field) + 1])
    assert.equal(at('keys'), '~*:dedup:*')
    const allowed = at('commands')
      .split(' ')
      .filter((c) => c.startsWith('+'))
      .map((c) => c.slice(1))
    assert.deepEqual(allowed.sort(), [...dedupAccess().commands, 'info', 'ping', 'quit'].sort())
  })
})
