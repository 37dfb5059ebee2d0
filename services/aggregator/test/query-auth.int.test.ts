/**
 * The running aggregator process, over HTTP, on the local stack: samples flow through ingest and the
 * validator into it, and its query API answers only bearer JWTs of the configured issuer — whose JWK
 * Set a small server of this test publishes on 127.0.0.1 — each to its own user, or to any user with the
 * reader scope; every request leaves one audit line without the token or the data. Its HTTP server
 * refuses oversized bodies (413) and cuts a client that never finishes its headers.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import {
  eventually,
  readTruth,
  type ServiceProcess,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'
import {
  AUDIENCE,
  ISSUER,
  JwksServer,
  READER_SCOPE,
  type SigningKey,
  signingKey,
  token,
} from './support/issuer.ts'

interface Window {
  readonly userId: string
  readonly sum: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

const START = Date.parse('2026-01-20T00:00:00Z')
const BODY_LIMIT = 1024

describe('the aggregator process: its query API behind bearer tokens, and its HTTP limits', {
  timeout: 240_000,
}, () => {
  const pipeline = testPipeline('query-auth')
  const ingest = pipeline.service('ingest')
  const validator = pipeline.service('validator')
  let aggregator: ServiceProcess
  let jwks: JwksServer
  let issuer: SigningKey
  let stranger: SigningKey
  let users: string[] = []

  before(async () => {
    ;[issuer, stranger] = await Promise.all([signingKey('ES256'), signingKey('ES256')])
    jwks = await JwksServer.start([issuer.jwk])
    aggregator = pipeline.service('aggregator', {
      QUERY_AUTH: 'jwt',
      QUERY_JWKS_URL: jwks.url,
      QUERY_JWT_ISSUER: ISSUER,
      QUERY_JWT_AUDIENCE: AUDIENCE,
      HTTP_BODY_LIMIT: String(BODY_LIMIT),
      HTTP_HEADERS_TIMEOUT: '1s',
      HTTP_REQUEST_TIMEOUT: '2s',
    })
    const truthPath = await simulateInto(pipeline, { samples: 3_000, users: 3, seed: 21, start: START })
    users = [
      ...new Set(
        readTruth(truthPath)
          .filter((t) => t.outcome === 'valid')
          .map((t) => t.userId),
      ),
    ].sort()
    await Promise.all([ingest, validator, aggregator].map((s) => s.start()))
  })
  after(async () => {
    await Promise.all([ingest, validator, aggregator].map((s) => s.stop()))
    await jwks.close()
  })

  const query = (userId: string, jwt?: string) =>
    aggregator.fetch(`/aggregates/${encodeURIComponent(userId)}?granularity=daily`, {
      headers: jwt === undefined ? {} : { authorization: `Bearer ${jwt}` },
    })
  const auditLines = () => aggregator.lines.filter((l) => l.includes('"audit":"query"'))

  it('refuses to start without the issuer’s keys, naming the variables', async () => {
    const unconfigured = pipeline.service('aggregator', {
      QUERY_AUTH: 'jwt',
      INSTANCE_ID: 'aggregator-nokeys',
    })
    await assert.rejects(unconfigured.start(), /QUERY_JWKS_URL or QUERY_JWT_PUBLIC_KEY is required/)
    assert.match(unconfigured.lines.join('\n'), /QUERY_JWT_AUDIENCE is required/)
  })

  it('answers only valid tokens: 401 without, expired or forged; 403 for another user; 200 with the reader scope', async () => {
    assert.ok(users.length >= 2, `users: ${users.join(', ')}`)
    const [alice, bob] = users as [string, string]
    const reader = await token(issuer, { subject: 'analytics', scope: READER_SCOPE })
    const windowsOf = async (userId: string): Promise<Window[]> => {
      const res = await query(userId, reader)
      return res.status === 200 ? ((await res.json()) as { windows: Window[] }).windows : []
    }
    await eventually(
      'windows of both users to be queryable',
      async () => (await windowsOf(alice)).length > 0 && (await windowsOf(bob)).length > 0,
      120_000,
    )
    const windows = await windowsOf(alice)
    assert.ok(windows.every((w) => w.userId === alice))

    const own = await token(issuer, { subject: alice })
    const expired = await token(issuer, { subject: alice, expiresIn: -120 })
    const forged = await token(stranger, { subject: alice, scope: READER_SCOPE })
    const cases: [string, string | undefined, string, number, string | null][] = [
      ['no token', undefined, alice, 401, 'Bearer realm="healthstream"'],
      ['an expired token', expired, alice, 401, 'error="invalid_token", error_description="token expired"'],
      ['a forged token', forged, alice, 401, 'error="invalid_token", error_description="bad signature"'],
      ["a user's token on another user", own, bob, 403, 'error="insufficient_scope"'],
      ["a user's token on its own user", own, alice, 200, null],
      ['the reader scope on another user', reader, bob, 200, null],
    ]
    for (const [what, jwt, userId, status, challenge] of cases) {
      const res = await query(userId, jwt)
      assert.equal(res.status, status, what)
      if (challenge !== null) assert.ok(res.headers.get('www-authenticate')?.includes(challenge), what)
      const text = await res.text()
      if (jwt !== undefined) assert.ok(!text.includes(jwt), `${what}: the answer echoes no token`)
      if (status === 200) {
        const body = JSON.parse(text) as { windows: Window[] }
        assert.ok(body.windows.length > 0 && body.windows.every((w) => w.userId === userId), what)
        windows.push(...body.windows)
      }
    }
    assert.ok(jwks.fetches >= 1, 'the process fetched the issuer’s key set')

    await eventually('the audit lines of the six requests', async () => auditLines().length >= 9, 5_000)
    const audit = auditLines().map((l) => JSON.parse(l) as Record<string, unknown>)
    const mine = audit.slice(-6)
    assert.deepEqual(
      mine.map((a) => [a.outcome, a.reason, a.status, a.subject, a.userId]),
      [
        ['denied', 'no bearer token', 401, null, alice],
        ['denied', 'token expired', 401, null, alice],
        ['denied', 'bad signature', 401, null, alice],
        ['denied', 'token may not read this user', 403, alice, bob],
        ['allowed', 'own-user', 200, alice, alice],
        ['allowed', 'reader-scope', 200, 'analytics', bob],
      ],
    )
    for (const a of mine) {
      assert.equal(a.msg, 'query access')
      assert.equal(a.level, 'info')
      assert.deepEqual(a.query, { granularity: 'daily' })
      assert.match(String(a.time), /^\d{4}-\d\d-\d\dT/)
    }
    assert.equal(mine[4]!.issuer, ISSUER)
    // Neither a token (nor its signature) nor a figure that was answered appears in any audit line
    const lines = auditLines().join('\n')
    for (const jwt of [own, expired, forged, reader]) {
      assert.ok(!lines.includes(jwt.split('.')[2]!), 'no token in the audit')
    }
    const figures = windows.flatMap((w) => [w.sum, w.mean, w.min, w.max]).map(String)
    const distinctive = figures.filter((f) => f.length >= 6)
    assert.ok(distinctive.length > 0)
    for (const figure of distinctive) assert.ok(!lines.includes(figure), `figure ${figure} in the audit`)
    assert.doesNotMatch(lines, /"(sum|mean|min|max|count|windows)":/)
  })

  it('answers 413 to an admin POST whose body is over HTTP_BODY_LIMIT, declared or streamed', async () => {
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
    const declared = await aggregator.fetch('/admin/pause', {
      method: 'POST',
      headers,
      body: 'x'.repeat(BODY_LIMIT + 1),
    })
    assert.equal(declared.status, 413)
    const chunks = [new Uint8Array(BODY_LIMIT), new Uint8Array(BODY_LIMIT)]
    const streamed = await aggregator.fetch('/admin/pause', {
      method: 'POST',
      headers,
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift()
          if (chunk) controller.enqueue(chunk)
          else controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    assert.equal(streamed.status, 413)
    const status = await aggregator.fetch('/admin/status', { headers })
    assert.equal(((await status.json()) as { state: string }).state, 'running', 'neither POST paused it')
  })

  it('cuts a client that does not finish its headers within HTTP_HEADERS_TIMEOUT', async () => {
    const socket = connect(aggregator.port, '127.0.0.1')
    const started = Date.now()
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk.toString()
    })
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    const closed = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still open after 10 s')), 10_000)
      socket.on('close', () => {
        clearTimeout(timer)
        resolve(Date.now() - started)
      })
    })
    assert.ok(closed < 4_000, `closed after ${closed} ms`)
    assert.match(answer, /^HTTP\/1\.1 408/)
  })
})
