/**
 * `POST /admin/erase` (under the admin token of the shared app): erases the users a JSON body names
 * (`parseErasureRequest`) through the service's own `erase`, one erasure at a time per instance (409
 * while one runs). Each erasure is logged with its audit record (hashes, counts), never a user id.
 */
import { randomUUID } from 'node:crypto'
import type { Hono } from 'hono'
import type { Logger } from '../platform/logger.ts'
import { erasureAudit, userHash } from './audit.ts'
import { type ErasureRequest, ErasureRequestError, parseErasureRequest } from './request.ts'

/** What a service's erasure did: rows or keys deleted per table or store. */
export interface ErasureOutcome {
  readonly counts: Readonly<Record<string, number>>
}

/** The service's part: erase `request.users` (with the request's `erasureId`, always set here). */
export type EraseUsers = (request: ErasureRequest & { readonly erasureId: string }) => Promise<ErasureOutcome>

/** The route for the service's HTTP app. */
export function erasureRoute(service: string, erase: EraseUsers, logger: Logger): (app: Hono) => void {
  let running = false
  return (app) => {
    app.post('/admin/erase', async (c) => {
      let request: ErasureRequest
      try {
        request = parseErasureRequest(await c.req.json().catch(() => undefined))
      } catch (error) {
        if (error instanceof ErasureRequestError)
          return c.json({ error: error.message, problems: error.problems }, 400)
        throw error
      }
      if (running)
        return c.json({ error: 'an erasure is running on this instance; try again when it ends' }, 409)
      running = true
      const erasureId = request.erasureId ?? randomUUID()
      try {
        const outcome = await erase({ ...request, erasureId })
        const audit = erasureAudit(service, request, outcome.counts, new Date(), erasureId)
        logger.info({ erasure: audit }, 'users erased')
        return c.json(audit)
      } catch (error) {
        const users = request.users.map(userHash).sort()
        logger.error({ err: error, erasure: { erasureId, by: request.by, users } }, 'erasure failed')
        const code = (error as { code?: unknown }).code
        return c.json({ error: (error as Error).message, erasureId, ...(code ? { code } : {}) }, 500)
      } finally {
        running = false
      }
    })
  }
}
