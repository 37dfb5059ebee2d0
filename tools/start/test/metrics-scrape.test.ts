import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseCounters } from '../metrics-scrape.ts'

const LAKE_WRITER = `# HELP healthstream_records_in_total records consumed
healthstream_records_in_total{topic="health-data-validated"} 120
healthstream_records_in_total{topic="health-data-errors"} 7
healthstream_records_out_total 0
healthstream_dead_letters_total{reason="BAD_MAGIC"} 2
healthstream_lake_rows_committed_total{table="health_data_raw"} 120
healthstream_lake_rows_committed_total{table="health_data_errors"} 9
healthstream_lake_commit_seconds_bucket{le="0.1",table="health_data_raw"} 3
healthstream_lake_commit_seconds_count{table="health_data_raw"} 4
healthstream_lake_commit_seconds_count{table="health_data_errors"} 2
healthstream_lake_resyncs_total 1
`

describe("the dashboard reading a service's metrics", () => {
  it('sums records in and out, dead letters by reason, and lake commits and rows by table', () => {
    const c = parseCounters(LAKE_WRITER)
    assert.deepEqual([c.recordsIn, c.recordsOut], [127, 0])
    assert.deepEqual([...c.deadLetters], [['BAD_MAGIC', 2]])
    assert.deepEqual(Object.fromEntries(c.tables), {
      health_data_raw: { commits: 4, rows: 120 },
      health_data_errors: { commits: 2, rows: 9 },
    })
    assert.deepEqual([...c.extra], [['healthstream_lake_resyncs_total', 1]])
  })
})
