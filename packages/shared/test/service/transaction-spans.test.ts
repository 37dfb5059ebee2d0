import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { ConsumedRecord, LoopEvent, OutputRecord } from '../../src/kafka/index.ts'
import { forwardTrace } from '../../src/platform/tracing.ts'
import { HopTracing, MAX_SPAN_LINKS, TransactionSpans } from '../../src/service/transaction-spans.ts'

const traceId = (n: number) => n.toString(16).padStart(32, 'a')
const spanId = (n: number) => n.toString(16).padStart(16, 'b')
/** The upstream span `n` (sampled unless told), as a traceparent header. */
const upstream = (n: number, sampled = true) => `00-${traceId(n)}-${spanId(n)}-${sampled ? '01' : '00'}`

function record(offset: number, traceparent?: string, extra: [string, string][] = []): ConsumedRecord {
  const headers = new Map<string, Buffer>(extra.map(([k, v]) => [k, Buffer.from(v)]))
  if (traceparent !== undefined) headers.set('traceparent', Buffer.from(traceparent))
  return { topic: 'in', partition: 0, offset: BigInt(offset), key: null, value: null, headers, timestamp: 0 }
}

/** What a transform does: one output per input, its trace headers forwarded. */
const outputsOf = (records: readonly ConsumedRecord[]): OutputRecord[] =>
  records.map((r) => ({ topic: 'out', value: null, headers: forwardTrace(r.headers) }))

/** Ended spans, kept in memory as they end (the SDK's exporting processors hand them on later). */
function setup() {
  const ended: ReadableSpan[] = []
  const memory: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  }
  const provider = new TracerProvider({ spanProcessors: [memory] })
  return { tracer: provider.getTracer('test'), spans: () => [...ended] }
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId
const traceparentOf = (o: OutputRecord) => o.headers?.get('traceparent')?.toString()
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name)

