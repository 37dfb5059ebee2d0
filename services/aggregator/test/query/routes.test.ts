import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { openAccess, type QueryAccess, tokenAccess } from '../../src/query/access.ts'
import type { QueryAuditEntry } from '../../src/query/audit.ts'
import { jwtVerifier } from '../../src/query/jwt-verifier.ts'
import { ASYMMETRIC_ALGORITHMS } from '../../src/query/keys.ts'
import { aggregateRoutes } from '../../src/query/routes.ts'
import { AUDIENCE, ISSUER, READER_SCOPE, type SigningKey, signingKey, token } from '../support/issuer.ts'
import { storeWithData } from '../support/query-data.ts'
import { us } from '../support/samples.ts'

async function appWithData(access: QueryAccess = openAccess, audit: QueryAuditEntry[] = []) {
  return aggregateRoutes({
    store: await storeWithData(),
    access,
    audit: (entry) => audit.push(entry),
    readerScope: READER_SCOPE,
  })
}

describe('GET /aggregates/:userId, with QUERY_AUTH=off', () => {
  it('answers the current windows of a user with status, revision and statistics', async () => {
    const app = await appWithData()
    const res = await app.request('/aggregates/u-1?granularity=daily')
    assert.equal(res.status, 200)
    const body = (await res.json()) as {
      windows: { windowLabel: string; status: string; count: number; sum: number; revision: number }[]
    }
    assert.deepEqual(
      body.windows.map((w) => [w.windowLabel, w.status, w.count, w.sum, w.revision]),
      [
        ['2026-03-10', 'final', 2, 4, 1],
        ['2026-03-11', 'fired', 1, 5, 1],
        ['2026-03-12', 'open', 1, 7, 0],
      ],
    )
  })

  it('filters by data type and by window start, in ISO or epoch microseconds', async () => {
    const app = await appWithData()
    const iso = await (
      await app.request(
        '/aggregates/u-1?dataType=heart_rate&from=2026-03-11T00:00:00Z&to=2026-03-12T00:00:00Z',
      )
    ).json()
    const micros = await (
      await app.request(`/aggregates/u-1?from=${us('2026-03-11T00:00:00Z')}&to=${us('2026-03-12T00:00:00Z')}`)
    ).json()
    assert.deepEqual(iso, micros)
    assert.deepEqual(
      (iso as { windows: { windowLabel: string }[] }).windows.map((w) => w.windowLabel),
      ['2026-03-11'],
    )
    const other = await (await app.request('/aggregates/u-1?dataType=steps')).json()
    assert.deepEqual(other, { userId: 'u-1', windows: [] })
  })

  it('rejects an unknown granularity or an unreadable bound with 400', async () => {
    const app = await appWithData()
    assert.equal((await app.request('/aggregates/u-1?granularity=hourly')).status, 400)
    assert.equal((await app.request('/aggregates/u-1?from=yesterday')).status, 400)
    assert.equal((await app.request('/aggregates/u-1?from=2026-03-11T00:00:00')).status, 400)
  })
})

