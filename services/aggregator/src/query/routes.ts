import type { AggregateRecord } from '@healthstream/shared/domain'
import { remoteAddress } from '@healthstream/shared/platform'
import { type Context, Hono } from 'hono'
import { GRANULARITIES, type Granularity } from '../windows/definitions.ts'
import { aggregateRecord } from '../windows/record.ts'
import type { AggregateStore, WindowState } from '../windows/store.ts'
import { NO_WATERMARK } from '../windows/watermark.ts'
import type { AccessDecision, QueryAccess } from './access.ts'
import { auditEntry, type QueryAuditEntry } from './audit.ts'

/** A window as the query answers it: the row the topic has (or will have), plus where it stands. */
export interface AggregateView extends Omit<AggregateRecord, 'watermark'> {
  /** `open`: still collecting (provisional); `fired`: on-time row out, late data may follow; `final`. */
  readonly status: 'open' | 'fired' | 'final'
}

export interface QueryRoutesOptions {
  readonly store: AggregateStore
  /** Who may read whom: `tokenAccess` (bearer JWTs), or `openAccess` with QUERY_AUTH=off. */
  readonly access: QueryAccess
  /** Receives one entry per request for a user's data, denied ones included. */
  readonly audit: (entry: QueryAuditEntry) => void
  /** The scope that reads every user, named in the 403's challenge. */
  readonly readerScope?: string
}

/**
 * `GET /aggregates/:userId?dataType=&granularity=&from=&to=`: the current windows of a user from the
 * state store: open and fired (provisional) and final ones still retained. `from` and `to` bound the
 * window start (from ≤ start < to) and are ISO 8601 instants or epoch microseconds. Times in the answer
 * are epoch microseconds, as on the topic; `revision` and `isFinal` are those of the last emitted row
 * (revision 0: nothing emitted yet). The caller is checked first (`access`): 401 without a valid token,
 * 403 for another user's data without the reader scope; every request is audited.
 */
export function aggregateRoutes(options: QueryRoutesOptions): Hono {
  const app = new Hono()
  app.get('/aggregates/:userId', async (c) => {
    const userId = c.req.param('userId')
    let decision: AccessDecision | undefined
    let status = 500
    try {
      decision = await options.access.decide(c.req.header('authorization'), userId)
      const response = decision.allowed
        ? await answer(c, options.store, userId)
        : refusal(c, decision, options.readerScope)
      status = response.status
      return response
    } finally {
      const query = c.req.query()
      options.audit(auditEntry({ decision, userId, query, status, remote: remoteAddress(c.env) }))
    }
  })
  return app
}

async function answer(c: Context, store: AggregateStore, userId: string): Promise<Response> {
  const granularity = c.req.query('granularity')
  if (granularity !== undefined && !GRANULARITIES.includes(granularity as Granularity)) {
    return c.json({ error: `granularity must be one of ${GRANULARITIES.join(', ')}` }, 400)
  }
  const from = instant(c.req.query('from'))
  const to = instant(c.req.query('to'))
  if (Number.isNaN(from) || Number.isNaN(to)) {
    return c.json({ error: 'from and to must be ISO 8601 instants or epoch microseconds' }, 400)
  }
  const states = await store.query({
    userId,
    dataType: c.req.query('dataType'),
    granularity: granularity as Granularity | undefined,
    from,
    to,
  })
  return c.json({ userId, windows: states.map(view) })
}

/** 401 with RFC 6750's challenge, 403 naming the scope that would do, or 503 while the keys are out of reach. */
function refusal(
  c: Context,
  decision: AccessDecision & { allowed: false },
  readerScope: string | undefined,
): Response {
  const { status, reason, error } = decision
  if (status === 503) return c.json({ error: 'unavailable', reason }, 503, { 'retry-after': '5' })
  const challenge = ['Bearer realm="healthstream"']
  if (error !== undefined) challenge.push(`error="${error}"`, `error_description="${reason}"`)
  if (error === 'insufficient_scope' && readerScope) challenge.push(`scope="${readerScope}"`)
  const body = { error: error ?? 'unauthorized', reason }
  return c.json(body, status, { 'www-authenticate': challenge.join(', ') })
}

function view(state: WindowState): AggregateView {
  const { watermark: _, ...row } = aggregateRecord(state, NO_WATERMARK, state.updatedAt)
  return { ...row, status: state.final ? 'final' : state.fired ? 'fired' : 'open' }
}

/** Undefined when absent, NaN when unreadable. */
function instant(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined
  if (/^-?\d+$/.test(raw)) return Number(raw)
  const ms = Date.parse(raw)
  return /(Z|[+-]\d{2}:\d{2})$/.test(raw) && !Number.isNaN(ms) ? ms * 1000 : Number.NaN
}
