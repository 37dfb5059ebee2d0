/**
 * An admin POST route that runs one job at a time per instance (replay, erasure): the JSON body
 * parsed by `parse` (a request it refuses → 400 with the problems), 409 while a job runs, the job's
 * answer as JSON, and on failure 500 with what `failed` says (it logs too).
 */
import type { Hono } from 'hono'

/** A request `parse` refuses: `problems` name each field. */
export interface RefusedRequest {
  readonly message: string
  readonly problems: readonly string[]
}

export interface AdminJob<R> {
  readonly path: string
  /** Throws a `RefusedRequest` (recognised by `refused`) for a body it cannot take. */
  readonly parse: (body: unknown) => R
  readonly refused: (error: unknown) => error is RefusedRequest
  /** Said with the 409. */
  readonly busy: string
  readonly run: (request: R) => Promise<object>
  /** Logs the failure; returns the 500's body. */
  readonly failed: (request: R, error: unknown) => object
}

export function adminJobRoute<R>(app: Hono, job: AdminJob<R>): void {
  let running = false
  app.post(job.path, async (c) => {
    let request: R
    try {
      request = job.parse(await c.req.json().catch(() => undefined))
    } catch (error) {
      if (job.refused(error)) return c.json({ error: error.message, problems: error.problems }, 400)
      throw error
    }
    if (running) return c.json({ error: job.busy }, 409)
    running = true
    try {
      return c.json(await job.run(request))
    } catch (error) {
      return c.json(job.failed(request, error), 500)
    } finally {
      running = false
    }
  })
}
