import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createHopMetrics } from '@healthstream/shared/platform'
import { TableNames } from '../../src/committing/tables.ts'
import { createLakeMetrics } from '../../src/operating/metrics.ts'

describe('the lake metrics', () => {
  it('count rows, files and bytes per table, commit latency and event-time freshness', async () => {
    const hop = createHopMetrics('lake-writer-test')
    const lakeMetrics = createLakeMetrics(hop, [TableNames.raw])
    lakeMetrics.onEvent({
      type: 'committed',
      watermark: BigInt(Date.now() - 90_000) * 1000n,
      result: {
        table: TableNames.raw,
        rows: 12,
        files: 2,
        bytes: 3456,
        attempts: 2,
        durationMs: 40,
        stale: 0,
      },
    })
    const text = await hop.registry.metrics()
    const value = (name: string) =>
      Number(new RegExp(`^${name}\\{[^}]*table="${TableNames.raw}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1])
    assert.equal(value('healthstream_lake_rows_committed_total'), 12)
    assert.equal(value('healthstream_lake_files_committed_total'), 2)
    assert.equal(value('healthstream_lake_bytes_committed_total'), 3456)
    assert.equal(value('healthstream_lake_commit_conflicts_total'), 1)
    assert.equal(value('healthstream_lake_commit_seconds_count'), 1)
    assert.ok(value('healthstream_lake_seconds_since_last_commit') < 5)
    assert.ok(Math.abs(value('healthstream_lake_event_time_freshness_seconds') - 90) < 5)
  })

  it('counts failed catalog calls by table and operation, each at 0 before anything failed', async () => {
    const hop = createHopMetrics('lake-writer-test')
    const lakeMetrics = createLakeMetrics(hop, [TableNames.raw, TableNames.errors])
    lakeMetrics.catalogError(TableNames.raw, 'commit')
    lakeMetrics.catalogError(TableNames.raw, 'commit')
    const text = await hop.registry.metrics()
    const value = (table: string, operation: string) =>
      Number(
        new RegExp(
          `^healthstream_lake_catalog_errors_total\\{[^}]*table="${table}",operation="${operation}"[^}]*\\} (\\S+)$`,
          'm',
        ).exec(text)?.[1],
      )
    assert.equal(value(TableNames.raw, 'commit'), 2)
    assert.equal(value(TableNames.raw, 'refresh'), 0)
    assert.equal(value(TableNames.errors, 'commit'), 0)
  })
})
