/**
 * The lake-writer's spans. Per table commit, `lake.commit`: a new root (a snapshot holds rows of many
 * traces, so it belongs to none of them) that links the upstream spans of its rows (at most
 * `MAX_SPAN_LINKS`, sampled ones only; the rest are counted). Per distinct upstream context among the
 * rows, `lake.write`: a child of that context, so a sample's trace ends in the lake, linked back to
 * its commit. Both cover the commit: they end when the snapshot landed, or with its error.
 *
 * The contexts are counted per table as rows land in its buffer (`see`), taken with the buffer's work
 * at the start of a commit (`take`) and dropped with the buffers on a resync (`clear`).
 */

import type { RecordHeaders } from '@healthstream/shared/kafka'
import { contextOf, spanContextOf, type TraceCount, TraceTally } from '@healthstream/shared/platform'
import { MAX_SPAN_LINKS, TraceAttributes } from '@healthstream/shared/service'
import {
  type Attributes,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { CommitWork } from '../committing/commit-work.ts'

/** The most distinct upstream contexts of one table commit with a `lake.write` span each. */
const MAX_WRITE_SPANS = 1024

/** Span attribute names of the commit spans. */
export const CommitAttributes = {
  table: 'iceberg.table',
  rows: 'iceberg.rows',
  snapshotId: 'iceberg.snapshot_id',
  offsets: 'messaging.kafka.offsets',
  contexts: 'healthstream.trace.contexts',
} as const

/** The open spans of one table commit. */
export interface CommitSpans {
  readonly commit: Span
  readonly writes: readonly Span[]
}

/** Starts `lake.commit` (linking the rows' upstream spans) and one `lake.write` per upstream context. */
export function startCommitSpans(
  tracer: Tracer,
  table: string,
  work: Pick<CommitWork, 'rowCount' | 'expected' | 'next'>,
  traces: TraceCount | undefined,
): CommitSpans {
  const startTime = Date.now()
  const parents = (traces?.groups ?? []).flatMap((g) => {
    const parent = spanContextOf(g.traceparent, g.tracestate)
    return parent === undefined ? [] : [{ parent, rows: g.records }]
  })
  const sampled = parents.filter((p) => (p.parent.traceFlags & 1) === 1)
  const links: Link[] = sampled.slice(0, MAX_SPAN_LINKS).map((p) => ({ context: p.parent }))
  const attributes: Attributes = {
    [CommitAttributes.table]: table,
    [CommitAttributes.rows]: work.rowCount,
    [CommitAttributes.offsets]: offsetRanges(work),
    [CommitAttributes.contexts]: parents.length,
    [TraceAttributes.linksDropped]: parents.length - links.length,
    [TraceAttributes.untraced]: traces?.untraced ?? 0,
    [TraceAttributes.overflow]: traces?.overflow ?? 0,
  }
  const commit = tracer.startSpan('lake.commit', {
    kind: SpanKind.INTERNAL,
    root: true,
    startTime,
    links,
    attributes,
  })
  const writes = parents.map(({ parent, rows }) =>
    tracer.startSpan(
      'lake.write',
      {
        kind: SpanKind.CONSUMER,
        startTime,
        // Only a recorded commit span is worth a link: an unrecorded one is exported nowhere
        links: commit.isRecording() ? [{ context: commit.spanContext() }] : [],
        attributes: { [CommitAttributes.table]: table, [CommitAttributes.rows]: rows },
      },
      contextOf(parent),
    ),
  )
  return { commit, writes }
}

/** Ends the spans: with the snapshot id of the landed commit, or with the error that failed it. */
export function endCommitSpans(
  spans: CommitSpans,
  outcome: { snapshotId: bigint | null } | { error: unknown },
): void {
  for (const span of [...spans.writes, spans.commit]) {
    if ('error' in outcome) {
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error)
      span.setStatus({ code: SpanStatusCode.ERROR, message })
    } else if (outcome.snapshotId !== null)
      span.setAttribute(CommitAttributes.snapshotId, String(outcome.snapshotId))
    span.end()
  }
}

/** `topic/partition:[from,next)` per partition of the commit (`from` empty: the log start). */
function offsetRanges(work: Pick<CommitWork, 'expected' | 'next'>): string[] {
  return work.next.map((n) => {
    const from = work.expected.find((e) => e.topic === n.topic && e.partition === n.partition)?.offset
    return `${n.topic}/${n.partition}:[${from ?? ''},${n.offset})`
  })
}

/** The lake loop's side: counting contexts per table, and the spans around each table's commit. */
export class CommitTracing {
  readonly #tables = new Map<string, TraceTally>()
  readonly #tracer: Tracer

  constructor(tracer: Tracer = trace.getTracer('lake-writer')) {
    this.#tracer = tracer
  }

  /** A row of `table` came from a record with these headers. */
  see(table: string, headers: RecordHeaders): void {
    let tally = this.#tables.get(table)
    if (tally === undefined) {
      tally = new TraceTally(MAX_WRITE_SPANS)
      this.#tables.set(table, tally)
    }
    tally.add(headers)
  }

  /** The contexts of `table`'s rows since the last take. */
  take(table: string): TraceCount | undefined {
    return this.#tables.get(table)?.take()
  }

  /** The buffers were dropped (resync): so are their contexts. */
  clear(): void {
    for (const tally of this.#tables.values()) tally.clear()
  }

  /** Runs `commit` inside the table's commit spans. */
  async traced<R>(
    table: { readonly name: string; readonly snapshotId: () => bigint | null },
    work: Pick<CommitWork, 'rowCount' | 'expected' | 'next'>,
    traces: TraceCount | undefined,
    commit: () => Promise<R>,
  ): Promise<R> {
    const spans = startCommitSpans(this.#tracer, table.name, work, traces)
    try {
      const result = await commit()
      endCommitSpans(spans, { snapshotId: table.snapshotId() })
      return result
    } catch (error) {
      endCommitSpans(spans, { error })
      throw error
    }
  }
}
