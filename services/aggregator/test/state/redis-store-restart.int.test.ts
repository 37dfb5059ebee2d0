/**
 * The state survives a Redis restart with AOF persistence: a clean shutdown (SIGTERM, what the stack's
 * `down` sends) with `appendfsync everysec`, and a crash (SIGKILL) with `appendfsync always`. Runs a
 * private redis-server on a free port, so the shared one is not disturbed.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { freePort } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { RedisAggregateStore } from '../../src/state/redis-store.ts'
import { us } from '../support/samples.ts'
import { commitRequest, loadRequest, windowState } from '../support/store-contract.ts'

const NOW = us('2026-03-20T00:00:00Z')

async function startRedis(dir: string, port: number, fsync: 'always' | 'everysec'): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes']
  const child = spawn('redis-server', [...args, '--appendfsync', fsync, '--save', ''], { stdio: 'ignore' })
  const deadline = Date.now() + 10_000
  for (;;) {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null })
    client.on('error', () => undefined) // refused until the server listens
    try {
      await client.connect()
      await client.ping()
      client.disconnect()
      break
    } catch (error) {
      client.disconnect()
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return child
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

describe('RedisAggregateStore across a Redis restart', () => {
  for (const [how, signal, fsync] of [
    ['a clean shutdown', 'SIGTERM', 'everysec'],
    ['a crash with appendfsync always', 'SIGKILL', 'always'],
  ] as const) {
    it(`keeps windows, timers, meta and outbox through ${how}`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'agg-redis-'))
      t.after(() => rmSync(dir, { recursive: true, force: true }))
      const port = await freePort()
      let server = await startRedis(dir, port, fsync)
      t.after(() => server.kill('SIGKILL'))
      const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 100 })
      redis.on('error', () => undefined) // while the server restarts
      t.after(() => redis.disconnect())
      const store = new RedisAggregateStore(redis, { namespace: 'restart' })
      await store.claim(1, 4, NOW)
      const state = windowState('u-1', '2026-03-10T12:00:00Z')
      const timers = new Map([[state.id, state.window.end]])
      const meta = {
        group: { from: 10, to: 19 },
        maxEventTime: state.window.end,
        fireWatermark: state.window.end,
        earlyFiredAt: 0,
      }
      await store.commit(commitRequest(1, { put: [state], timers, meta }))
      const before = await store.load(loadRequest(1, { ids: [state.id], firstOffset: 10 }))

      await stop(server, signal)
      server = await startRedis(dir, port, fsync)
      const after = await store.load(loadRequest(1, { ids: [state.id], firstOffset: 10 }))
      assert.deepEqual(after, before)
      assert.deepEqual([after.meta.version, after.due, [...after.outbox!]], [1, [state.id], [0, 1, 2, 255]])
    })
  }
})
