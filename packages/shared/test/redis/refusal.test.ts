import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'
import {
  accessError,
  RedisAccessError,
  type RefusalKind,
  redactRedisError,
  redisRefusal,
} from '../../src/redis/refusal.ts'

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

describe('redisRefusal', () => {
  const cases: [string, unknown, RefusalKind | undefined][] = [
    [
      'a wrong password',
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      'credentials',
    ],
    ['no password', new Error('NOAUTH Authentication required.'), 'credentials'],
    [
      'a command outside the ACL',
      new Error("NOPERM this user has no permissions to run the 'keys' command"),
      'permission',
    ],
    [
      'the ready check outside the ACL',
      new Error("Ready check failed: NOPERM … 'info' command"),
      'permission',
    ],
    [
      'a key outside the ACL, inside a script',
      new Error("ERR The user executing the script can't access at least one of the keys mentioned"),
      'permission',
    ],
    [
      'an untrusted certificate',
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'tls',
    ],
    [
      'a certificate for another name',
      withCode('Hostname/IP does not match', 'ERR_TLS_CERT_ALTNAME_INVALID'),
      'tls',
    ],
    [
      'a cluster whose seed refused the password',
      Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: new Error('WRONGPASS x') }),
      'credentials',
    ],
    ['Redis away', withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'), undefined],
    ['a fenced commit', new Error('FENCED partition is held by claim 4'), undefined],
    ['not an error', 'WRONGPASS', undefined],
  ]
  for (const [name, error, kind] of cases) {
    it(`${kind ?? 'is no refusal'}: ${name}`, () => assert.equal(redisRefusal(error)?.kind, kind))
  }
})

describe('accessError', () => {
  it('turns a refused command into an error the loop does not retry, telling what to check', () => {
    const cause = new Error('NOPERM this user has no permissions to access one of the keys used as arguments')
    const error = accessError(cause)
    assert.ok(error instanceof RedisAccessError)
    assert.equal(error.canRetry, false)
    assert.equal(error.code, 'REDIS_ACCESS_DENIED')
    assert.match(error.message, /its ACL must allow .* REDIS_NAMESPACE key pattern/)
    assert.equal(error.cause, cause)
  })

  it('leaves errors that retrying may heal alone', () => {
    assert.equal(accessError(new Error('Connection is closed.')), undefined)
  })
})

describe('redactRedisError', () => {
  it('blanks the user and password of a failed AUTH, in the error and its causes', () => {
    const failedAuth = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['healthstream-validator', 'hunter2-secret'] },
    })
    const cluster = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: failedAuth })
    const wrapped = new Error('redis: batch failed', { cause: cluster })
    redactRedisError(wrapped)
    assert.deepEqual(failedAuth.command.args, ['***', '***'])
    assert.ok(!inspect(wrapped, { depth: 10 }).includes('hunter2-secret'))
  })

  it('keeps the arguments of other commands, which say what failed', () => {
    const error = Object.assign(new Error('NOPERM'), {
      command: { name: 'evalsha', args: ['abc', '1', 'k'] },
    })
    redactRedisError(error)
    assert.deepEqual(error.command.args, ['abc', '1', 'k'])
  })
})
