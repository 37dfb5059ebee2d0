/**
 * Admin actions (behind the bearer token of the shared HTTP app): flush now, compact, expire
 * snapshots, remove orphan files. Maintenance runs between the writer's own commits, and every
 * snapshot it makes carries the recorded offsets forward.
 */
import type { Hono } from 'hono'
import type { LakeLoop } from './lake-loop.ts'
import { carriedSummary, stateChain } from './offsets.ts'
import type { TableSink } from './table-sink.ts'

/** What the admin actions work on. */
export interface AdminDeps {
  readonly loop: LakeLoop
  readonly sinks: readonly TableSink[]
  /** Written into the snapshots maintenance makes. */
  readonly writer: string
  readonly compactTargetBytes: number
  /** The most rows one compaction rewrite holds in memory. */
  readonly compactMaxRows?: number
  readonly expireOlderThanMs: number
  readonly expireRetainLast: number
  /** Longest wait of /admin/flush (default 60 s). */
  readonly flushTimeoutMs?: number
  readonly now?: () => number
}

type Result = Record<string, unknown>

/** Files younger than this are never orphans: a commit may still be writing them (3 days, as in Iceberg's Java actions). */
export const ORPHAN_MIN_AGE_MS = 3 * 86_400_000

/** Compacts one table: small files of each partition rewritten into files near the target size. */
export function compactTable(
  d: AdminDeps,
  sink: TableSink,
  targetBytes = d.compactTargetBytes,
): Promise<Result> {
  return d.loop.exclusive(async () => {
    await sink.table.refresh()
    const r = await sink.table.compact({
      targetFileSizeBytes: targetBytes,
      ...(d.compactMaxRows === undefined ? {} : { maxRowsPerRewrite: d.compactMaxRows }),
      summary: (base) => carriedSummary(base, d.writer),
    })
    return { table: sink.def.name, ...r }
  })
}

/** Expires snapshots older than the cut-off (keeping the newest `retainLast`) and deletes their files. */
export function expireTable(
  d: AdminDeps,
  sink: TableSink,
  olderThanMs: number,
  retainLast: number,
): Promise<Result> {
  return d.loop.exclusive(async () => {
    await sink.table.refresh()
    const now = (d.now ?? Date.now)()
    const r = await sink.table.expireSnapshots({
      olderThanMs: now - olderThanMs,
      retainLast,
      // the snapshot holding the recorded offsets, and those after it (other tools' snapshots carry none)
      keep: (m) => stateChain(m).map((s) => s.snapshotId),
    })
    return { table: sink.def.name, expired: r.expired.map(String), deletedFiles: r.deletedFiles.length }
  })
}

/** Deletes files older than `olderThanMs` that no metadata refers to (left by crashed commits). */
export function removeOrphans(d: AdminDeps, sink: TableSink, olderThanMs: number): Promise<Result> {
  return d.loop.exclusive(async () => {
    await sink.table.refresh()
    const now = (d.now ?? Date.now)()
    const removed = await sink.table.removeOrphanFiles({ olderThanMs: now - olderThanMs })
    return { table: sink.def.name, removed: removed.length }
  })
}

async function eachTable(d: AdminDeps, fn: (s: TableSink) => Promise<Result>): Promise<Result> {
  const tables: Result[] = []
  for (const s of d.sinks) tables.push(await fn(s))
  return { tables }
}

/** POST /admin/<name> actions for the shared HTTP app (all tables, configured defaults). */
export function adminActions(d: AdminDeps): Record<string, () => Promise<Result>> {
  return {
    flush: async () => {
      const timeout = AbortSignal.timeout(d.flushTimeoutMs ?? 60_000)
      await Promise.race([
        d.loop.flush(),
        new Promise((_, reject) =>
          timeout.addEventListener('abort', () => reject(new Error('flush timed out'))),
        ),
      ])
      return { flushed: true, ...d.loop.stats }
    },
    compact: () => eachTable(d, (s) => compactTable(d, s)),
    'expire-snapshots': () => eachTable(d, (s) => expireTable(d, s, d.expireOlderThanMs, d.expireRetainLast)),
    'remove-orphan-files': () => eachTable(d, (s) => removeOrphans(d, s, ORPHAN_MIN_AGE_MS)),
  }
}

function numberParam(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a non-negative number, got ${raw}`)
  return n
}

/**
 * Per-table routes with parameters, under the app's /admin token check:
 * `POST /admin/compact/:table?targetFileSizeBytes=`, `POST /admin/expire-snapshots/:table?olderThanMs=&retainLast=`,
 * `POST /admin/remove-orphan-files/:table?olderThanMs=`.
 */
export function adminRoutes(d: AdminDeps): (app: Hono) => void {
  const sinkOf = (name: string): TableSink | undefined => d.sinks.find((s) => s.def.name === name)
  return (app) => {
    const route = (
      path: string,
      run: (s: TableSink, q: (k: string) => string | undefined) => Promise<Result>,
    ) =>
      app.post(`/admin/${path}/:table`, async (c) => {
        const sink = sinkOf(c.req.param('table'))
        if (sink === undefined) return c.json({ error: `no table ${c.req.param('table')}` }, 404)
        try {
          return c.json(await run(sink, (k) => c.req.query(k)))
        } catch (error) {
          return c.json({ error: (error as Error).message }, 400)
        }
      })
    route('compact', (s, q) =>
      compactTable(d, s, numberParam(q('targetFileSizeBytes'), d.compactTargetBytes)),
    )
    route('expire-snapshots', (s, q) =>
      expireTable(
        d,
        s,
        numberParam(q('olderThanMs'), d.expireOlderThanMs),
        numberParam(q('retainLast'), d.expireRetainLast),
      ),
    )
    route('remove-orphan-files', (s, q) =>
      removeOrphans(d, s, numberParam(q('olderThanMs'), ORPHAN_MIN_AGE_MS)),
    )
  }
}
