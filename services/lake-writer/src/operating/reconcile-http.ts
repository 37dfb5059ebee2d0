/**
 * GET /admin/reconcile[?maxScan=N], under the app's /admin token check: the lake against its topics,
 * per table and topic partition (`reconcile-report.ts`), computed afresh on every call.
 */
import type { Hono } from 'hono'
import { AdminRequestError } from './admin-http.ts'
import type { Reconciler } from './reconciler.ts'

/** Adds the route; a bad `maxScan` is answered 400, a failed reconciliation 503 with its code. */
export function reconcileEndpoint(reconciler: Pick<Reconciler, 'run'>): (app: Hono) => void {
  return (app) => {
    app.get('/admin/reconcile', async (c) => {
      let maxScan: number | undefined
      try {
        maxScan = scanBound(c.req.query('maxScan'))
      } catch (error) {
        return c.json({ error: (error as Error).message, code: (error as AdminRequestError).code }, 400)
      }
      try {
        return c.json(await reconciler.run(maxScan))
      } catch (error) {
        const code = (error as { code?: unknown }).code
        return c.json({ error: (error as Error).message, ...(code === undefined ? {} : { code }) }, 503)
      }
    })
  }
}

function scanBound(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new AdminRequestError(`maxScan: expected a positive integer, got ${raw}`)
  return n
}
