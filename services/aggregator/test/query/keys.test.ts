import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { ConfigError, loadConfig } from '@healthstream/shared/platform'
import { queryConfig } from '../../src/config.ts'
import {
  ASYMMETRIC_ALGORITHMS,
  algorithms,
  jwksUrl,
  parsePublicKeys,
  usableAlgorithms,
} from '../../src/query/keys.ts'
import { queryConfigProblems } from '../../src/query/setup.ts'
import { type SigningKey, signingKey } from '../support/issuer.ts'

let es256: SigningKey
let rs256: SigningKey
let eddsa: SigningKey
before(async () => {
  ;[es256, rs256, eddsa] = await Promise.all([signingKey('ES256'), signingKey('RS256'), signingKey('EdDSA')])
})

describe('QUERY_JWT_PUBLIC_KEY', () => {
  it('reads a PEM public key (SPKI) as a JWK Set of one key', () => {
    const { keys } = parsePublicKeys(`${es256.pem}\n`)
    assert.deepEqual(
      keys.map((k) => [k.kty, k.crv]),
      [['EC', 'P-256']],
    )
  })

  it('reads a JWK, and a JWK Set of several', () => {
    assert.equal(parsePublicKeys(JSON.stringify(rs256.jwk)).keys[0]?.kid, 'rs256-1')
    const set = parsePublicKeys(JSON.stringify({ keys: [es256.jwk, eddsa.jwk] }))
    assert.deepEqual(
      set.keys.map((k) => k.kid),
      ['es256-1', 'eddsa-1'],
    )
  })

  const privateRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
  const refusals: [string, () => string, RegExp][] = [
    [
      'a PEM private key',
      () => privateRsa.export({ format: 'pem', type: 'pkcs8' }).toString(),
      /not this PEM/,
    ],
    ['a private JWK', () => JSON.stringify(privateRsa.export({ format: 'jwk' })), /private key/],
    ['a shared secret (kty oct)', () => JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }), /shared secret/],
    [
      'a 1024-bit RSA key',
      () => weakRsa.export({ format: 'pem', type: 'spki' }).toString(),
      /1024-bit RSA key/,
    ],
    ['a JWK Set without keys', () => '{"keys":[]}', /no keys/],
    ['a JWK without kty', () => '{"n":"abc"}', /not a JWK/],
    [
      'an EC JWK off its curve',
      () => JSON.stringify({ ...es256.jwk, x: es256.jwk.y, y: es256.jwk.x }),
      /readable/,
    ],
    ['anything else', () => 'hello', /expected a PEM public key/],
  ]
  for (const [what, raw, message] of refusals) {
    it(`refuses ${what}`, () => assert.throws(() => parsePublicKeys(raw()), message))
  }

  it('names the variable but never shows the value when it refuses one', () => {
    const pem = privateRsa.export({ format: 'pem', type: 'pkcs8' }).toString()
    const error = catchError(() => loadConfig(queryConfig, { QUERY_JWT_PUBLIC_KEY: pem }))
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, /QUERY_JWT_PUBLIC_KEY is invalid/)
    assert.ok(!error.message.includes(pem.split('\n')[1]!), 'no part of the key in the message')
  })

  it('is read from QUERY_JWT_PUBLIC_KEY_FILE too', () => {
    const files: Record<string, string> = { '/run/secrets/query-key.pem': `${es256.pem}\n` }
    const config = loadConfig(
      queryConfig,
      { QUERY_JWT_PUBLIC_KEY_FILE: '/run/secrets/query-key.pem' },
      (p) => files[p]!,
    )
    assert.equal(config.QUERY_JWT_PUBLIC_KEY?.keys[0]?.kty, 'EC')
  })
})

describe('QUERY_JWT_ALGORITHMS', () => {
  const key = algorithms('test', ASYMMETRIC_ALGORITHMS)
  const cases: [string, readonly string[] | RegExp][] = [
    ['ES256, EdDSA', ['ES256', 'EdDSA']],
    ['RS256,RS256', ['RS256']],
    ['none', /never accepted/],
    ['ES256,HS256', /HS256 \(a shared secret\) is never accepted/],
    ['hs512', /never accepted/],
    ['ES257', /unknown algorithm ES257/],
    [' , ', /expected a comma-separated list/],
  ]
  for (const [raw, expected] of cases) {
    it(`reads ${JSON.stringify(raw)} as ${expected instanceof RegExp ? `an error ${expected}` : expected.join(', ')}`, () => {
      if (expected instanceof RegExp) assert.throws(() => key.parse(raw), expected)
      else assert.deepEqual(key.parse(raw), expected)
    })
  }

  it('keeps, of the allowed ones, those some configured key can verify', () => {
    assert.deepEqual(usableAlgorithms({ keys: [{ ...es256.jwk, alg: undefined }] }, ASYMMETRIC_ALGORITHMS), [
      'ES256',
    ])
    assert.deepEqual(
      usableAlgorithms({ keys: [{ ...rs256.jwk, alg: undefined }] }, ['RS256', 'PS512', 'ES256']),
      ['RS256', 'PS512'],
    )
    assert.deepEqual(usableAlgorithms({ keys: [rs256.jwk] }, ['PS256']), [], "a key's own alg narrows it")
    assert.deepEqual(usableAlgorithms({ keys: [{ ...eddsa.jwk, alg: undefined }] }, ASYMMETRIC_ALGORITHMS), [
      'EdDSA',
      'Ed25519',
    ])
  })
})

