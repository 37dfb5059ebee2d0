/**
 * Preloaded into a service by the hop benchmark (NODE_OPTIONS=--import, with --profile): times every
 * @platformatic/kafka operation through its diagnostics channels and every Redis command, samples the
 * event-loop utilization each second, and writes the totals to $BENCH_TRACE_FILE when the process exits.
 * Instrumentation only: it changes nothing the service does.
 */
import { tracingChannel } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

interface Op {
  count: number
  totalMs: number
  maxMs: number
}

const ops: Record<string, Op> = {}
const started = new WeakMap<object, number>()

function record(name: string, ms: number): void {
  const op = ops[name] ?? { count: 0, totalMs: 0, maxMs: 0 }
  ops[name] = op
  op.count++
  op.totalMs += ms
  op.maxMs = Math.max(op.maxMs, ms)
}

const CHANNELS = ['consumer:fetches', 'producer:sends', 'producer:transactions', 'base:metadata']
for (const name of CHANNELS) {
  tracingChannel<object, { operation?: string }>(`plt:kafka:${name}`).subscribe({
    start: (ctx) => void started.set(ctx, performance.now()),
    end: () => undefined,
    asyncStart: (ctx) => {
      const t0 = started.get(ctx)
      if (t0 !== undefined) record(`kafka ${ctx.operation ?? name}`, performance.now() - t0)
      started.delete(ctx)
    },
    asyncEnd: () => undefined,
    error: () => undefined,
  })
}

// Redis round trips (the validator's duplicate check), timed from send to reply
type Command = { name: string; promise: Promise<unknown> }
try {
  const { Redis } = createRequire(import.meta.url)('ioredis') as {
    Redis: { prototype: { sendCommand(command: Command, stream?: unknown): unknown } }
  }
  const send = Redis.prototype.sendCommand
  Redis.prototype.sendCommand = function (this: unknown, command: Command, stream?: unknown) {
    const t0 = performance.now()
    const result = send.call(this, command, stream)
    command.promise?.then(
      () => record(`redis ${command.name}`, performance.now() - t0),
      () => undefined,
    )
    return result
  }
} catch {
  // not installed where this runs: nothing to time
}

// Event-loop utilization per second, kept only for seconds in which a transaction committed
const busy: number[] = []
let last = performance.eventLoopUtilization()
let commits = 0
let commitsSeen = 0
const timer = setInterval(() => {
  const now = performance.eventLoopUtilization()
  const window = performance.eventLoopUtilization(now, last)
  last = now
  commits = ops['kafka commit']?.count ?? 0
  if (commits > commitsSeen) busy.push(window.utilization)
  commitsSeen = commits
}, 1000)
timer.unref()

process.on('exit', () => {
  const file = process.env.BENCH_TRACE_FILE
  if (!file) return
  const elu = busy.length > 0 ? busy.reduce((a, b) => a + b, 0) / busy.length : 0
  writeFileSync(file, JSON.stringify({ ops, eventLoopUtilization: elu, activeSeconds: busy.length }))
})
