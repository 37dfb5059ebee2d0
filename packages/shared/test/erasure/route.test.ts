import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Hono } from 'hono'
import { userHash } from '../../src/erasure/audit.ts'
import { erasureRoute } from '../../src/erasure/route.ts'
import type { Logger } from '../../src/platform/logger.ts'

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const log = (obj: unknown, msg: string) =>
    void lines.push(`${msg} ${JSON.stringify(obj, (_, v) => (v instanceof Error ? v.message : v))}`)
  return { logger: { info: log, error: log, warn: log } as unknown as Logger, lines }
}

const post = (app: Hono, body: unknown) =>
  app.request('/admin/erase', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('POST /admin/erase', () => {
  it('erases, answers the audit record and logs it with hashed ids only', async () => {
    const { logger, lines } = recordingLogger()
    const app = new Hono()
    const seen: unknown[] = []
    erasureRoute(
      'validator',
      async (r) => {
        seen.push(r)
        return { counts: { marks: 4 } }
      },
      logger,
    )(app)
    const res = await post(app, { users: ['user-9'], by: 'ops', erasureId: 'e-1' })
    assert.equal(res.status, 200)
    const audit = (await res.json()) as Record<string, unknown>
    assert.deepEqual(
      [audit.erasureId, audit.service, audit.by, audit.users, audit.counts],
      ['e-1', 'validator', 'ops', [userHash('user-9')], { marks: 4 }],
    )
    assert.deepEqual(seen, [{ users: ['user-9'], by: 'ops', erasureId: 'e-1' }])
    assert.equal(lines.length, 1)
    assert.match(lines[0]!, /^users erased /)
    assert.doesNotMatch(lines[0]!, /user-9/)
  })

  it('refuses a malformed body with 400, naming the problems', async () => {
    const app = new Hono()
    erasureRoute('v', async () => ({ counts: {} }), recordingLogger().logger)(app)
    const res = await post(app, { users: [] })
    assert.equal(res.status, 400)
    assert.match(JSON.stringify(await res.json()), /users must be a non-empty list/)
  })

  it('answers 409 while an erasure runs, and takes the next one after', async () => {
    const app = new Hono()
    let release = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    erasureRoute(
      'v',
      async () => {
        await gate
        return { counts: {} }
      },
      recordingLogger().logger,
    )(app)
    const first = post(app, { users: ['a'], by: 'x' })
    await new Promise((r) => setTimeout(r, 20))
    assert.equal((await post(app, { users: ['b'], by: 'x' })).status, 409)
    release()
    assert.equal((await first).status, 200)
    assert.equal((await post(app, { users: ['b'], by: 'x' })).status, 200)
  })

  it('answers 500 with the error and logs the failure without the ids', async () => {
    const { logger, lines } = recordingLogger()
    const app = new Hono()
    const failure = Object.assign(new Error('catalog down'), { code: 'LAKE_X' })
    erasureRoute('v', () => Promise.reject(failure), logger)(app)
    const res = await post(app, { users: ['user-7'], by: 'x', erasureId: 'e-2' })
    assert.equal(res.status, 500)
    assert.deepEqual(await res.json(), { error: 'catalog down', erasureId: 'e-2', code: 'LAKE_X' })
    assert.match(lines[0]!, /^erasure failed /)
    assert.doesNotMatch(lines[0]!, /user-7/)
  })
})
