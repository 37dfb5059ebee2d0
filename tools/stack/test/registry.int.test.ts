/**
 * Integration test against the stack's real schema registry (Apicurio Registry through its
 * Confluent-compatible API; `npm run stack -- up registry`).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${endpoint('SCHEMA_REGISTRY_URL')}${path}`, {
    method,
    headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, json: (await response.json()) as T }
}

function avroRecord(name: string, extraFields: object[] = []): string {
  return JSON.stringify({
    type: 'record',
    name,
    namespace: 'healthstream.test',
    fields: [{ name: 'patientId', type: 'string' }, { name: 'bpm', type: 'int' }, ...extraFields],
  })
}

/** A unique subject, deleted (soft, then permanently) when the test ends. */
function subjectFor(t: { after(fn: () => unknown): void }): string {
  const subject = `${uniqueName('stack-test')}-value`
  t.after(async () => {
    await call('DELETE', `/subjects/${subject}`)
    await call('DELETE', `/subjects/${subject}?permanent=true`)
  })
  return subject
}

test('registers an Avro schema and serves it back by id', async (t) => {
  const subject = subjectFor(t)
  const schema = avroRecord('HeartRate')

  const registered = await call<{ id: number }>('POST', `/subjects/${subject}/versions`, { schema })
  assert.equal(registered.status, 200)
  assert.ok(Number.isInteger(registered.json.id) && registered.json.id > 0, `id: ${registered.json.id}`)

  const byId = await call<{ schema: string }>('GET', `/schemas/ids/${registered.json.id}`)
  assert.equal(byId.status, 200)
  assert.deepEqual(JSON.parse(byId.json.schema), JSON.parse(schema))

  // Producers register on every start: the same schema must keep its id.
  const again = await call<{ id: number }>('POST', `/subjects/${subject}/versions`, { schema })
  assert.equal(again.json.id, registered.json.id)
})

test('lists and looks up the versions of a subject', async (t) => {
  const subject = subjectFor(t)
  const v1 = avroRecord('Steps')
  const v2 = avroRecord('Steps', [{ name: 'source', type: ['null', 'string'], default: null }])
  const id1 = (await call<{ id: number }>('POST', `/subjects/${subject}/versions`, { schema: v1 })).json.id
  const id2 = (await call<{ id: number }>('POST', `/subjects/${subject}/versions`, { schema: v2 })).json.id
  assert.notEqual(id1, id2)

  const versions = await call<number[]>('GET', `/subjects/${subject}/versions`)
  assert.equal(versions.status, 200)
  assert.deepEqual(versions.json, [1, 2])

  const latest = await call<{ subject: string; version: number; id: number; schema: string }>(
    'GET',
    `/subjects/${subject}/versions/latest`,
  )
  assert.equal(latest.json.subject, subject)
  assert.equal(latest.json.version, 2)
  assert.equal(latest.json.id, id2)
  assert.deepEqual(JSON.parse(latest.json.schema), JSON.parse(v2))

  // Lookup by content (what a serializer without auto-register does).
  const found = await call<{ version: number; id: number }>('POST', `/subjects/${subject}`, { schema: v1 })
  assert.equal(found.status, 200)
  assert.equal(found.json.version, 1)
  assert.equal(found.json.id, id1)

  const subjects = await call<string[]>('GET', '/subjects')
  assert.ok(subjects.json.includes(subject), 'subject listed')
})

test('an unknown schema id is a 404 with a Confluent error code', async () => {
  const missing = await call<{ error_code: number }>('GET', '/schemas/ids/2147483000')
  assert.equal(missing.status, 404)
  assert.equal(missing.json.error_code, 40403)
})
