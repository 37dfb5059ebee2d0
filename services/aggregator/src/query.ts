import type { AggregateRecord } from '@healthstream/shared/domain'
import { Hono } from 'hono'
import { GRANULARITIES, type Granularity } from './windows/definitions.ts'
import { aggregateRecord } from './windows/record.ts'
import type { AggregateStore, WindowState } from './windows/store.ts'
import { NO_WATERMARK } from './windows/watermark.ts'

/** A window as the query answers it: the row the topic has (or will have), plus where it stands. */
export interface AggregateView extends Omit<AggregateRecord, 'watermark'> {
  /** `open`: still collecting (provisional); `fired`: on-time row out, late data may follow; `final`. */
  readonly status: 'open' | 'fired' | 'final'
}

/**
 * `GET /aggregates/:userId?dataType=&granularity=&from=&to=`: the current windows of a user from the
 * state store: open and fired (provisional) and final ones still retained. `from` and `to` bound the
 * window start (from ≤ start < to) and are ISO 8601 instants or epoch microseconds. Times in the answer
 * are epoch microseconds, as on the topic; `revision` and `isFinal` are those of the last emitted row
 * (revision 0: nothing emitted yet).
 */
export function aggregateRoutes(store: AggregateStore): Hono {
  const app = new Hono()
  app.get('/aggregates/:userId', async (c) => {
    const granularity = c.req.query('granularity')
    if (granularity !== undefined && !GRANULARITIES.includes(granularity as Granularity)) {
      return c.json({ error: `granularity must be one of ${GRANULARITIES.join(', ')}` }, 400)
    }
    const from = instant(c.req.query('from'))
    const to = instant(c.req.query('to'))
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return c.json({ error: 'from and to must be ISO 8601 instants or epoch microseconds' }, 400)
    }
    const userId = c.req.param('userId')
    const states = await store.query({
      userId,
      dataType: c.req.query('dataType'),
      granularity: granularity as Granularity | undefined,
      from,
      to,
    })
    return c.json({ userId, windows: states.map(view) })
  })
  return app
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
