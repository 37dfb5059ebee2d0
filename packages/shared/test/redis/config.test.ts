import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'
import { redisConfig, redisConfigProblems, redisConnectOptions } from '../../src/redis/config.ts'

const spec = redisConfig('the tests')
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----'
const files: Record<string, string> = {
  '/run/secrets/redis-password': 'file-pass-7f3a\n',
  '/etc/redis-tls/ca.crt': `${CA}\n`,
  '/etc/redis-tls/client.crt': CA,
  '/etc/redis-tls/client.key': KEY,
}
const readFile = (path: string): string => {
  const text = files[path]
  if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
  return text
}
const load = (env: Record<string, string>) => loadConfig(spec, env, readFile)

/** The message loading `env` fails with. */
function failure(env: Record<string, string>): string {
  try {
    load(env)
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.message
  }
  assert.fail('expected a ConfigError')
}

describe('the Redis keys', () => {
  it('connect to the local stack without a password or TLS when nothing is set', () => {
    assert.deepEqual(redisConnectOptions(load({})), {
      url: 'redis://127.0.0.1:16379',
      cluster: false,
      tls: {},
    })
  })

  it('take the password from a Secret file and the user apart, over the URL’s', () => {
    const config = load({
      REDIS_URL: 'redis://old:old-pass@redis:6379',
      REDIS_USERNAME: 'healthstream-validator',
      REDIS_PASSWORD_FILE: '/run/secrets/redis-password',
    })
    assert.deepEqual(redisConfigProblems(config), [])
    const options = redisConnectOptions(config)
    assert.equal(options.username, 'healthstream-validator')
    assert.equal(options.password, 'file-pass-7f3a')
  })

  it('read the CA, a client certificate and its key from files for rediss://', () => {
    const config = load({
      REDIS_URL: 'rediss://redis.example:6380',
      REDIS_CLUSTER: 'true',
      REDIS_TLS_CA_FILE: '/etc/redis-tls/ca.crt',
      REDIS_TLS_CERT_FILE: '/etc/redis-tls/client.crt',
      REDIS_TLS_KEY_FILE: '/etc/redis-tls/client.key',
      REDIS_TLS_SERVERNAME: 'redis.internal',
    })
    assert.deepEqual(redisConfigProblems(config), [])
    assert.deepEqual(redisConnectOptions(config), {
      url: 'rediss://redis.example:6380',
      cluster: true,
      tls: { ca: CA, cert: CA, key: KEY, servername: 'redis.internal' },
    })
  })

  const problems: [string, Record<string, string>, RegExp][] = [
    [
      'TLS settings with a plain redis:// URL',
      { REDIS_TLS_CA_FILE: '/etc/redis-tls/ca.crt', REDIS_TLS_SERVERNAME: 'r' },
      /^REDIS_TLS_CA, REDIS_TLS_SERVERNAME set, but REDIS_URL is redis:\/\/ \(no TLS\): use rediss:\/\//,
    ],
    [
      'a client certificate without its key',
      { REDIS_URL: 'rediss://r:6380', REDIS_TLS_CERT_FILE: '/etc/redis-tls/client.crt' },
      /^REDIS_TLS_CERT and REDIS_TLS_KEY \(or their _FILE forms\) go together$/,
    ],
    [
      'a user without a password, which would silently connect as default',
      { REDIS_USERNAME: 'healthstream-aggregator' },
      /^REDIS_USERNAME is set without a password/,
    ],
  ]
  for (const [name, env, expected] of problems) {
    it(`find ${name}`, () => {
      const found = redisConfigProblems(load(env))
      assert.equal(found.length, 1, found.join('; '))
      assert.match(found[0]!, expected)
    })
  }

  const malformed: [string, Record<string, string>, RegExp, string][] = [
    [
      'a URL whose password breaks it',
      { REDIS_URL: 'redis://app:pa#ss9@redis:6379' },
      /REDIS_URL is invalid: expected redis:\/\/\[user:password@\]host:port/,
      'ss9',
    ],
    [
      'another scheme',
      { REDIS_URL: 'http://app:hunter22@redis:6379' },
      /REDIS_URL is invalid: expected the scheme redis: or rediss:, not http:/,
      'hunter22',
    ],
    [
      'options in the query',
      { REDIS_URL: 'redis://app:hunter22@redis:6379?password=x' },
      /REDIS_URL is invalid: query and fragment are not read/,
      'hunter22',
    ],
    [
      'a key that is no PEM',
      { REDIS_URL: 'rediss://r', REDIS_TLS_KEY: 'not-a-key-hunter22' },
      /REDIS_TLS_KEY is invalid: expected PEM with a PRIVATE KEY block/,
      'hunter22',
    ],
    [
      'a CA file that is missing',
      { REDIS_URL: 'rediss://r', REDIS_TLS_CA_FILE: '/nowhere/ca.crt' },
      /REDIS_TLS_CA_FILE="\/nowhere\/ca.crt" cannot be read: ENOENT/,
      'never-shown',
    ],
    [
      'the password both inline and in a file',
      { REDIS_PASSWORD: 'hunter22', REDIS_PASSWORD_FILE: '/run/secrets/redis-password' },
      /set REDIS_PASSWORD or REDIS_PASSWORD_FILE, not both/,
      'hunter22',
    ],
  ]
  for (const [name, env, expected, secret] of malformed) {
    it(`stop start-up on ${name}, naming the variable and never showing the value`, () => {
      const message = failure(env)
      assert.match(message, expected)
      assert.ok(!message.includes(secret), message)
    })
  }
})
