/**
 * One audit line per request to /admin/*, allowed or refused: what was asked (method, path, query),
 * from where, the answer's status and how long it took. Never the Authorization header or a body.
 */
import type { MiddlewareHandler } from 'hono'

export interface AdminAuditEntry {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** The peer's address when the runtime tells it (node:http, Bun, Deno), else undefined. */
  readonly remote: string | undefined
  readonly status: number
  /** False when the bearer token was missing or wrong. */
  readonly authorized: boolean
  readonly durationMs: number
}

/** Middleware for `/admin/*`, placed before the token check so refused requests are audited too. */
export function adminAudit(write: (entry: AdminAuditEntry) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now()
    await next()
    write({
      method: c.req.method,
      path: c.req.path,
      query: { ...c.req.query() },
      remote: remoteAddress(c.env),
      status: c.res.status,
      authorized: c.res.status !== 401,
      durationMs: Math.round(performance.now() - started),
    })
  }
}

/** @hono/node-server puts the IncomingMessage in the env; Bun and Deno expose no peer address here. */
export function remoteAddress(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  return incoming?.socket?.remoteAddress
}
