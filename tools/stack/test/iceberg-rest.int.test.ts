/**
 * Integration test against the stack's real Iceberg REST catalog (Apache's REST fixture;
 * `npm run stack -- up iceberg-rest`).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${endpoint('ICEBERG_REST_URI')}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  return { status: response.status, json: (text === '' ? undefined : JSON.parse(text)) as T }
}

/** The spec says 204 for a successful DELETE; the fixture answers 200 with an empty body. */
function assertDeleted(status: number): void {
  assert.ok(status === 204 || status === 200, `DELETE answered ${status}`)
}

/** Namespace names of one level; underscores keep them valid identifiers for SQL engines too. */
function namespaceName(): string {
  return uniqueName('stack_test').replaceAll('-', '_')
}

test('GET /v1/config answers with defaults and overrides', async () => {
  const config = await call<{ defaults: object; overrides: object }>('GET', '/config')
  assert.equal(config.status, 200)
  assert.equal(typeof config.json.defaults, 'object')
  assert.equal(typeof config.json.overrides, 'object')
})

test('creates, loads, lists and drops a namespace', async (t) => {
  const name = namespaceName()
  t.after(() => call('DELETE', `/namespaces/${name}`))

  const created = await call<{ namespace: string[]; properties: Record<string, string> }>(
    'POST',
    '/namespaces',
    {
      namespace: [name],
      properties: { owner: 'healthstream-tests', purpose: 'stack check' },
    },
  )
  assert.equal(created.status, 200)
  assert.deepEqual(created.json.namespace, [name])

  const loaded = await call<{ namespace: string[]; properties: Record<string, string> }>(
    'GET',
    `/namespaces/${name}`,
  )
  assert.equal(loaded.status, 200)
  assert.deepEqual(loaded.json.namespace, [name])
  assert.equal(loaded.json.properties.owner, 'healthstream-tests')
  assert.equal(loaded.json.properties.purpose, 'stack check')

  const listed = await call<{ namespaces: string[][] }>('GET', '/namespaces')
  assert.ok(
    listed.json.namespaces.some((ns) => ns.length === 1 && ns[0] === name),
    'namespace listed',
  )

  const duplicate = await call<{ error: { type: string } }>('POST', '/namespaces', { namespace: [name] })
  assert.equal(duplicate.status, 409)

  assertDeleted((await call('DELETE', `/namespaces/${name}`)).status)
  const gone = await call<{ error: { code: number; type: string } }>('GET', `/namespaces/${name}`)
  assert.equal(gone.status, 404)
  assert.equal(gone.json.error.type, 'NoSuchNamespaceException')
})

test('creates, loads and drops a table (metadata is written to the warehouse)', async (t) => {
  const name = namespaceName()
  assert.equal((await call('POST', '/namespaces', { namespace: [name] })).status, 200)
  t.after(async () => {
    await call('DELETE', `/namespaces/${name}/tables/readings?purgeRequested=true`)
    await call('DELETE', `/namespaces/${name}`)
  })

  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 1, name: 'patient_id', required: true, type: 'string' },
      { id: 2, name: 'bpm', required: false, type: 'int' },
      { id: 3, name: 'measured_at', required: true, type: 'timestamptz' },
    ],
  }
  const created = await call<{ 'metadata-location': string; metadata: { 'format-version': number } }>(
    'POST',
    `/namespaces/${name}/tables`,
    { name: 'readings', schema },
  )
  assert.equal(created.status, 200, JSON.stringify(created.json))
  assert.match(created.json['metadata-location'], /\.metadata\.json$/)

  const loaded = await call<{ metadata: { schemas: { fields: { name: string }[] }[] } }>(
    'GET',
    `/namespaces/${name}/tables/readings`,
  )
  assert.equal(loaded.status, 200)
  assert.deepEqual(
    loaded.json.metadata.schemas[0]?.fields.map((f) => f.name),
    ['patient_id', 'bpm', 'measured_at'],
  )

  assertDeleted((await call('DELETE', `/namespaces/${name}/tables/readings?purgeRequested=true`)).status)
  assert.equal((await call('GET', `/namespaces/${name}/tables/readings`)).status, 404)
})
