/** When the loop commits: a buffer full, or one holding rows for a whole commit interval. */
import type { TableBuffer } from './table-buffer.ts'

type Buffer = Pick<TableBuffer, 'rowCount' | 'dirtySince'>

/** A buffer holds COMMIT_MAX_ROWS or more: reading waits for the commit. */
export function buffersFull(buffers: Iterable<Buffer>, commitMaxRows: number): boolean {
  for (const b of buffers) if (b.rowCount >= commitMaxRows) return true
  return false
}

/** A buffer is full, or its oldest pending row waited COMMIT_INTERVAL. */
export function commitDue(
  buffers: Iterable<Buffer>,
  limits: { readonly commitIntervalMs: number; readonly commitMaxRows: number },
  now: number,
): boolean {
  const all = [...buffers]
  if (buffersFull(all, limits.commitMaxRows)) return true
  return all.some((b) => b.dirtySince !== undefined && now - b.dirtySince >= limits.commitIntervalMs)
}

/** Records per topic, for the `consumed` events. */
export function countByTopic(records: readonly { topic: string }[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of records) out.set(r.topic, (out.get(r.topic) ?? 0) + 1)
  return out
}