describe('GET /aggregates/:userId, with bearer tokens', () => {
  let issuer: SigningKey
  let stranger: SigningKey
  let access: QueryAccess
  before(async () => {
    ;[issuer, stranger] = await Promise.all([signingKey('ES256'), signingKey('ES256')])
    const verifier = jwtVerifier({
      keys: { jwks: { keys: [issuer.jwk] } },
      issuers: [ISSUER],
      audiences: [AUDIENCE],
      algorithms: ASYMMETRIC_ALGORITHMS,
      clockToleranceSeconds: 0,
    })
    access = tokenAccess(verifier, READER_SCOPE)
  })
  const get = async (app: Awaited<ReturnType<typeof appWithData>>, path: string, jwt?: string) =>
    app.request(path, { headers: jwt === undefined ? {} : { authorization: `Bearer ${jwt}` } })

  it('asks for a token, without an error code, when the request has none (RFC 6750 §3.1)', async () => {
    const res = await get(await appWithData(access), '/aggregates/u-1')
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="healthstream"')
    assert.deepEqual(await res.json(), { error: 'unauthorized', reason: 'no bearer token' })
  })

  const invalid: [string, () => Promise<string>, string][] = [
    ['an expired token', () => token(issuer, { expiresIn: -5 }), 'token expired'],
    ['a token valid only from a minute on', () => token(issuer, { notBefore: 60 }), 'token not yet valid'],
    ['a token signed with another key', () => token(stranger), 'bad signature'],
    ['a token of another issuer', () => token(issuer, { issuer: 'https://other.test/' }), 'wrong issuer'],
    ['a token for another audience', () => token(issuer, { audience: 'other-api' }), 'wrong audience'],
    ['a malformed token', async () => 'not-a-jwt', 'malformed token'],
  ]
  for (const [what, jwt, reason] of invalid) {
    it(`refuses ${what} with 401 invalid_token, and never echoes it`, async () => {
      const sent = await jwt()
      const res = await get(await appWithData(access), '/aggregates/u-1', sent)
      assert.equal(res.status, 401)
      assert.equal(
        res.headers.get('www-authenticate'),
        `Bearer realm="healthstream", error="invalid_token", error_description="${reason}"`,
      )
      const text = await res.text()
      assert.deepEqual(JSON.parse(text), { error: 'invalid_token', reason })
      assert.ok(!text.includes(sent))
    })
  }

  it("refuses another user's data with 403 insufficient_scope, naming the scope that would do", async () => {
    const res = await get(
      await appWithData(access),
      '/aggregates/u-2',
      await token(issuer, { subject: 'u-1' }),
    )
    assert.equal(res.status, 403)
    assert.equal(
      res.headers.get('www-authenticate'),
      `Bearer realm="healthstream", error="insufficient_scope", error_description="token may not read this user", scope="${READER_SCOPE}"`,
    )
  })

  it("answers a user's own data, and any user's with the reader scope", async () => {
    const app = await appWithData(access)
    const own = await get(app, '/aggregates/u-1?granularity=daily', await token(issuer, { subject: 'u-1' }))
    assert.equal(own.status, 200)
    assert.equal(((await own.json()) as { windows: unknown[] }).windows.length, 3)
    const reader = await token(issuer, { subject: 'analytics', scope: `openid ${READER_SCOPE}` })
    const other = await get(app, '/aggregates/u-1?granularity=daily', reader)
    assert.equal(other.status, 200)
    assert.equal(((await other.json()) as { windows: unknown[] }).windows.length, 3)
  })

  it('checks the token before the parameters: no 400 for a caller without a token', async () => {
    const app = await appWithData(access)
    assert.equal((await get(app, '/aggregates/u-1?granularity=hourly')).status, 401)
    assert.equal((await get(app, '/aggregates/u-1?granularity=hourly', await token(issuer))).status, 400)
  })

  it('answers 503 while the keys are out of reach: the token may well be good', async () => {
    const offline: QueryAccess = tokenAccess(
      { verify: async () => ({ ok: false, reason: 'key set unavailable', unavailable: true }) },
      READER_SCOPE,
    )
    const res = await get(await appWithData(offline), '/aggregates/u-1', await token(issuer))
    assert.equal(res.status, 503)
    assert.equal(res.headers.get('retry-after'), '5')
  })

  it('audits every request, allowed or denied: who, which user, which windows; never the token or the data', async () => {
    const audit: QueryAuditEntry[] = []
    const app = await appWithData(access, audit)
    const own = await token(issuer, { subject: 'u-1' })
    const expired = await token(issuer, { subject: 'u-1', expiresIn: -5 })
    const query =
      '?dataType=heart_rate&granularity=daily&from=2026-03-10T00:00:00Z&to=2026-03-13T00:00:00Z&x=1'
    await get(app, `/aggregates/u-1${query}`, own)
    await get(app, '/aggregates/u-2', own)
    await get(app, '/aggregates/u-1', expired)
    await get(app, '/aggregates/u-1?granularity=hourly', own)
    assert.deepEqual(
      audit.map((e) => [e.outcome, e.reason, e.status, e.subject, e.userId]),
      [
        ['allowed', 'own-user', 200, 'u-1', 'u-1'],
        ['denied', 'token may not read this user', 403, 'u-1', 'u-2'],
        ['denied', 'token expired', 401, null, 'u-1'],
        ['allowed', 'own-user', 400, 'u-1', 'u-1'],
      ],
    )
    assert.deepEqual(audit[0]!.query, {
      dataType: 'heart_rate',
      granularity: 'daily',
      from: '2026-03-10T00:00:00Z',
      to: '2026-03-13T00:00:00Z',
    })
    assert.equal(audit[0]!.issuer, ISSUER)
    assert.match(audit[0]!.tokenId ?? '', /^[0-9a-f-]{36}$/)
    const lines = JSON.stringify(audit)
    for (const jwt of [own, expired]) assert.ok(!lines.includes(jwt) && !lines.includes(jwt.split('.')[2]!))
    assert.doesNotMatch(lines, /"(sum|count|min|max|mean|windows)"/)
  })
})
