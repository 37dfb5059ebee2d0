/**
 * The lake-writer's admin endpoints, behind the bearer token of the shared HTTP app: flush now, and
 * the table maintenance actions, for every table with the configured defaults
 * (`POST /admin/compact`) or for one table with parameters (`POST /admin/compact/:table?…`).
 */
import type { Hono } from 'hono'
import type { TableSink } from '../committing/table-sink.ts'
import type { LakeLoop } from '../lake-loop.ts'
import type { MaintenanceResult, TableMaintenance } from './table-maintenance.ts'

/** What the admin endpoints work on. */
export interface AdminDeps {
  readonly loop: Pick<LakeLoop, 'flush' | 'stats'>
  readonly maintenance: TableMaintenance
  /** Longest wait of /admin/flush (default 60 s). */
  readonly flushTimeoutMs?: number
}

/** A request the admin endpoints refuse (answered 400, the message naming the parameter). */
export class AdminRequestError extends Error {
  readonly code = 'LAKE_ADMIN_BAD_REQUEST'
  readonly canRetry = false
  constructor(message: string) {
    super(message)
    this.name = 'AdminRequestError'
  }
}

/** /admin/flush waited longer than its timeout; the commit may still land, as any commit. */
export class FlushTimeoutError extends Error {
  readonly code = 'LAKE_FLUSH_TIMEOUT'
  /** Ask again: the commit it waited for goes on, and the next flush waits for it too. */
  readonly canRetry = true
  constructor(timeoutMs: number) {
    super(`flush timed out after ${timeoutMs} ms`)
    this.name = 'FlushTimeoutError'
  }
}

/** POST /admin/<name> actions for the shared HTTP app (all tables, configured defaults). */
export function adminActions(d: AdminDeps): Record<string, () => Promise<MaintenanceResult>> {
  const m = d.maintenance
  return {
    flush: async () => {
      await flushWithin(d.loop, d.flushTimeoutMs ?? 60_000)
      return { flushed: true, ...d.loop.stats }
    },
    compact: () => m.everyTable((s) => m.compact(s)),
    'expire-snapshots': () => m.everyTable((s) => m.expire(s)),
    'remove-orphan-files': () => m.everyTable((s) => m.removeOrphans(s)),
  }
}

/**
 * The per-table actions with parameters, under the app's /admin token check:
 * `POST /admin/compact/:table?targetFileSizeBytes=`, `POST /admin/expire-snapshots/:table?olderThanMs=&retainLast=`,
 * `POST /admin/remove-orphan-files/:table?olderThanMs=`. A parameter left out takes its setting.
 */
export function tableEndpoints(m: TableMaintenance): (app: Hono) => void {
  type Run = (sink: TableSink, param: (name: string) => number | undefined) => Promise<MaintenanceResult>
  return (app) => {
    const endpoint = (action: string, run: Run) =>
      app.post(`/admin/${action}/:table`, async (c) => {
        const sink = m.sink(c.req.param('table'))
        if (sink === undefined) return c.json({ error: `no table ${c.req.param('table')}` }, 404)
        try {
          return c.json(await run(sink, (name) => numberParam(name, c.req.query(name))))
        } catch (error) {
          return c.json({ error: (error as Error).message }, 400)
        }
      })
    endpoint('compact', (s, p) => m.compact(s, p('targetFileSizeBytes')))
    endpoint('expire-snapshots', (s, p) => m.expire(s, p('olderThanMs'), p('retainLast')))
    endpoint('remove-orphan-files', (s, p) => m.removeOrphans(s, p('olderThanMs')))
  }
}

function numberParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0)
    throw new AdminRequestError(`${name}: expected a non-negative number, got ${raw}`)
  return n
}

/** Waits for the loop's flush, failing after `timeoutMs` (the flush itself goes on). */
export async function flushWithin(loop: AdminDeps['loop'], timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FlushTimeoutError(timeoutMs)), timeoutMs)
  })
  try {
    await Promise.race([loop.flush(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
