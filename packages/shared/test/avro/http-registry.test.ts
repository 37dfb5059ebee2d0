import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HttpSchemaRegistry, type HttpTransportOptions } from '../../src/avro/index.ts'

type Reply = { status: number; body?: unknown } | Error
interface Call {
  url: string
  method: string
  headers: Record<string, string>
  body: unknown
}

/** A fetch that answers from a script of replies and records what it was asked. */
function fakeFetch(...replies: Reply[]) {
  const calls: Call[] = []
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    })
    const reply = replies.shift() ?? { status: 500 }
    if (reply instanceof Error) throw reply
    return new Response(reply.body === undefined ? '' : JSON.stringify(reply.body), { status: reply.status })
  }) as unknown as typeof globalThis.fetch
  return { fetch, calls }
}

function client(fetch: typeof globalThis.fetch, options: Partial<HttpTransportOptions> = {}) {
  return new HttpSchemaRegistry({
    url: 'http://registry.test/apis/ccompat/v7/',
    fetch,
    retryDelayMs: 1,
    ...options,
  })
}

const schema = '{"type":"string"}'

describe('HTTP schema registry client', () => {
  it('registers a schema under a subject and returns its id', async () => {
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 7 } })
    assert.equal(await client(fetch).register('t-value', schema), 7)
    assert.equal(calls[0]!.url, 'http://registry.test/apis/ccompat/v7/subjects/t-value/versions')
    assert.deepEqual(calls[0]!.body, { schema, schemaType: 'AVRO' })
    assert.equal(calls[0]!.headers['content-type'], 'application/vnd.schemaregistry.v1+json')
  })

  it('fetches a schema by id once and then serves it from the cache', async () => {
    const { fetch, calls } = fakeFetch({ status: 200, body: { schema } })
    const registry = client(fetch)
    const all = await Promise.all([registry.getSchemaById(3), registry.getSchemaById(3)])
    await registry.getSchemaById(3)
    assert.deepEqual(all, [
      { id: 3, schema },
      { id: 3, schema },
    ])
    assert.equal(calls.length, 1)
  })

  it('knows the schema of an id it registered without asking again', async () => {
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 4 } })
    const registry = client(fetch)
    await registry.register('t-value', schema)
    assert.deepEqual(await registry.getSchemaById(4), { id: 4, schema })
    assert.equal(calls.length, 1)
  })

  it('lists subject versions and reads the latest one', async () => {
    const { fetch, calls } = fakeFetch(
      { status: 200, body: [2, 1] },
      { status: 200, body: { subject: 's', version: 2, id: 9, schema } },
    )
    const registry = client(fetch)
    assert.deepEqual(await registry.getSubjectVersions('s'), [1, 2])
    assert.deepEqual(await registry.getSubjectVersion('s'), { subject: 's', version: 2, id: 9, schema })
    assert.match(calls[1]!.url, /\/subjects\/s\/versions\/latest$/)
  })

  it('checks compatibility and sets a subject rule with PUT /config/{subject}', async () => {
    const { fetch, calls } = fakeFetch(
      { status: 200, body: { is_compatible: false } },
      { status: 200, body: {} },
    )
    const registry = client(fetch)
    assert.equal(await registry.checkCompatibility('s', schema), false)
    await registry.setCompatibility('s', 'BACKWARD')
    assert.deepEqual(
      [calls[1]!.method, calls[1]!.url.split('/v7')[1], calls[1]!.body],
      ['PUT', '/config/s', { compatibility: 'BACKWARD' }],
    )
  })

  it('retries network errors and 5xx with backoff until an answer comes', async () => {
    const { fetch, calls } = fakeFetch(
      new TypeError('fetch failed'),
      { status: 503 },
      { status: 200, body: { schema } },
    )
    assert.deepEqual(await client(fetch).getSchemaById(1), { id: 1, schema })
    assert.equal(calls.length, 3)
  })

  it('gives up after the configured retries with a retryable REGISTRY_UNAVAILABLE and the cause', async () => {
    const cause = new TypeError('fetch failed')
    const { fetch, calls } = fakeFetch(cause, cause, cause)
    await assert.rejects(
      client(fetch, { retries: 2 }).getSchemaById(1),
      (error: Error & Record<string, unknown>) => {
        assert.equal(error.code, 'REGISTRY_UNAVAILABLE')
        assert.equal(error.canRetry, true)
        assert.equal(error.cause, cause)
        return true
      },
    )
    assert.equal(calls.length, 3)
  })

  it('does not cache a failed lookup', async () => {
    const { fetch } = fakeFetch(new TypeError('down'), { status: 200, body: { schema } })
    const registry = client(fetch, { retries: 0 })
    await assert.rejects(registry.getSchemaById(1))
    assert.deepEqual(await registry.getSchemaById(1), { id: 1, schema })
  })

  const notRetried: [string, Reply, string][] = [
    [
      '404 40403 as SCHEMA_NOT_FOUND',
      { status: 404, body: { error_code: 40403, message: 'x' } },
      'SCHEMA_NOT_FOUND',
    ],
    ['a bare 404 on a schema id as SCHEMA_NOT_FOUND', { status: 404 }, 'SCHEMA_NOT_FOUND'],
    ['409 as INCOMPATIBLE_SCHEMA', { status: 409, body: { error_code: 409 } }, 'INCOMPATIBLE_SCHEMA'],
    ['422 as INVALID_SCHEMA', { status: 422, body: { error_code: 42201 } }, 'INVALID_SCHEMA'],
    ['401 as UNAUTHORIZED', { status: 401 }, 'UNAUTHORIZED'],
    ['400 as REQUEST_FAILED', { status: 400, body: 'nope' }, 'REQUEST_FAILED'],
  ]
  for (const [name, reply, code] of notRetried) {
    it(`maps ${name}, asks once and marks it not retryable`, async () => {
      const { fetch, calls } = fakeFetch(reply, reply)
      await assert.rejects(client(fetch).getSchemaById(1), { code, canRetry: false })
      assert.equal(calls.length, 1)
    })
  }

  it('maps 404 on a subject to SUBJECT_NOT_FOUND', async () => {
    const { fetch } = fakeFetch({ status: 404, body: { error_code: 40401 } })
    await assert.rejects(client(fetch).getSubjectVersions('missing'), { code: 'SUBJECT_NOT_FOUND' })
  })

  it('sends basic auth from options and from credentials in the URL', async () => {
    const a = fakeFetch({ status: 200, body: { schema } })
    await client(a.fetch, { auth: { username: 'u', password: 'p:w' } }).getSchemaById(1)
    assert.equal(a.calls[0]!.headers.authorization, `Basic ${btoa('u:p:w')}`)
    const b = fakeFetch({ status: 200, body: { schema } })
    await new HttpSchemaRegistry({ url: 'http://me:s%40cret@registry.test/x', fetch: b.fetch }).getSchemaById(
      1,
    )
    assert.equal(b.calls[0]!.headers.authorization, `Basic ${btoa('me:s@cret')}`)
    assert.equal(b.calls[0]!.url, 'http://registry.test/x/schemas/ids/1')
  })

  it('sends a bearer token, fresh from a function on every request', async () => {
    const { fetch, calls } = fakeFetch({ status: 200, body: { schema } }, { status: 200, body: { schema } })
    let n = 0
    const registry = client(fetch, { auth: { token: () => `t${++n}` } })
    await registry.getSchemaById(1)
    await registry.getSchemaById(2)
    assert.deepEqual(
      calls.map((c) => c.headers.authorization),
      ['Bearer t1', 'Bearer t2'],
    )
  })
})
