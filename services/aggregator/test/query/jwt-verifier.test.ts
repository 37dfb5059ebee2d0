import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SignJWT, UnsecuredJWT } from 'jose'
import type { Verification } from '../../src/query/access.ts'
import { type JwtVerifierOptions, jwtVerifier } from '../../src/query/jwt-verifier.ts'
import { ASYMMETRIC_ALGORITHMS } from '../../src/query/keys.ts'
import { AUDIENCE, ISSUER, JwksServer, type SigningKey, signingKey, token } from '../support/issuer.ts'

const NOW = new Date('2026-03-20T12:00:00Z')

let es256: SigningKey
let rs256: SigningKey
let eddsa: SigningKey
let stranger: SigningKey

before(async () => {
  ;[es256, rs256, eddsa, stranger] = await Promise.all([
    signingKey('ES256'),
    signingKey('RS256'),
    signingKey('EdDSA'),
    signingKey('ES256', 'es256-1'), // same alg and kid as the issuer's: only the signature tells
  ])
})

function verifier(overrides: Partial<JwtVerifierOptions> = {}) {
  return jwtVerifier({
    keys: { jwks: { keys: [es256.jwk, rs256.jwk, eddsa.jwk] } },
    issuers: [ISSUER],
    audiences: [AUDIENCE],
    algorithms: ASYMMETRIC_ALGORITHMS,
    clockToleranceSeconds: 30,
    now: () => NOW,
    ...overrides,
  })
}

const reasonOf = (v: Verification) => (v.ok ? 'ok' : v.reason)

/** Flips a character of the payload: same header and signature, other claims. */
function tampered(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  claims.sub = 'u-2'
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
}

describe('jwtVerifier with configured keys', () => {
  const cases: {
    name: string
    jwt: () => Promise<string>
    expected: string
    options?: Partial<JwtVerifierOptions>
  }[] = [
    {
      name: 'an ES256 token of the issuer for this audience',
      jwt: () => token(es256, { now: NOW }),
      expected: 'ok',
    },
    { name: 'an RS256 token', jwt: () => token(rs256, { now: NOW }), expected: 'ok' },
    { name: 'an EdDSA (Ed25519) token', jwt: () => token(eddsa, { now: NOW }), expected: 'ok' },
    {
      name: 'a token that expired 20 s ago, within the 30 s clock tolerance',
      jwt: () => token(es256, { now: NOW, expiresIn: -20 }),
      expected: 'ok',
    },
    {
      name: 'a token that expired a minute ago',
      jwt: () => token(es256, { now: NOW, expiresIn: -60 }),
      expected: 'token expired',
    },
    {
      name: 'a token valid only from two minutes on',
      jwt: () => token(es256, { now: NOW, notBefore: 120 }),
      expected: 'token not yet valid',
    },
    {
      name: 'a token without exp',
      jwt: () => token(es256, { now: NOW, expiresIn: null }),
      expected: 'token without a valid expiry',
    },
    {
      name: 'a token of another issuer',
      jwt: () => token(es256, { now: NOW, issuer: 'https://evil.test/' }),
      expected: 'wrong issuer',
    },
    {
      name: 'a token for another service of the same issuer',
      jwt: () => token(es256, { now: NOW, audience: 'billing' }),
      expected: 'wrong audience',
    },
    {
      name: 'a token naming this audience among others',
      jwt: () => token(es256, { now: NOW, audience: ['billing', AUDIENCE] }),
      expected: 'ok',
    },
    {
      name: 'a token signed by a stranger under the issuer’s key id',
      jwt: () => token(stranger, { now: NOW }),
      expected: 'bad signature',
    },
    {
      name: 'a token whose claims were changed after signing',
      jwt: async () => tampered(await token(es256, { now: NOW })),
      expected: 'bad signature',
    },
    {
      name: 'an HS256 token keyed with the public key (algorithm confusion)',
      jwt: () =>
        new SignJWT({ sub: 'u-1', aud: AUDIENCE, iss: ISSUER, exp: Math.floor(NOW.getTime() / 1000) + 300 })
          .setProtectedHeader({ alg: 'HS256', kid: es256.kid })
          .sign(new TextEncoder().encode(es256.pem)),
      expected: 'algorithm not allowed',
    },
    {
      name: 'an unsigned token (alg none)',
      jwt: async () =>
        new UnsecuredJWT({ sub: 'u-1', aud: AUDIENCE, iss: ISSUER })
          .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 300)
          .encode(),
      expected: 'algorithm not allowed',
    },
    {
      name: 'an RS256 token where only ES256 is allowed',
      jwt: () => token(rs256, { now: NOW }),
      expected: 'algorithm not allowed',
      options: { algorithms: ['ES256'] },
    },
    { name: 'three dots of nothing', jwt: async () => 'a.b.c', expected: 'malformed token' },
    { name: 'not a JWT at all', jwt: async () => 'opaque-token-123', expected: 'malformed token' },
    {
      name: 'any issuer when none is configured',
      jwt: () => token(es256, { now: NOW, issuer: 'https://other.test/' }),
      expected: 'ok',
      options: { issuers: [] },
    },
  ]
  for (const c of cases) {
    it(`${c.expected === 'ok' ? 'accepts' : `refuses (${c.expected})`} ${c.name}`, async () => {
      assert.equal(reasonOf(await verifier(c.options).verify(await c.jwt())), c.expected)
    })
  }

  it('hands over subject, issuer, token id and scopes from scope and scp', async () => {
    const jwt = await token(es256, {
      now: NOW,
      subject: 'u-7',
      scope: 'openid healthstream:read-all',
      extra: { scp: ['profile'] },
    })
    const verified = await verifier().verify(jwt)
    assert.ok(verified.ok)
    assert.equal(verified.claims.subject, 'u-7')
    assert.equal(verified.claims.issuer, ISSUER)
    assert.match(verified.claims.tokenId ?? '', /^[0-9a-f-]{36}$/)
    assert.deepEqual(verified.claims.scopes, ['openid', 'healthstream:read-all', 'profile'])
  })

  it('tries each key when several fit a token without a key id (a rotation)', async () => {
    const next = await signingKey('ES256', 'es256-2')
    const keys = {
      jwks: {
        keys: [
          { ...es256.jwk, kid: undefined },
          { ...next.jwk, kid: undefined },
        ],
      },
    }
    const v = verifier({ keys })
    assert.equal(reasonOf(await v.verify(await token(next, { now: NOW, kid: null }))), 'ok')
    assert.equal(reasonOf(await v.verify(await token(es256, { now: NOW, kid: null }))), 'ok')
    assert.equal(reasonOf(await v.verify(await token(stranger, { now: NOW, kid: null }))), 'bad signature')
  })
})

