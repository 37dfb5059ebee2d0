/** Integration test against the stack's real Redis (`npm run stack -- up redis`). */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { serverDir } from '../paths.ts'
import { REDIS_USERS } from '../redis-acl.ts'

function connect(t: { after(fn: () => unknown): void }): Redis {
  // Fail fast instead of queueing commands while reconnecting forever.
  const client = new Redis(endpoint('REDIS_URL'), { maxRetriesPerRequest: 1, lazyConnect: true })
  t.after(() => client.quit())
  return client
}

test('SET/GET round trip with a unique key', async (t) => {
  const client = connect(t)
  const key = uniqueName('stack-test')
  const value = `value-${Math.random()}`
  assert.equal(await client.set(key, value, 'EX', 60), 'OK')
  assert.equal(await client.get(key), value)
  await client.del(key)
  assert.equal(await client.get(key), null)
})

test('INCR counts atomically', async (t) => {
  const client = connect(t)
  const key = uniqueName('stack-counter')
  await Promise.all(Array.from({ length: 20 }, () => client.incr(key)))
  assert.equal(await client.incr(key), 21)
  await client.del(key)
})

test('Lua EVAL runs on the server', async (t) => {
  const client = connect(t)
  const key = uniqueName('stack-lua')
  // Set-if-greater, the kind of compare-and-set the services use scripts for.
  const script = `
    local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
    if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
    return 0`
  assert.equal(await client.eval(script, 1, key, '5'), 1)
  assert.equal(await client.eval(script, 1, key, '3'), 0)
  assert.equal(await client.get(key), '5')
  await client.del(key)
})

test('persistence is append-only (AOF), so a restart keeps the data', async (t) => {
  const client = connect(t)
  assert.deepEqual(await client.config('GET', 'appendonly'), ['appendonly', 'yes'])
  assert.deepEqual(await client.config('GET', 'appendfsync'), ['appendfsync', 'everysec'])
})

test('TLS on its own port: the stack’s CA is trusted, and a client certificate is taken', async (t) => {
  const ca = readFileSync(endpoint('REDIS_CA_FILE'))
  const dir = endpoint('REDIS_TLS_DIR')
  for (const cert of [
    {},
    { cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) },
  ]) {
    const client = new Redis(endpoint('REDIS_TLS_URL'), { maxRetriesPerRequest: 1, tls: { ca, ...cert } })
    t.after(() => client.disconnect())
    assert.equal(await client.ping(), 'PONG')
  }
})

test('an ACL user per service, its password in a 0600 file and only its hash in redis.conf', async (t) => {
  const client = connect(t)
  const config = readFileSync(join(serverDir('redis'), 'redis.conf'), 'utf8')
  for (const user of Object.keys(REDIS_USERS)) {
    const file = join(endpoint('REDIS_ACL_PASSWORDS_DIR'), user)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const password = readFileSync(file, 'utf8').trim()
    assert.ok(!config.includes(password), `redis.conf holds ${user}'s password`)
    const rules = (await client.call('ACL', 'GETUSER', user)) as unknown[]
    assert.ok((rules[rules.indexOf('flags') + 1] as string[]).includes('on'))
    const asUser = new Redis(endpoint('REDIS_URL'), { username: user, password, maxRetriesPerRequest: 1 })
    t.after(() => asUser.disconnect())
    assert.equal(await asUser.ping(), 'PONG')
    await assert.rejects(asUser.flushall(), /NOPERM/)
  }
})
