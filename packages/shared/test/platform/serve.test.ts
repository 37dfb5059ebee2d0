import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createServiceApp } from '../../src/platform/http-app.ts'
import { createHopMetrics } from '../../src/platform/metrics.ts'
import {
  DEFAULT_HTTP_LIMITS,
  httpLimitProblems,
  type RunningServer,
  serve,
} from '../../src/platform/serve.ts'

const TOKEN = 'serve-test-token-0123456789'
const LIMITS = { headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 300, maxBodyBytes: 100 }

describe('httpLimitProblems', () => {
  const cases: [string, Partial<typeof LIMITS>, RegExp | undefined][] = [
    ['the defaults', DEFAULT_HTTP_LIMITS, undefined],
    ['headers within the request time', { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000 }, undefined],
    ['no request limit', { headersTimeoutMs: 5_000, requestTimeoutMs: 0 }, undefined],
    ['no headers limit of their own', { headersTimeoutMs: 0, requestTimeoutMs: 1_000 }, undefined],
    [
      'headers given longer than the whole request',
      { headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 },
      /HTTP_HEADERS_TIMEOUT \(2000 ms\) must be at most HTTP_REQUEST_TIMEOUT \(1000 ms\)/,
    ],
  ]
  for (const [what, limits, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} ${what}`, () => {
      const found = httpLimitProblems({ ...DEFAULT_HTTP_LIMITS, ...limits })
      if (problem === undefined) assert.deepEqual(found, [])
      else assert.match(found.join('\n'), problem)
    })
  }
})

describe('serve on node:http, with limits', () => {
  let server: RunningServer
  let paused = false
  before(async () => {
    const app = createServiceApp({
      service: 'test',
      adminToken: TOKEN,
      metrics: createHopMetrics('test').registry,
      readiness: () => ({ connected: true, assignedPartitions: 1, lastProgressAt: Date.now(), paused }),
      stallTimeoutMs: 60_000,
      maxBodyBytes: LIMITS.maxBodyBytes,
      admin: {
        status: () => ({ paused }),
        pause: () => {
          paused = true
        },
        resume: () => {
          paused = false
        },
      },
    })
    server = await serve(app, 0, '127.0.0.1', LIMITS)
  })
  after(() => server.close())

  const post = (body: BodyInit, extra: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${server.port}/admin/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
      ...extra,
    } as RequestInit)

  it('answers 413 to a body over the limit, declared by Content-Length, and does not act on it', async () => {
    const res = await post('x'.repeat(LIMITS.maxBodyBytes + 1))
    assert.equal(res.status, 413)
    assert.deepEqual(await res.json(), { error: 'request body over 100 bytes' })
    assert.equal(paused, false)
  })

  it('answers 413 to a streamed (chunked) body once it passes the limit', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(60))
        controller.enqueue(new Uint8Array(60))
        controller.close()
      },
    })
    assert.equal((await post(body, { duplex: 'half' } as RequestInit)).status, 413)
    assert.equal(paused, false)
  })

  it('takes a body within the limit', async () => {
    const res = await post('{}')
    assert.equal(res.status, 200)
    assert.equal(paused, true)
    paused = false
  })

  it('answers 408 and closes a connection whose headers do not arrive in time', async () => {
    const { closedAfter, answer } = await slowClient(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n')
    assert.match(answer, /^HTTP\/1\.1 408/)
    assert.ok(closedAfter >= LIMITS.headersTimeoutMs - 50 && closedAfter < 2_000, `${closedAfter} ms`)
  })

  it('closes a keep-alive connection that stays idle after its request', async () => {
    const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'
    const { closedAfter, answer } = await slowClient(server.port, request)
    assert.match(answer, /^HTTP\/1\.1 200/)
    assert.ok(closedAfter < 2_000, `${closedAfter} ms`)
  })
})

/** Sends `text` and waits (up to 5 s) for the server to close the connection. */
async function slowClient(port: number, text: string): Promise<{ closedAfter: number; answer: string }> {
  const socket: Socket = connect(port, '127.0.0.1')
  const started = Date.now()
  let answer = ''
  socket.on('data', (chunk) => {
    answer += chunk.toString()
  })
  socket.write(text)
  const closedAfter = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('the server kept the connection open for 5 s'))
    }, 5_000)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Date.now() - started)
    })
  })
  return { closedAfter, answer }
}
