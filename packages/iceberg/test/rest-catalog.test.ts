import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RestCatalog } from '../src/catalog/rest-catalog.ts'
import { stringifyJson } from '../src/json/lossless.ts'
import { metadataToJson } from '../src/spec/metadata-json.ts'
import { newTableMetadata } from '../src/spec/new-table.ts'
import { SAMPLE_FIELDS } from './support/memory-table.ts'

interface Call {
  method: string
  url: string
  headers: Record<string, string>
  body: string | undefined
}

/** A fetch that records calls and answers from a route table. */
function fakeFetch(routes: (call: Call) => { status: number; body?: unknown }): {
  fetch: typeof fetch
  calls: Call[]
} {
  const calls: Call[] = []
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>)),
      body: init?.body === undefined ? undefined : String(init.body),
    }
    calls.push(call)
    const { status, body } = routes(call)
    const text = body === undefined ? '' : typeof body === 'string' ? body : stringifyJson(body as never)
    return new Response(status === 204 ? null : text, { status })
  }
  return { fetch: f as typeof fetch, calls }
}

const BIG = 9_123_456_789_012_345_678n
const metadata = { ...newTableMetadata({ location: 's3://b/t', schema: SAMPLE_FIELDS, tableUuid: 'u-1' }) }
const loadResult = {
  'metadata-location': 's3://b/t/metadata/00001-x.metadata.json',
  metadata: { ...metadataToJson(metadata), 'current-snapshot-id': BIG },
}

describe('REST catalog client', () => {
  it('uses the prefix from /v1/config and joins namespace levels with 0x1F', async () => {
    const { fetch, calls } = fakeFetch((c) =>
      c.url.includes('/v1/config')
        ? { status: 200, body: { defaults: {}, overrides: { prefix: 'wh1' } } }
        : { status: 200, body: { properties: { a: 'b' } } },
    )
    const catalog = new RestCatalog({ uri: 'http://cat/', warehouse: 'lake', fetch })
    assert.deepEqual(await catalog.loadNamespace(['a', 'b']), { a: 'b' })
    assert.deepEqual(
      calls.map((c) => c.url),
      ['http://cat/v1/config?warehouse=lake', 'http://cat/v1/wh1/namespaces/a%1Fb'],
    )
  })

  it('parses load results losslessly, keeping 64-bit snapshot ids exact', async () => {
    const { fetch } = fakeFetch((c) =>
      c.url.includes('config') ? { status: 200, body: {} } : { status: 200, body: loadResult },
    )
    const t = await new RestCatalog({ uri: 'http://cat', fetch }).loadTable({ namespace: ['n'], name: 't' })
    assert.equal(t.metadata.currentSnapshotId, BIG)
    assert.equal(t.metadataLocation, loadResult['metadata-location'])
  })

  it('sends requirements and updates as the protocol JSON, with ids as exact integers', async () => {
    const { fetch, calls } = fakeFetch((c) =>
      c.url.includes('config') ? { status: 200, body: {} } : { status: 200, body: loadResult },
    )
    await new RestCatalog({ uri: 'http://cat', fetch }).commit(
      { namespace: ['n'], name: 't' },
      [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: BIG }],
      [{ action: 'remove-snapshots', snapshotIds: [BIG] }],
    )
    const body = calls.at(-1)!.body!
    assert.match(body, /"snapshot-id":9123456789012345678/)
    assert.match(body, /"snapshot-ids":\[9123456789012345678\]/)
    assert.equal(calls.at(-1)!.url, 'http://cat/v1/namespaces/n/tables/t')
  })

  it('maps 409 to a retryable CommitConflictError and 5xx to CommitStateUnknownError', async () => {
    for (const [status, name, canRetry] of [
      [409, 'CommitConflictError', true],
      [503, 'CommitStateUnknownError', false],
    ] as const) {
      const { fetch } = fakeFetch((c) =>
        c.url.includes('config')
          ? { status: 200, body: {} }
          : { status, body: { error: { message: 'no', type: 'X', code: status } } },
      )
      await assert.rejects(
        new RestCatalog({ uri: 'http://cat', fetch }).commit({ namespace: ['n'], name: 't' }, [], []),
        { name, canRetry },
      )
    }
  })

  it('fetches an OAuth2 client-credentials token once and sends it as a bearer token', async () => {
    const { fetch, calls } = fakeFetch((c) => {
      if (c.url.endsWith('/v1/oauth/tokens'))
        return { status: 200, body: { access_token: 'tok', token_type: 'bearer', expires_in: 3600 } }
      if (c.url.includes('config')) return { status: 200, body: {} }
      return { status: 200, body: { properties: {} } }
    })
    const catalog = new RestCatalog({
      uri: 'http://cat',
      fetch,
      auth: { type: 'oauth2', clientId: 'id', clientSecret: 'secret' },
    })
    await catalog.loadNamespace(['n'])
    await catalog.loadNamespace(['n'])
    assert.equal(calls.filter((c) => c.url.endsWith('/oauth/tokens')).length, 1)
    assert.match(
      calls[0]!.body!,
      /grant_type=client_credentials&client_id=id&client_secret=secret&scope=catalog/,
    )
    assert.equal(calls.at(-1)!.headers.authorization, 'Bearer tok')
  })

  it('sends a static bearer token and reports 401/403 as AUTH_ERROR', async () => {
    const { fetch, calls } = fakeFetch(() => ({
      status: 403,
      body: { error: { message: 'denied', type: 'ForbiddenException', code: 403 } },
    }))
    await assert.rejects(
      new RestCatalog({ uri: 'http://cat', fetch, auth: { type: 'bearer', token: 't0' } }).loadNamespace([
        'n',
      ]),
      {
        code: 'AUTH_ERROR',
      },
    )
    assert.equal(calls[0]!.headers.authorization, 'Bearer t0')
  })

  it('reports a missing table as NO_SUCH_TABLE', async () => {
    const { fetch } = fakeFetch((c) =>
      c.url.includes('config')
        ? { status: 200, body: {} }
        : { status: 404, body: { error: { type: 'NoSuchTableException' } } },
    )
    await assert.rejects(
      new RestCatalog({ uri: 'http://cat', fetch }).loadTable({ namespace: ['n'], name: 't' }),
      { code: 'NO_SUCH_TABLE' },
    )
  })
})
