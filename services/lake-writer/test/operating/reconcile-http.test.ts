import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConsumedRecord, FetchResult, PartitionOffset } from '@healthstream/shared/kafka'
import { Hono } from 'hono'
import { reconcileEndpoint } from '../../src/operating/reconcile-http.ts'
import { ReconcileKafkaError, scanCommitted } from '../../src/operating/reconcile-kafka.ts'
import type { ReconcileReport } from '../../src/operating/reconcile-report.ts'

const REPORT: ReconcileReport = { at: '2026-01-01T00:00:00.000Z', complete: true, behind: 0, tables: [] }

function app(run: (maxScan?: number) => Promise<ReconcileReport>): Hono {
  const a = new Hono()
  reconcileEndpoint({ run })(a)
  return a
}

describe('GET /admin/reconcile', () => {
  it('answers the report, with the scan bound asked for', async () => {
    const asked: (number | undefined)[] = []
    const a = app(async (maxScan) => {
      asked.push(maxScan)
      return REPORT
    })
    assert.deepEqual(await (await a.request('/admin/reconcile')).json(), REPORT)
    assert.equal((await a.request('/admin/reconcile?maxScan=500')).status, 200)
    assert.deepEqual(asked, [undefined, 500])
  })

  it('refuses a bound that is no positive integer, naming it', async () => {
    const a = app(async () => REPORT)
    for (const bad of ['0', '-1', 'x', '1.5']) {
      const r = await a.request(`/admin/reconcile?maxScan=${bad}`)
      assert.equal(r.status, 400, bad)
      assert.match(((await r.json()) as { error: string }).error, /^maxScan: expected a positive integer/)
    }
  })

  it('answers 503 with the code when Kafka cannot answer', async () => {
    const a = app(async () => Promise.reject(new ReconcileKafkaError('listing offsets', new Error('down'))))
    const r = await a.request('/admin/reconcile')
    assert.equal(r.status, 503)
    assert.deepEqual(await r.json(), {
      error: 'reconcile: listing offsets failed: down',
      code: 'LAKE_RECONCILE_KAFKA',
    })
  })
})

/** A partition whose log holds records at `offsets` (gaps: markers), fetched `perFetch` offsets at a time. */
function log(offsets: readonly bigint[], perFetch: bigint) {
  let fetches = 0
  return {
    get fetches() {
      return fetches
    },
    async fetch(positions: readonly PartitionOffset[]): Promise<FetchResult> {
      fetches++
      const p = positions[0]!
      const to = p.offset + perFetch
      const records = offsets
        .filter((o) => o >= p.offset && o < to)
        .map((offset) => ({ topic: p.topic, partition: p.partition, offset }) as ConsumedRecord)
      return { records, next: [{ ...p, offset: to }] }
    },
  }
}

describe('scanning the committed records of a stretch', () => {
  // records at 0-2, 4-5, 7 (markers at 3 and 6), LSO 8
  const committed = [0n, 1n, 2n, 4n, 5n, 7n]
  const cases: [string, bigint, bigint, number, bigint[], bigint][] = [
    ['all of it', 0n, 8n, 100, committed, 8n],
    ['from a recorded offset', 3n, 8n, 100, [4n, 5n, 7n], 8n],
    ['only a marker', 6n, 7n, 100, [], 7n],
    ['cut short by the limit, reached just past the last record counted', 0n, 8n, 4, [0n, 1n, 2n, 4n], 5n],
  ]
  for (const [what, from, end, limit, offsets, reached] of cases)
    it(what, async () => {
      const [result] = await scanCommitted(
        log(committed, 3n),
        [{ topic: 't', partition: 0, from, end }],
        limit,
        5_000,
      )
      assert.deepEqual(result, { topic: 't', partition: 0, offsets, reached })
    })

  it('stops at the deadline, saying how far it got', async () => {
    const slow = log(committed, 1n)
    const [result] = await scanCommitted(slow, [{ topic: 't', partition: 0, from: 0n, end: 8n }], 100, 0)
    assert.deepEqual([result!.reached, slow.fetches], [0n, 0])
  })
})
