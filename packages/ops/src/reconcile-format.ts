/**
 * What `GET /admin/reconcile` answers (the lake-writer's reconciliation report, as JSON) and how the
 * `reconcile` command shows it, pure: one line per table and topic partition, then a verdict.
 */
// The answer's shape is the lake-writer's own report type (its JSON)
import type { PartitionReport, ReconcileReport, TableReport } from '@healthstream/lake-writer/reconcile'

export type { PartitionReport, ReconcileReport, TableReport }

const HEADER = ['table', 'topic', 'partition', 'end (LSO)', 'recorded', 'rows', 'behind'] as const

/** `behind` as shown: exact, or `≥n (≤m)` when the count was cut short. */
export function behindText(p: Pick<PartitionReport, 'behind' | 'exact' | 'behindAtMost'>): string {
  if (p.exact) return String(p.behind)
  return `≥${p.behind}${p.behindAtMost === undefined ? '' : ` (≤${p.behindAtMost})`}`
}

/** The cells of one partition's line. */
function cells(t: TableReport, p: PartitionReport): string[] {
  const expired = p.expired === undefined ? '' : ` (${p.expired} expired)`
  return [
    t.table,
    p.topic,
    String(p.partition),
    p.end,
    p.recorded ?? '-',
    p.rows === null ? '?' : String(p.rows),
    `${behindText(p)}${expired}`,
  ]
}

/** Columns padded to their widest cell; numbers right-aligned. */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const right = new Set([2, 3, 4, 5, 6])
  return rows.map((r) =>
    r
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

/** The report as lines: the table, the upsert note when there is an upsert table, the verdict. */
export function formatReconcile(report: ReconcileReport): string[] {
  const rows = report.tables.flatMap((t) => t.partitions.map((p) => cells(t, p)))
  const lines = [`reconciled at ${report.at}`, ...columns([[...HEADER], ...rows])]
  const upserts = report.tables.filter((t) => t.mode === 'upsert').map((t) => t.table)
  if (upserts.length > 0)
    lines.push(
      `rows of ${upserts.join(', ')}: rows held (upserts: a newer revision replaces a row, so fewer rows than records)`,
    )
  if (report.tables.some((t) => t.partitions.some((p) => p.rows === null)))
    lines.push('rows "?": the table keeps no row counts (written before they existed)')
  lines.push(verdict(report))
  return lines
}

/** The last line: complete, or how far behind and where. */
export function verdict(report: ReconcileReport): string {
  if (report.complete) return 'complete: every table holds every committed record of its topics'
  const behind = report.tables.filter((t) => t.behind > 0 || t.partitions.some((p) => !p.exact))
  const where = behind.map((t) => `${t.table} ${t.behind}`).join(', ')
  const bound = report.tables.some((t) => t.partitions.some((p) => !p.exact)) ? 'at least ' : ''
  return `behind: ${bound}${report.behind} committed records not in the lake yet (${where})`
}

/** The command's exit code: 0 when complete, 1 when anything is behind (or not counted to the end). */
export const exitCodeOf = (report: Pick<ReconcileReport, 'complete'>): number => (report.complete ? 0 : 1)
