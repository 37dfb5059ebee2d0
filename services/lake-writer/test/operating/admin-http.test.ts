import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createHopMetrics, createServiceApp } from '@healthstream/shared/platform'
import { SummaryKeys } from '../../src/committing/offsets.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { adminActions, tableEndpoints } from '../../src/operating/admin-http.ts'
import { memoryWriter, tableRows } from '../support/memory.ts'
import { validatedSample } from '../support/records.ts'

const TOKEN = 'admin-token-0123456789'
const auth = { authorization: `Bearer ${TOKEN}` }

async function service() {
  const { broker, encode, lake, loop, maintenance } = await memoryWriter()
  const metrics = createHopMetrics('lake-writer-test')
  const app = createServiceApp({
    service: 'lake-writer',
    adminToken: TOKEN,
    metrics: metrics.registry,
    stallTimeoutMs: 60_000,
    readiness: () => ({ connected: true, assignedPartitions: 1, lastProgressAt: Date.now(), paused: false }),
    admin: {
      status: () => ({}),
      pause: () => loop.pause(),
      resume: () => loop.resume(),
      extra: adminActions({ loop, maintenance }),
    },
  })
  tableEndpoints(maintenance)(app)
  return { broker, encode, lake, loop, app }
}

const post = (
  app: Awaited<ReturnType<typeof service>>['app'],
  path: string,
  headers: Record<string, string> = auth,
) => app.request(path, { method: 'POST', headers })

describe('the admin endpoints', () => {
  it('flush commits what is buffered at once, long before the commit interval', async () => {
    const { broker, encode, lake, loop, app } = await service()
    const done = loop.run()
    broker.append(Array.from({ length: 30 }, (_, i) => encode('validated', validatedSample(i))))
    await new Promise((r) => setTimeout(r, 300))
    assert.equal((await tableRows(lake, TableNames.raw)).length, 0, 'nothing before the interval')
    const res = await post(app, '/admin/flush')
    assert.equal(res.status, 200)
    assert.equal((await tableRows(lake, TableNames.raw)).length, 30)
    await loop.stop()
    await done
  })

  it('compacts a table and expires its snapshots, keeping the rows and the offsets', async () => {
    const { broker, encode, lake, loop, app } = await service()
    const done = loop.run()
    for (let round = 0; round < 3; round++) {
      broker.append(
        Array.from({ length: 10 }, (_, i) =>
          encode('validated', validatedSample(round * 10 + i, 7, 60_000_000)),
        ),
      )
      await new Promise((r) => setTimeout(r, 150))
      await post(app, '/admin/flush')
    }
    const before = (await tableRows(lake, TableNames.raw)).map((r) => r.sample_id).sort()
    const compacted = (await (await post(app, `/admin/compact/${TableNames.raw}`)).json()) as Record<
      string,
      number
    >
    assert.equal(compacted.rewrittenFiles, 3)
    assert.equal(compacted.addedFiles, 1)
    const expired = (await (
      await post(app, `/admin/expire-snapshots/${TableNames.raw}?retainLast=1`)
    ).json()) as {
      expired: string[]
      deletedFiles: number
    }
    assert.equal(expired.expired.length, 3)
    assert.ok(expired.deletedFiles >= 3, 'the replaced data files and their metadata are deleted')
    assert.deepEqual((await tableRows(lake, TableNames.raw)).map((r) => r.sample_id).sort(), before)
    const raw = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
    assert.equal(raw.metadata.snapshots.length, 1)
    assert.match(raw.metadata.snapshots[0]!.summary[SummaryKeys.offsets]!, /"0":\d+/)
    await loop.stop()
    await done
  })

  it('refuses a missing token and names an unknown table', async () => {
    const { app } = await service()
    assert.equal((await post(app, '/admin/compact', {})).status, 401)
    assert.equal((await post(app, '/admin/compact/nope')).status, 404)
  })

  it('refuses to remove orphans younger than a day: a commit in flight may own them', async () => {
    const { broker, encode, lake, loop, app } = await service()
    const done = loop.run()
    broker.append(Array.from({ length: 5 }, (_, i) => encode('validated', validatedSample(i))))
    await new Promise((r) => setTimeout(r, 150))
    await post(app, '/admin/flush')
    const files = async () => (await lake.store.list('')).length
    const before = await files()
    for (const olderThanMs of [0, 3_600_000, 86_399_999]) {
      const res = await post(app, `/admin/remove-orphan-files/${TableNames.raw}?olderThanMs=${olderThanMs}`)
      assert.equal(res.status, 400)
      assert.match(((await res.json()) as { error: string }).error, /below 86400000 \(24 h\)/)
    }
    assert.equal(await files(), before, 'nothing deleted')
    const allowed = await post(app, `/admin/remove-orphan-files/${TableNames.raw}?olderThanMs=86400000`)
    assert.equal(allowed.status, 200)
    await loop.stop()
    await done
  })
})
