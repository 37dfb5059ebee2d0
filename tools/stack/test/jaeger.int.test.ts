/**
 * Integration test against the stack's real Jaeger (`npm run stack -- up jaeger`): spans sent over
 * OTLP/HTTP, as the services' exporter sends them, come back from the query API with their service,
 * parent and links.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { endpoint, jaegerOtlpUrl, uniqueName, waitForSpans } from '@healthstream/testkit/stack'

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

test('a parent, its child and a linked span sent over OTLP/HTTP read back with their references', async () => {
  const service = uniqueName('stack-jaeger')
  const [traceId, otherTrace] = [hex(16), hex(16)]
  const [parent, child, linked] = [hex(8), hex(8), hex(8)]
  const now = BigInt(Date.now()) * 1_000_000n
  const span = (trace: string, id: string, name: string, extra: Record<string, unknown> = {}) => ({
    traceId: trace,
    spanId: id,
    name,
    kind: 5,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    attributes: [{ key: 'iceberg.rows', value: { intValue: '3' } }],
    ...extra,
  })
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'stack-test' },
            spans: [
              span(traceId, parent, 'ingest process'),
              span(traceId, child, 'validator process', { parentSpanId: parent }),
              span(otherTrace, linked, 'lake.commit', { links: [{ traceId, spanId: child }] }),
            ],
          },
        ],
      },
    ],
  }
  const sent = await fetch(`${jaegerOtlpUrl()}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(sent.status, 200, await sent.text())

  const spans = await waitForSpans(service, (s) => s.length >= 3)
  const byId = new Map(spans.map((s) => [s.spanID, s]))
  assert.deepEqual(
    [parent, child, linked].map((id) => [byId.get(id)?.operationName, byId.get(id)?.service]),
    [
      ['ingest process', service],
      ['validator process', service],
      ['lake.commit', service],
    ],
  )
  assert.deepEqual(byId.get(child)!.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: parent }])
  assert.deepEqual(byId.get(linked)!.references, [
    { refType: 'FOLLOWS_FROM', traceID: traceId, spanID: child },
  ])
  assert.equal(byId.get(parent)!.attributes['iceberg.rows'], 3)
  assert.match(endpoint('JAEGER_QUERY_URL'), /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback only')
})
