/**
 * The liveness probe means something: a validator whose Redis accepts connections and never answers
 * (a wedged dependency, the loop stuck inside a batch) keeps its HTTP server up, yet /healthz turns
 * 503 once the loop, with partitions to work on, has made no progress for STALL_TIMEOUT — what makes
 * a kubelet restart the pod. The same validator on the real Redis stays alive while it works, and an
 * idle one (everything processed) stays alive for longer than the timeout: idleness is not a stall.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventually, type ServiceProcess, simulateInto, testPipeline } from '@healthstream/testkit/stack'

const STALL = { STALL_TIMEOUT: '4s' }

/** A TCP server that takes connections and never says a word. */
async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const health = async (service: ServiceProcess): Promise<{ status: number; body: string }> => {
  const response = await service.fetch('/healthz')
  return { status: response.status, body: await response.text() }
}

describe('/healthz, the liveness probe', { timeout: 240_000 }, () => {
  const running: ServiceProcess[] = []
  const wedged: ServiceProcess[] = []
  const cleanups: (() => Promise<void>)[] = []
  after(async () => {
    for (const service of wedged) await service.kill9() // what the kubelet does after the grace period
    for (const service of running) await service.stop()
    for (const cleanup of cleanups) await cleanup()
  })

  it('fails once a validator stuck on a silent Redis makes no progress for STALL_TIMEOUT', async () => {
    const pipeline = testPipeline('liveness-wedged')
    const hole = await blackHole()
    cleanups.push(hole.close)
    const ingest = pipeline.service('ingest', STALL)
    const validator = pipeline.service('validator', { ...STALL, REDIS_URL: hole.url })
    running.push(ingest)
    wedged.push(validator)
    await ingest.start()
    await validator.start()
    await simulateInto(pipeline, { samples: 200, users: 2, seed: 11, start: Date.now() - 86_400_000 })

    const started = Date.now()
    let last = { status: 0, body: '' }
    await eventually(
      'the wedged validator to fail /healthz',
      async () => {
        last = await health(validator)
        return last.status === 503
      },
      60_000,
    )
    console.log(`wedged validator: /healthz 503 after ${Date.now() - started} ms: ${last.body}`)
    assert.match(last.body, /"status":"stalled".*no progress for \d+s with \d+ partitions assigned/)
    assert.equal((await validator.fetch('/readyz')).status, 503)
  })

  it('stays 200 while a validator works and after it went idle for longer than STALL_TIMEOUT', async () => {
    const pipeline = testPipeline('liveness-healthy')
    const ingest = pipeline.service('ingest', STALL)
    const validator = pipeline.service('validator', STALL)
    running.push(ingest, validator)
    await ingest.start()
    await validator.start()
    await simulateInto(pipeline, { samples: 2_000, users: 4, seed: 12, start: Date.now() - 86_400_000 })
    const until = Date.now() + 12_000 // three stall timeouts, most of it idle
    while (Date.now() < until) {
      for (const service of [ingest, validator]) {
        const { status, body } = await health(service)
        assert.equal(status, 200, `${service.name}: ${body}`)
      }
      await sleep(500)
    }
    const ready = await validator.fetch('/readyz')
    assert.equal(ready.status, 200, await ready.text())
  })
})