describe('jwtVerifier with a JWK Set URL', () => {
  let jwks: JwksServer
  before(async () => {
    jwks = await JwksServer.start([es256.jwk, eddsa.jwk])
  })
  after(() => jwks.close())

  it('fetches the key set once and verifies from its cache', async () => {
    const v = verifier({ keys: { jwksUrl: jwks.url } })
    const before = jwks.fetches
    for (let i = 0; i < 3; i++) assert.equal(reasonOf(await v.verify(await token(es256, { now: NOW }))), 'ok')
    assert.equal(reasonOf(await v.verify(await token(eddsa, { now: NOW }))), 'ok')
    assert.equal(jwks.fetches - before, 1)
  })

  it('refuses a token whose key id the set does not list', async () => {
    const v = verifier({ keys: { jwksUrl: jwks.url } })
    assert.equal(reasonOf(await v.verify(await token(rs256, { now: NOW }))), 'no key for this token')
  })

  it('answers "unavailable" (not the token’s fault) while the key set cannot be fetched, and says why', async () => {
    const errors: unknown[] = []
    jwks.failWith = 500
    try {
      const v = verifier({ keys: { jwksUrl: jwks.url }, onKeySetError: (e) => errors.push(e) })
      assert.deepEqual(await v.verify(await token(es256, { now: NOW })), {
        ok: false,
        reason: 'key set unavailable',
        unavailable: true,
      })
      assert.equal(errors.length, 1)
    } finally {
      jwks.failWith = undefined
    }
  })

  it('answers "unavailable" when nothing listens at the URL', async () => {
    const gone = await JwksServer.start([])
    const url = gone.url
    await gone.close()
    const verified = await verifier({ keys: { jwksUrl: url } }).verify(await token(es256, { now: NOW }))
    assert.equal(verified.ok === false && verified.unavailable, true)
  })
})