describe('QUERY_JWKS_URL', () => {
  const key = jwksUrl('test')
  const cases: [string, boolean][] = [
    ['https://id.example.com/.well-known/jwks.json', true],
    ['http://127.0.0.1:8080/jwks.json', true],
    ['http://localhost/jwks.json', true],
    ['http://[::1]:9000/jwks.json', true],
    ['http://id.example.com/jwks.json', false],
    ['http://10.0.0.5/jwks.json', false],
    ['file:///etc/jwks.json', false],
  ]
  for (const [raw, ok] of cases) {
    it(`${ok ? 'takes' : 'refuses'} ${raw}`, () => {
      if (ok) assert.equal(key.parse(raw), new URL(raw).href)
      else assert.throws(() => key.parse(raw), /expected an https:\/\/ URL/)
    })
  }
})

describe('queryConfigProblems', () => {
  const problems = (env: Record<string, string>) => queryConfigProblems(loadConfig(queryConfig, env))
  const pem = () => es256.pem
  const cases: [string, () => Record<string, string>, RegExp[]][] = [
    [
      'nothing set: the keys, the audience and the issuer are required',
      () => ({}),
      [
        /QUERY_JWKS_URL or QUERY_JWT_PUBLIC_KEY is required/,
        /QUERY_JWT_AUDIENCE is required/,
        /QUERY_JWT_ISSUER is required/,
      ],
    ],
    ['QUERY_AUTH=off', () => ({ QUERY_AUTH: 'off' }), []],
    ['QUERY_ENABLED=false', () => ({ QUERY_ENABLED: 'false' }), []],
    [
      "compose.yaml's defaults (no query API, the issuer's variables empty)",
      () => ({
        QUERY_ENABLED: 'false',
        QUERY_JWKS_URL: '',
        QUERY_JWT_PUBLIC_KEY: '',
        QUERY_JWT_AUDIENCE: '',
      }),
      [],
    ],
    [
      'a JWKS URL, an audience and an issuer',
      () => ({
        QUERY_JWKS_URL: 'https://id.test/jwks',
        QUERY_JWT_AUDIENCE: 'a',
        QUERY_JWT_ISSUER: 'https://id.test/',
      }),
      [],
    ],
    [
      'a public key, an audience and an issuer',
      () => ({ QUERY_JWT_PUBLIC_KEY: pem(), QUERY_JWT_AUDIENCE: 'a', QUERY_JWT_ISSUER: 'local' }),
      [],
    ],
    [
      'a key and an audience but no issuer',
      () => ({ QUERY_JWT_PUBLIC_KEY: pem(), QUERY_JWT_AUDIENCE: 'a' }),
      [/QUERY_JWT_ISSUER is required/],
    ],
    [
      'both a URL and a key',
      () => ({
        QUERY_JWKS_URL: 'https://id.test/jwks',
        QUERY_JWT_PUBLIC_KEY: pem(),
        QUERY_JWT_AUDIENCE: 'a',
        QUERY_JWT_ISSUER: 'local',
      }),
      [/not both/],
    ],
    [
      'a key but no audience',
      () => ({ QUERY_JWT_PUBLIC_KEY: pem(), QUERY_JWT_ISSUER: 'local' }),
      [/QUERY_JWT_AUDIENCE is required/],
    ],
    [
      'an EC key where only RSA algorithms are allowed',
      () => ({
        QUERY_JWT_PUBLIC_KEY: pem(),
        QUERY_JWT_AUDIENCE: 'a',
        QUERY_JWT_ISSUER: 'local',
        QUERY_JWT_ALGORITHMS: 'RS256,PS256',
      }),
      [/no key verifies any of QUERY_JWT_ALGORITHMS \(RS256, PS256\)/],
    ],
  ]
  for (const [what, env, expected] of cases) {
    it(`${expected.length === 0 ? 'accepts' : 'stops start-up with'} ${what}`, () => {
      const found = problems(env())
      assert.equal(found.length, expected.length, found.join('\n'))
      for (const [i, pattern] of expected.entries()) assert.match(found[i]!, pattern)
    })
  }

  it('takes a scope without spaces only', () => {
    assert.throws(() => loadConfig(queryConfig, { QUERY_READER_SCOPE: 'read all' }), /QUERY_READER_SCOPE/)
    assert.equal(loadConfig(queryConfig, {}).QUERY_READER_SCOPE, 'healthstream:read-all')
  })
})

function catchError(f: () => unknown): unknown {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}
