import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { aggregateRoutes } from '../src/query.ts'
import { Aggregator, aggregatorDeps, consumed, run, session } from './support/harness.ts'
import { InMemoryAggregateStore } from './support/memory-store.ts'
import { us, validatedSample } from './support/samples.ts'

async function appWithData() {
  const store = new InMemoryAggregateStore()
  const deps = await aggregatorDeps({ store, now: () => us('2026-03-20T00:00:00Z') })
  const aggregator = new Aggregator(deps)
  const at = (iso: string, value: number) => validatedSample({ startTime: us(iso), sampleId: iso, value })
  const samples = [
    at('2026-03-10T08:00:00Z', 1),
    at('2026-03-10T09:00:00Z', 3),
    at('2026-03-11T02:00:00Z', 5),
  ]
  await run(aggregator, consumed(deps.serdes, 0, 0, samples), session(1, [0]))
  await run(aggregator, consumed(deps.serdes, 0, 3, [at('2026-03-12T00:30:00Z', 7)]), session(1, [0]))
  return aggregateRoutes(store)
}

describe('GET /aggregates/:userId', () => {
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
