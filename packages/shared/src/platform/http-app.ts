import { timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Registry } from 'prom-client'
import { type AdminAuditEntry, adminAudit } from './admin-audit.ts'
import { DEFAULT_HTTP_LIMITS } from './serve.ts'

/** What /readyz needs to know about the hop. */
export interface Readiness {
  /** Connected to the broker (and other required servers). */
  readonly connected: boolean
  /** Input partitions this instance owns right now. */
  readonly assignedPartitions: number
  /** Epoch ms of the last committed transaction or idle poll, whichever is newer. */
  readonly lastProgressAt: number
  /** Paused by an operator through /admin/pause. */
  readonly paused: boolean
  /** What else keeps the service from doing its work, in words an operator can act on. */
  readonly problems?: readonly string[]
}

/** Admin actions a service offers; the common ones plus service-specific POST routes. */
export interface AdminActions {
  status(): Record<string, unknown>
  pause(): void | Promise<void>
  resume(): void | Promise<void>
  readonly extra?: Record<string, () => Promise<Record<string, unknown>>>
}

export interface ServiceAppOptions {
  readonly service: string
  readonly adminToken: string
  readonly metrics: Registry
  readonly readiness: () => Readiness
  readonly admin: AdminActions
  readonly stallTimeoutMs: number
  readonly now?: () => number
  /** Receives one entry per /admin request, refused ones included. */
  readonly audit?: (entry: AdminAuditEntry) => void
  /** The largest request body, in bytes (HTTP_BODY_LIMIT); larger ones are answered 413 unread. */
  readonly maxBodyBytes?: number
}

/** The hono app every service serves: health, readiness, Prometheus metrics, token-protected admin. */
export function createServiceApp(options: ServiceAppOptions): Hono {
  const app = new Hono()
  const now = options.now ?? Date.now
  const startedAt = now()
  // First, for every route (the services' own too): nothing reads a body past the limit
  const maxSize = options.maxBodyBytes ?? DEFAULT_HTTP_LIMITS.maxBodyBytes
  app.use(
    '*',
    bodyLimit({ maxSize, onError: (c) => c.json({ error: `request body over ${maxSize} bytes` }, 413) }),
  )
  app.get('/healthz', (c) => {
    const problems = livenessProblems(options.readiness(), now(), options.stallTimeoutMs, startedAt)
    if (problems.length === 0) return c.json({ status: 'ok', service: options.service })
    return c.json({ status: 'stalled', service: options.service, problems }, 503)
  })
  app.get('/readyz', (c) => {
    const problems = readinessProblems(options.readiness(), now(), options.stallTimeoutMs)
    return c.json({ ready: problems.length === 0, problems }, problems.length === 0 ? 200 : 503)
  })
  app.get('/metrics', async (c) => {
    const body = await options.metrics.metrics()
    return c.body(body, 200, { 'content-type': options.metrics.contentType })
  })
  if (options.audit) app.use('/admin/*', adminAudit(options.audit))
  app.use('/admin/*', async (c, next) => {
    if (!tokenMatches(c.req.header('authorization'), options.adminToken)) {
      return c.json({ error: 'missing or wrong bearer token' }, 401, { 'www-authenticate': 'Bearer' })
    }
    await next()
  })
  app.get('/admin/status', (c) => c.json(options.admin.status()))
  app.post('/admin/pause', async (c) => {
    await options.admin.pause()
    return c.json({ paused: true })
  })
  app.post('/admin/resume', async (c) => {
    await options.admin.resume()
    return c.json({ paused: false })
  })
  for (const [name, action] of Object.entries(options.admin.extra ?? {})) {
    app.post(`/admin/${name}`, async (c) => c.json(await action()))
  }
  return app
}

/** Empty when ready; otherwise the reasons, for operators reading the 503 body. */
export function readinessProblems(state: Readiness, now: number, stallTimeoutMs: number): string[] {
  const problems: string[] = []
  if (!state.connected) problems.push('not connected to Kafka')
  if (state.assignedPartitions === 0) problems.push('no partitions assigned')
  if (!state.paused && now - state.lastProgressAt > stallTimeoutMs) {
    problems.push(`no progress for ${Math.round((now - state.lastProgressAt) / 1000)}s`)
  }
  return [...problems, ...(state.problems ?? [])]
}

/**
 * Empty while alive. Dead means wedged: partitions to work on, not paused, and no progress (a commit or
 * a caught-up poll; an idle loop keeps polling) for longer than `stallTimeoutMs` — since start-up at
 * the earliest, so joining the group is not taken for a stall. What it catches is a loop that hangs
 * (a batch or a commit that never returns). A server that refuses outright makes the loop retry and
 * re-sync, which counts as activity: readiness reports that, and a restart would not help.
 */
export function livenessProblems(
  state: Readiness,
  now: number,
  stallTimeoutMs: number,
  startedAt: number,
): string[] {
  if (state.paused || state.assignedPartitions === 0) return []
  const since = Math.max(state.lastProgressAt, startedAt)
  if (now - since <= stallTimeoutMs) return []
  return [
    `no progress for ${Math.round((now - since) / 1000)}s with ${state.assignedPartitions} partitions assigned`,
  ]
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '')
  if (!match) return false
  const given = Buffer.from(match[1]!)
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
