import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type TraceCount, TraceTally } from '@healthstream/shared/platform'
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { CommitTracing, endCommitSpans, startCommitSpans } from '../../src/tracing/commit-spans.ts'

const traceId = (n: number) => n.toString(16).padStart(32, 'c')
const spanId = (n: number) => n.toString(16).padStart(16, 'd')
const upstream = (n: number, sampled = true) => `00-${traceId(n)}-${spanId(n)}-${sampled ? '01' : '00'}`
const headers = (tp?: string) => new Map(tp === undefined ? [] : [['traceparent', Buffer.from(tp)]])

/** The contexts of rows from records carrying these traceparents (undefined: none). */
function count(traceparents: (string | undefined)[]): TraceCount {
  const tally = new TraceTally()
  for (const tp of traceparents) tally.add(headers(tp))
  return tally.take()
}

function setup() {
  const ended: ReadableSpan[] = []
  const memory: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  }
  return { tracer: new TracerProvider({ spanProcessors: [memory] }).getTracer('test'), ended }
}

const work = {
  rowCount: 4,
  expected: [{ topic: 'validated', partition: 1, offset: 10n }],
  next: [
    { topic: 'validated', partition: 1, offset: 14n },
    { topic: 'validated', partition: 2, offset: 3n },
  ],
}

describe('the spans of a table commit', () => {
  const cases: {
    name: string
    rows: (string | undefined)[]
    writes: number[]
    links: number[]
    dropped: number
  }[] = [
    {
      name: 'writes one lake.write per upstream span and links each',
      rows: [upstream(1), upstream(1), upstream(2)],
      writes: [1, 2],
      links: [1, 2],
      dropped: 0,
    },
    {
      name: 'records no lake.write for an unsampled context, nor links it',
      rows: [upstream(1, false), upstream(2)],
      writes: [2],
      links: [2],
      dropped: 1,
    },
    {
      name: 'counts rows without a context and makes no span of them',
      rows: [undefined, undefined],
      writes: [],
      links: [],
      dropped: 0,
    },
    {
      name: 'treats a malformed traceparent as none',
      rows: ['00-zz', upstream(3)],
      writes: [3],
      links: [3],
      dropped: 0,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const { tracer, ended } = setup()
      endCommitSpans(startCommitSpans(tracer, 'health_data_raw', work, count(c.rows)), { snapshotId: 42n })
      const commit = ended.find((s) => s.name === 'lake.commit')!
      const writes = ended.filter((s) => s.name === 'lake.write')
      assert.deepEqual(
        writes.map((w) => w.parentSpanContext?.spanId),
        c.writes.map(spanId),
        'each lake.write is the child of its upstream span',
      )
      for (const w of writes) {
        assert.deepEqual(
          w.links.map((l) => l.context.spanId),
          [commit.spanContext().spanId],
          'and links its commit',
        )
        assert.equal(w.attributes['iceberg.table'], 'health_data_raw')
      }
      assert.equal(commit.parentSpanContext, undefined, 'the commit is a root')
      assert.deepEqual(
        commit.links.map((l) => l.context.spanId),
        c.links.map(spanId),
      )
      assert.equal(commit.attributes['healthstream.trace.links_dropped'], c.dropped)
      assert.equal(
        commit.attributes['healthstream.trace.untraced_records'],
        c.rows.filter((r) => r === undefined).length,
      )
      assert.deepEqual(
        [
          commit.attributes['iceberg.table'],
          commit.attributes['iceberg.rows'],
          commit.attributes['iceberg.snapshot_id'],
        ],
        ['health_data_raw', 4, '42'],
      )
      assert.deepEqual(commit.attributes['messaging.kafka.offsets'], [
        'validated/1:[10,14)',
        'validated/2:[,3)',
      ])
    })
  }

  it('links at most 128 upstream spans and counts the rest', () => {
    const { tracer, ended } = setup()
    const rows = Array.from({ length: 130 }, (_, i) => upstream(i + 1))
    endCommitSpans(startCommitSpans(tracer, 't', work, count(rows)), { snapshotId: 1n })
    const commit = ended.find((s) => s.name === 'lake.commit')!
    assert.equal(commit.links.length, 128)
    assert.equal(commit.attributes['healthstream.trace.links_dropped'], 2)
    assert.equal(
      ended.filter((s) => s.name === 'lake.write').length,
      130,
      'every trace still ends in the lake',
    )
  })

  it('marks every span of a failed commit as an error, with no snapshot id', async () => {
    const { tracer, ended } = setup()
    const tracing = new CommitTracing(tracer)
    tracing.see('t', headers(upstream(1)))
    const table = { name: 't', snapshotId: () => 7n }
    await assert.rejects(
      tracing.traced(table, work, tracing.take('t'), async () => {
        throw new Error('fenced')
      }),
    )
    assert.deepEqual(
      ended.map((s) => [s.name, s.status.code, s.status.message, s.attributes['iceberg.snapshot_id']]),
      [
        ['lake.write', 2, 'fenced', undefined],
        ['lake.commit', 2, 'fenced', undefined],
      ],
    )
  })

  it('keeps contexts per table until taken, and forgets them on clear', () => {
    const tracing = new CommitTracing(setup().tracer)
    tracing.see('a', headers(upstream(1)))
    tracing.see('b', headers(upstream(2)))
    tracing.see('b', headers(upstream(2)))
    assert.deepEqual(
      tracing.take('b')?.groups.map((g) => g.records),
      [2],
    )
    assert.equal(tracing.take('b')?.groups.length, 0)
    tracing.clear()
    assert.equal(tracing.take('a')?.groups.length, 0)
  })
})
