/**
 * Upserts by copy-on-write, pure: which files a batch of keyed rows touches and what replaces them.
 * A file that holds any key of the batch is rewritten whole (its other rows kept as they are), the
 * version column decides between an old and a new row with the same key, and files without those
 * keys are left alone. No equality deletes: every reader (pyiceberg included) sees plain data files.
 */
import type { Row } from './tables.ts'

/** The upsert key of a row as one string (integers and bigints alike, so Parquet and Avro values match). */
export function keyOf(row: Row, key: readonly string[]): string {
  return key
    .map((k) => {
      const v = row[k]
      return typeof v === 'number' || typeof v === 'bigint' ? String(BigInt(v)) : String(v)
    })
    .join('\u0000')
}

function versionOf(row: Row, column: string | undefined): bigint {
  if (column === undefined) return 0n
  const v = row[column]
  return typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : 0n
}

/** How rows are keyed and versioned. */
export interface UpsertKey {
  readonly key: readonly string[]
  /** Larger wins; equal versions: the later row wins (a replay brings back the same row). */
  readonly version?: string
}

/** One row per key: the largest version, later rows winning ties. */
export function newestByKey(rows: readonly Row[], k: UpsertKey): Map<string, Row> {
  const out = new Map<string, Row>()
  for (const row of rows) {
    const id = keyOf(row, k.key)
    const held = out.get(id)
    if (held === undefined || versionOf(row, k.version) >= versionOf(held, k.version)) out.set(id, row)
  }
  return out
}

/** A live data file and its rows. */
export interface ExistingFile {
  readonly path: string
  readonly rows: readonly Row[]
}

/** What an upsert commits: files to remove and the rows of their replacements (plus the new rows). */
export interface UpsertPlan {
  readonly deleted: string[]
  readonly rows: Row[]
  /** Incoming rows that lost to a newer row already in the table. */
  readonly stale: number
}

/** True when a file holds one of the keys. */
export function overlaps(fileKeys: ReadonlySet<string>, incoming: ReadonlyMap<string, Row>): boolean {
  const [small, big] = fileKeys.size < incoming.size ? [fileKeys, incoming] : [incoming, fileKeys]
  for (const k of small.keys()) if (big.has(k)) return true
  return false
}

/**
 * Plans the copy-on-write of `incoming` (one row per key, see `newestByKey`) over `files`: every file
 * holding one of the keys is deleted and its rows are written again, except those replaced by a
 * newer incoming row; an existing row with a larger version than the incoming one stays instead.
 */
export function upsertPlan(
  files: readonly ExistingFile[],
  incoming: ReadonlyMap<string, Row>,
  k: UpsertKey,
): UpsertPlan {
  const winners = new Map(incoming)
  const kept: Row[] = []
  const deleted: string[] = []
  let stale = 0
  for (const file of files) {
    const keys = file.rows.map((r) => keyOf(r, k.key))
    if (!keys.some((id) => incoming.has(id))) continue
    deleted.push(file.path)
    file.rows.forEach((row, i) => {
      const id = keys[i]!
      const rival = winners.get(id)
      if (rival === undefined) kept.push(row)
      else if (versionOf(row, k.version) > versionOf(rival, k.version)) {
        if (incoming.get(id) === rival) stale++
        winners.set(id, row)
      }
    })
  }
  return { deleted, rows: [...kept, ...winners.values()], stale }
}
