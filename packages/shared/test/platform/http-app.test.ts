import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AdminAuditEntry } from '../../src/platform/admin-audit.ts'
import { createServiceApp, livenessProblems, type Readiness } from '../../src/platform/http-app.ts'
import { createHopMetrics } from '../../src/platform/metrics.ts'

const TOKEN = 'test-token-0123456789'

function makeApp(state: Partial<Readiness> = {}, clock = { now: 1_010_000 }, audit: AdminAuditEntry[] = []) {
  const metrics = createHopMetrics('test')
  let paused = false
  const readiness = (): Readiness => ({
    connected: true,
    assignedPartitions: 2,
    lastProgressAt: 1_000_000,
    paused,
    ...state,
  })
  const app = createServiceApp({
    service: 'test',
    adminToken: TOKEN,
    metrics: metrics.registry,
    readiness,
    stallTimeoutMs: 60_000,
    now: () => clock.now,
    audit: (entry) => audit.push(entry),
    admin: {
      status: () => ({ paused }),
      pause: () => {
        paused = true
      },
      resume: () => {
        paused = false
      },
      extra: { flush: async () => ({ flushed: 3 }) },
    },
  })
  return { app, metrics }
}
const auth = { authorization: `Bearer ${TOKEN}` }

describe('service app', () => {
  it('answers /healthz with ok', async () => {
    const res = await makeApp().app.request('/healthz')
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { status: 'ok', service: 'test' })
  })

  it('fails /healthz once a loop with partitions has made no progress past the stall timeout', async () => {
    const clock = { now: 1_000_000 }
    const { app } = makeApp({ lastProgressAt: 1_000_000 }, clock)
    clock.now += 60_000
    assert.equal((await app.request('/healthz')).status, 200)
    clock.now += 1_000
    const res = await app.request('/healthz')
    assert.equal(res.status, 503)
    assert.deepEqual(await res.json(), {
      status: 'stalled',
      service: 'test',
      problems: ['no progress for 61s with 2 partitions assigned'],
    })
  })

  const alive: [string, Partial<Readiness>, number, string[]][] = [
    ['progressing', { lastProgressAt: 100_000 }, 0, []],
    ['paused by an operator', { lastProgressAt: 0, paused: true }, 0, []],
    ['without partitions (nothing to do)', { lastProgressAt: 0, assignedPartitions: 0 }, 0, []],
    ['still joining after start-up (no progress yet)', { lastProgressAt: 0 }, 100_000, []],
    ['disconnected but within the timeout', { lastProgressAt: 90_000, connected: false }, 0, []],
    ['wedged', { lastProgressAt: 30_000 }, 0, ['no progress for 120s with 2 partitions assigned']],
    [
      'wedged since start-up',
      { lastProgressAt: 0 },
      20_000,
      ['no progress for 130s with 2 partitions assigned'],
    ],
  ]
  for (const [what, state, startedAt, problems] of alive) {
    it(`liveness when ${what}`, () => {
      const readiness = { connected: true, assignedPartitions: 2, lastProgressAt: 0, paused: false, ...state }
      assert.deepEqual(livenessProblems(readiness, 150_000, 60_000, startedAt), problems)
    })
  }

  it('is ready when connected, assigned and making progress', async () => {
    const res = await makeApp().app.request('/readyz')
    assert.equal(res.status, 200)
  })

  const notReady: [string, Partial<Readiness>, RegExp][] = [
    ['disconnected', { connected: false }, /not connected/],
    ['without partitions', { assignedPartitions: 0 }, /no partitions assigned/],
    ['stalled for longer than the timeout', { lastProgressAt: 900_000 }, /no progress for 110s/],
    [
      'the service names a problem of its own',
      { problems: ['health_data_raw: position unknown'] },
      /health_data_raw: position unknown/,
    ],
  ]
  for (const [what, state, problem] of notReady) {
    it(`is not ready when ${what}`, async () => {
      const res = await makeApp(state).app.request('/readyz')
      assert.equal(res.status, 503)
      const body = (await res.json()) as { problems: string[] }
      assert.match(body.problems.join(';'), problem)
    })
  }

  it('serves Prometheus metrics including the hop counters', async () => {
    const { app, metrics } = makeApp()
    metrics.recordsIn.inc({ topic: 'health-data-raw' }, 7)
    const res = await app.request('/metrics')
    assert.equal(res.status, 200)
    assert.match(
      await res.text(),
      /healthstream_records_in_total\{topic="health-data-raw",service="test"\} 7/,
    )
  })

  it('rejects /admin without the token and with a wrong one', async () => {
    const { app } = makeApp()
    assert.equal((await app.request('/admin/status')).status, 401)
    const wrong = await app.request('/admin/status', { headers: { authorization: 'Bearer nope' } })
    assert.equal(wrong.status, 401)
    const post = await app.request('/admin/pause', { method: 'POST' })
    assert.equal(post.status, 401)
  })

  it('pauses and resumes through /admin with the token', async () => {
    const { app } = makeApp()
    assert.equal((await app.request('/admin/pause', { method: 'POST', headers: auth })).status, 200)
    assert.deepEqual(await (await app.request('/admin/status', { headers: auth })).json(), { paused: true })
    await app.request('/admin/resume', { method: 'POST', headers: auth })
    assert.deepEqual(await (await app.request('/admin/status', { headers: auth })).json(), { paused: false })
  })

  it('routes service-specific admin actions', async () => {
    const res = await makeApp().app.request('/admin/flush', { method: 'POST', headers: auth })
    assert.deepEqual(await res.json(), { flushed: 3 })
  })

  it('audits every /admin request, refused ones too, without the token', async () => {
    const audit: AdminAuditEntry[] = []
    const { app } = makeApp({}, undefined, audit)
    await app.request('/admin/pause', {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-123456' },
    })
    await app.request('/admin/flush?table=x', { method: 'POST', headers: auth })
    await app.request('/healthz')
    assert.deepEqual(
      audit.map(({ method, path, query, status, authorized }) => ({
        method,
        path,
        query,
        status,
        authorized,
      })),
      [
        { method: 'POST', path: '/admin/pause', query: {}, status: 401, authorized: false },
        { method: 'POST', path: '/admin/flush', query: { table: 'x' }, status: 200, authorized: true },
      ],
    )
    const written = JSON.stringify(audit)
    assert.ok(!written.includes(TOKEN) && !written.includes('wrong-token'), written)
  })
})