describe('TransactionSpans', () => {
  const cases: {
    name: string
    inputs: (string | undefined)[]
    /** Recorded `validator process` spans by upstream span number, and whether a batch span is. */
    process: number[]
    batch: boolean
  }[] = [
    {
      name: 'makes one child span per distinct upstream span',
      inputs: [upstream(1), upstream(1), upstream(2)],
      process: [1, 2],
      batch: false,
    },
    {
      name: 'records nothing for an unsampled upload, yet gives its outputs a new span id',
      inputs: [upstream(1, false), upstream(2)],
      process: [2],
      batch: false,
    },
    {
      name: 'gives inputs without a context one root span per transaction',
      inputs: [undefined, undefined, upstream(3)],
      process: [3],
      batch: true,
    },
    {
      name: 'treats a malformed traceparent as none',
      inputs: ['00-nonsense', upstream(1)],
      process: [1],
      batch: true,
    },
    { name: 'makes nothing of an empty batch', inputs: [], process: [], batch: false },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const { tracer, spans } = setup()
      const records = c.inputs.map((tp, i) => record(i, tp))
      const tx = TransactionSpans.start(tracer, 'validator', records)
      const outputs = tx.relink(outputsOf(records))
      tx.end()
      const finished = spans()
      const process = named(finished, 'validator process')
      assert.deepEqual(
        process.map(parentOf),
        c.process.map(spanId),
        'each process span is the child of its upstream span',
      )
      for (const s of process) assert.equal(s.spanContext().traceId, traceId(c.process[process.indexOf(s)]!))
      const batch = named(finished, 'validator batch')
      assert.equal(batch.length, c.batch ? 1 : 0)
      assert.equal(finished.length, process.length + batch.length, 'no other span')
      // Every output points at a span of this hop, never at the upstream one
      records.forEach((r, i) => {
        const out = traceparentOf(outputs[i]!)!
        const [, trace, span, flags] = out.split('-')
        const upstreamCtx = r.headers.get('traceparent')?.toString()
        const own = [...process, ...batch].find((s) => s.spanContext().spanId === span)
        if (upstreamCtx !== undefined && c.inputs[i]!.endsWith('-00')) {
          assert.equal(trace, c.inputs[i]!.split('-')[1], "the upload's trace goes on")
          assert.equal(flags, '00', 'unsampled stays unsampled downstream')
          assert.notEqual(span, c.inputs[i]!.split('-')[2], 'a span id of its own')
          assert.equal(own, undefined, 'and nothing recorded')
        } else {
          assert.ok(own, `output ${i} carries a span of this hop`)
          assert.equal(flags, '01')
        }
      })
    })
  }

  it('gives the outputs of one input the span made for its upstream context', () => {
    const { tracer, spans } = setup()
    const records = [record(0, upstream(1)), record(1, upstream(2))]
    const tx = TransactionSpans.start(tracer, 'ingest', records)
    // Two samples from upload 1, one from upload 2, in an order unlike the inputs'
    const outputs = tx.relink([...outputsOf([records[1]!]), ...outputsOf([records[0]!, records[0]!])])
    tx.end()
    const bySpan = new Map(spans().map((s) => [s.spanContext().spanId, parentOf(s)]))
    const parents = outputs.map((o) => bySpan.get(traceparentOf(o)!.split('-')[2]!))
    assert.deepEqual(parents, [spanId(2), spanId(1), spanId(1)])
  })

  it('gives outputs made of many inputs (window rows) the batch span, linking the context spans', () => {
    const { tracer, spans } = setup()
    const records = [record(0, upstream(1)), record(1, upstream(2)), record(2, upstream(3, false))]
    const tx = TransactionSpans.start(tracer, 'aggregator', records)
    const [row] = tx.relink([{ topic: 'aggregates', value: null }])
    tx.end()
    const batch = named(spans(), 'aggregator batch')[0]!
    assert.equal(traceparentOf(row!)!.split('-')[2], batch.spanContext().spanId)
    assert.equal(batch.parentSpanContext, undefined, 'a root')
    const process = named(spans(), 'aggregator process')
    assert.deepEqual(
      batch.links.map((l) => l.context.spanId),
      process.map((s) => s.spanContext().spanId),
      'links the sampled context spans',
    )
    assert.equal(batch.attributes['messaging.batch.message_count'], 3)
  })

  it(`links at most ${MAX_SPAN_LINKS} context spans and counts the rest`, () => {
    const { tracer, spans } = setup()
    const records = Array.from({ length: MAX_SPAN_LINKS + 5 }, (_, i) => record(i, upstream(i + 1)))
    const tx = TransactionSpans.start(tracer, 'aggregator', records)
    tx.relink([{ topic: 'aggregates', value: null }])
    tx.end()
    const batch = named(spans(), 'aggregator batch')[0]!
    assert.equal(batch.links.length, MAX_SPAN_LINKS)
    assert.equal(batch.attributes['healthstream.trace.links_dropped'], 5)
  })

  it('keeps headers other than the trace context, and contexts not among the inputs', () => {
    const { tracer } = setup()
    const records = [record(0, upstream(1), [['x-replay', 'yes']])]
    const tx = TransactionSpans.start(tracer, 'validator', records)
    const [mine, foreign] = tx.relink([
      { topic: 'out', value: null, headers: records[0]!.headers },
      { topic: 'out', value: null, headers: new Map([['traceparent', Buffer.from(upstream(9))]]) },
    ])
    tx.end()
    assert.equal(mine!.headers?.get('x-replay')?.toString(), 'yes')
    assert.notEqual(traceparentOf(mine!), upstream(1))
    assert.equal(traceparentOf(foreign!), upstream(9))
  })
})

describe('HopTracing', () => {
  const committed: LoopEvent = { type: 'committed', records: 1, outputs: 1, offsets: [], durationMs: 1 }
  const context = {
    session: { generationId: 1, memberId: 'm', assignment: [] },
    signal: new AbortController().signal,
  }

  it('ends the spans when the transaction commits, not before', async () => {
    const { tracer, spans } = setup()
    const tracing = new HopTracing(tracer, 'ingest')
    await tracing.wrap(async (r) => outputsOf(r))([record(0, upstream(1))], context as never)
    assert.equal(spans().length, 0, 'open while the transaction is')
    tracing.onEvent(committed)
    assert.equal(spans().length, 1)
    assert.equal(spans()[0]!.status.code, 0)
  })

  it('marks the spans of an aborted or failed transform as errors', async () => {
    const { tracer, spans } = setup()
    const tracing = new HopTracing(tracer, 'ingest')
    await tracing.wrap(async (r) => outputsOf(r))([record(0, upstream(1))], context as never)
    tracing.onEvent({ type: 'aborted', records: 1, error: new Error('fenced') as never })
    const failing = tracing.wrap(async () => {
      throw new Error('registry down')
    })
    await assert.rejects(failing([record(1, upstream(2))], context as never))
    assert.deepEqual(
      spans().map((s) => [s.status.code, s.status.message]),
      [
        [2, 'fenced'],
        [2, 'registry down'],
      ],
    )
  })
})
