/**
 * `POST /admin/erase` (under the admin token of the shared app): erases the users a JSON body names
 * (`parseErasureRequest`) through the service's own `erase`, one erasure at a time per instance (409
 * while one runs). Each erasure is logged with its audit record (hashes, counts), never a user id.
 */
import { randomUUID } from 'node:crypto'
import type { Hono } from 'hono'
import { adminJobRoute } from '../platform/admin-job.ts'
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
  return (app) =>
    adminJobRoute(app, {
      path: '/admin/erase',
      parse: (body) => {
        const request = parseErasureRequest(body)
        return { ...request, erasureId: request.erasureId ?? randomUUID() }
      },
      refused: (error) => error instanceof ErasureRequestError,
      busy: 'an erasure is running on this instance; try again when it ends',
      run: async (request) => {
        const outcome = await erase(request)
        const audit = erasureAudit(service, request, outcome.counts, new Date(), request.erasureId)
        logger.info({ erasure: audit }, 'users erased')
        return audit
      },
      failed: (request, error) => {
        const { erasureId } = request
        const users = request.users.map(userHash).sort()
        logger.error({ err: error, erasure: { erasureId, by: request.by, users } }, 'erasure failed')
        const code = (error as { code?: unknown }).code
        return { error: (error as Error).message, erasureId, ...(code ? { code } : {}) }
      },
    })
}
