import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  behindText,
  exitCodeOf,
  formatReconcile,
  type PartitionReport,
  type ReconcileReport,
  verdict,
} from '../src/reconcile-format.ts'

const part = (partition: number, extra: Partial<PartitionReport> = {}): PartitionReport => ({
  topic: 'health-data-validated',
  partition,
  end: '120',
  recorded: '118',
  rows: 100,
  behind: 0,
  exact: true,
  ...extra,
})

function report(partitions: PartitionReport[], mode: 'append' | 'upsert' = 'append'): ReconcileReport {
  const behind = partitions.reduce((n, p) => n + p.behind, 0)
  const exact = partitions.every((p) => p.exact)
  return {
    at: '2026-01-01T00:00:00.000Z',
    complete: exact && behind === 0,
    behind,
    tables: [{ table: 'health_data_raw', mode, totalRows: 200, behind, partitions }],
  }
}

describe('showing a reconciliation', () => {
  it('writes "behind" as a count, or as bounds when the count was cut short', () => {
    const cases: [Partial<PartitionReport>, string][] = [
      [{ behind: 0, exact: true }, '0'],
      [{ behind: 12, exact: true }, '12'],
      [{ behind: 100, exact: false, behindAtMost: 250 }, '≥100 (≤250)'],
      [{ behind: 100, exact: false }, '≥100'],
    ]
    for (const [p, want] of cases) assert.equal(behindText({ ...part(0), ...p }), want)
  })

  it('lines up one line per table and partition, "-" for no recorded offset and "?" for unknown rows', () => {
    const lines = formatReconcile(
      report([part(0), part(1, { recorded: null, rows: null, behind: 3, end: '3' })]),
    )
    assert.deepEqual(lines, [
      'reconciled at 2026-01-01T00:00:00.000Z',
      'table            topic                  partition  end (LSO)  recorded  rows  behind',
      'health_data_raw  health-data-validated          0        120       118   100       0',
      'health_data_raw  health-data-validated          1          3         -     ?       3',
      'rows "?": the table keeps no row counts (written before they existed)',
      'behind: 3 committed records not in the lake yet (health_data_raw 3)',
    ])
  })

  it('says what rows mean for upsert tables', () => {
    const lines = formatReconcile(report([part(0)], 'upsert'))
    assert.match(lines.at(-2)!, /rows of health_data_raw: rows held \(upserts/)
  })

  it('exits 0 only when complete', () => {
    const cases: [PartitionReport[], number, RegExp][] = [
      [[part(0)], 0, /^complete/],
      [[part(0, { behind: 2 })], 1, /^behind: 2 committed records/],
      [[part(0, { behind: 0, exact: false, behindAtMost: 9 })], 1, /^behind: at least 0/],
    ]
    for (const [partitions, code, line] of cases) {
      const r = report(partitions)
      assert.equal(exitCodeOf(r), code)
      assert.match(verdict(r), line)
    }
  })
})
