import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  bearerToken,
  type Claims,
  claimsOf,
  grantFor,
  scopesOf,
  type TokenVerifier,
  tokenAccess,
  type Verification,
} from '../../src/query/access.ts'

const READER = 'healthstream:read-all'

describe('bearerToken', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['Bearer   abc-_~+/=', 'abc-_~+/='],
    ['Bearer', ''],
    ['Bearer ', ''],
    ['Bearer abc def', ''],
    ['Bearer "abc"', ''],
    ['Bearerabc', undefined],
  ]
  for (const [header, expected] of cases) {
    it(`reads ${JSON.stringify(header)} as ${expected === undefined ? 'no bearer token' : expected === '' ? 'a malformed one' : expected}`, () => {
      assert.equal(bearerToken(header), expected)
    })
  }
})

describe('scopesOf', () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{}, []],
    [{ scope: 'openid healthstream:read-all' }, ['openid', READER]],
    [{ scope: '  a   b ' }, ['a', 'b']],
    [{ scp: ['a', READER] }, ['a', READER]],
    [{ scp: 'a b' }, ['a', 'b']],
    [{ scope: 'a', scp: ['a', 'b'] }, ['a', 'b']],
    [{ scp: [1, null, 'b'] }, ['b']],
    [{ scope: 42 }, []],
  ]
  for (const [payload, expected] of cases) {
    it(`finds [${expected.join(', ')}] in ${JSON.stringify(payload)}`, () => {
      assert.deepEqual(scopesOf(payload), expected)
    })
  }
})

describe('grantFor', () => {
  const claims = (subject: string | undefined, ...scopes: string[]): Claims => ({ subject, scopes })
  const cases: [string, Claims, string, string | undefined][] = [
    ['its own user', claims('u-1'), 'u-1', 'own-user'],
    ['another user', claims('u-1'), 'u-2', undefined],
    ['another user, with the reader scope', claims('u-1', READER), 'u-2', 'reader-scope'],
    ['its own user, with the reader scope too', claims('u-1', READER), 'u-1', 'own-user'],
    [
      'any user, without a subject but with the reader scope',
      claims(undefined, READER),
      'u-9',
      'reader-scope',
    ],
    ['a user, with another scope only', claims('svc', 'healthstream:read'), 'u-1', undefined],
    ['a user whose id only differs in case', claims('U-1'), 'u-1', undefined],
  ]
  for (const [what, c, userId, expected] of cases) {
    it(`${expected ? `lets a token read ${what} (${expected})` : `refuses a token ${what}`}`, () => {
      assert.equal(grantFor(c, userId, READER), expected)
    })
  }

  it('takes the claims it uses from a payload, wrongly typed ones as absent', () => {
    assert.deepEqual(claimsOf({ sub: 'u-1', iss: 'https://id/', jti: 'j-1', scope: 'a' }), {
      subject: 'u-1',
      issuer: 'https://id/',
      scopes: ['a'],
      tokenId: 'j-1',
    })
    assert.deepEqual(claimsOf({ sub: 7, iss: '', jti: null }), {
      subject: undefined,
      issuer: undefined,
      scopes: [],
      tokenId: undefined,
    })
  })
})

describe('tokenAccess', () => {
  /** A verifier that knows three tokens. */
  const verifier: TokenVerifier = {
    async verify(token): Promise<Verification> {
      if (token === 'user-1') return { ok: true, claims: { subject: 'u-1', scopes: [] } }
      if (token === 'reader') return { ok: true, claims: { subject: 'svc', scopes: [READER] } }
      if (token === 'offline') return { ok: false, reason: 'key set unavailable', unavailable: true }
      return { ok: false, reason: 'bad signature' }
    },
  }
  const access = tokenAccess(verifier, READER)
  const cases: [string | undefined, string, Record<string, unknown>][] = [
    [undefined, 'u-1', { allowed: false, status: 401, reason: 'no bearer token' }],
    ['Basic abc', 'u-1', { allowed: false, status: 401, reason: 'no bearer token' }],
    ['Bearer ', 'u-1', { allowed: false, status: 401, error: 'invalid_token', reason: 'malformed token' }],
    [
      'Bearer forged',
      'u-1',
      { allowed: false, status: 401, error: 'invalid_token', reason: 'bad signature' },
    ],
    ['Bearer offline', 'u-1', { allowed: false, status: 503, reason: 'key set unavailable' }],
    ['Bearer user-1', 'u-1', { allowed: true, grant: 'own-user' }],
    [
      'Bearer user-1',
      'u-2',
      { allowed: false, status: 403, error: 'insufficient_scope', reason: 'token may not read this user' },
    ],
    ['Bearer reader', 'u-2', { allowed: true, grant: 'reader-scope' }],
  ]
  for (const [header, userId, expected] of cases) {
    it(`answers ${JSON.stringify(header)} for ${userId} with ${expected.allowed ? expected.grant : expected.status}`, async () => {
      const { claims: _, ...decision } = await access.decide(header, userId)
      assert.deepEqual(decision, expected)
    })
  }
})
