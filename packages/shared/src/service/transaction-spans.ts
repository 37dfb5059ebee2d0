/**
 * The spans of one hop transaction. Per distinct upstream context among the input records, one span
 * that is its child (`<service> process`); the outputs made from an input carry the span made for that
 * input's context, so the next hop's span is a child of this hop's. The transforms do not know about
 * it: they forward their input's trace headers (`forwardTrace`), and `relink` swaps them afterwards.
 *
 * Outputs without a context of this batch (made from inputs that carried none, or, like the
 * aggregator's window rows, from many samples over many transactions) carry one `<service> batch`
 * span per transaction: a new root that links the transaction's context spans. A window row has no
 * single parent (its samples came in many traces), and a root with links keeps every sample's trace
 * its own size instead of hanging a window's commit into one arbitrary sample's trace.
 *
 * Cost: a span per upstream span per transaction (about one per upload), ids only when unsampled (the
 * sampler is parent-based: an unsampled context gets non-recording spans that still propagate).
 */
import { type Link, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import type { ConsumedRecord, LoopEvent, OutputRecord, Transform } from '../kafka/index.ts'
import { TRACE_HEADERS, TraceTally } from '../platform/trace-tally.ts'
import { contextOf, spanContextOf, traceHeadersOf } from '../platform/tracing.ts'

/** Most links a batch span (and the lake-writer's commit span) carries; the rest are counted. */
export const MAX_SPAN_LINKS = 128

/** Attribute names the spans share with the lake-writer's. */
export const TraceAttributes = {
  records: 'messaging.batch.message_count',
  untraced: 'healthstream.trace.untraced_records',
  overflow: 'healthstream.trace.overflow_records',
  linksDropped: 'healthstream.trace.links_dropped',
} as const

/** Most distinct upstream contexts per transaction with a span of their own (a bound on span count). */
const MAX_CONTEXT_SPANS = 4096

/** The spans of one transaction, from `TransactionSpans.start` until `end`. */
export class TransactionSpans {
  readonly #tracer: Tracer
  readonly #service: string
  readonly #startTime: number
  readonly #records: number
  readonly #tally: TraceTally
  /** Per `traceparent` of the inputs: the span its outputs carry (the batch span for malformed ones). */
  readonly #spans = new Map<string, Span | undefined>()
  readonly #headers = new Map<Span, Map<string, Buffer>>()
  #batch: Span | undefined
  #ended = false

  private constructor(tracer: Tracer, service: string, records: readonly ConsumedRecord[]) {
    this.#tracer = tracer
    this.#service = service
    this.#startTime = Date.now()
    this.#records = records.length
    this.#tally = new TraceTally(MAX_CONTEXT_SPANS)
    for (const record of records) this.#tally.add(record.headers)
  }

  /** Starts one span per distinct upstream context of `records`, each a child of it. */
  static start(tracer: Tracer, service: string, records: readonly ConsumedRecord[]): TransactionSpans {
    const spans = new TransactionSpans(tracer, service, records)
    for (const group of spans.#tally.groups) {
      const parent = spanContextOf(group.traceparent, group.tracestate)
      const span =
        parent === undefined
          ? undefined
          : tracer.startSpan(
              `${service} process`,
              {
                kind: SpanKind.CONSUMER,
                startTime: spans.#startTime,
                attributes: { 'messaging.system': 'kafka', [TraceAttributes.records]: group.records },
              },
              contextOf(parent),
            )
      spans.#spans.set(group.traceparent, span)
    }
    return spans
  }

  /** The context spans started, in first-seen order of their upstream contexts. */
  get contextSpans(): readonly Span[] {
    return [...this.#spans.values()].filter((s) => s !== undefined)
  }

  /**
   * `outputs` with their trace headers pointing at this transaction's spans: a forwarded upstream
   * context becomes the span made for it; no context (or a malformed one, or one beyond the bound)
   * becomes the batch span. Outputs naming a context that is not among the inputs keep it. Other headers stay as they were.
   */
  relink(outputs: readonly OutputRecord[]): OutputRecord[] {
    // Outputs come in runs of one input's context: compare the bytes before making a string
    let last: { bytes: Buffer; span: Span | null } | undefined
    return outputs.map((output) => {
      const bytes = output.headers?.get('traceparent')
      let span: Span | null
      if (bytes === undefined) span = this.#batchSpan()
      else if (last?.bytes.equals(bytes)) span = last.span
      else {
        span = this.#spanOf(bytes.toString('latin1'))
        last = { bytes, span }
      }
      return span === null ? output : { ...output, headers: this.#headersFor(span, output.headers) }
    })
  }

  /** The span for outputs naming `traceparent`; null to keep it (a context not among the inputs). */
  #spanOf(traceparent: string): Span | null {
    // A context beyond the bound had no span of its own: its outputs go with the batch span
    if (!this.#spans.has(traceparent)) return this.#tally.overflow > 0 ? this.#batchSpan() : null
    return this.#spans.get(traceparent) ?? this.#batchSpan()
  }

  /** Ends every span: OK, or with the error that ended the transaction. Later calls do nothing. */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    const spans = this.#batch === undefined ? this.contextSpans : [...this.contextSpans, this.#batch]
    for (const span of spans) {
      if (error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        })
      }
      span.end()
    }
  }

  /** The transaction's root span, started on first use with links to the context spans. */
  #batchSpan(): Span {
    if (this.#batch !== undefined) return this.#batch
    const sampled = this.contextSpans.filter((s) => (s.spanContext().traceFlags & 1) === 1)
    const links: Link[] = sampled.slice(0, MAX_SPAN_LINKS).map((s) => ({ context: s.spanContext() }))
    this.#batch = this.#tracer.startSpan(`${this.#service} batch`, {
      kind: SpanKind.CONSUMER,
      root: true,
      startTime: this.#startTime,
      links,
      attributes: {
        'messaging.system': 'kafka',
        [TraceAttributes.records]: this.#records,
        [TraceAttributes.untraced]: this.#tally.untraced,
        [TraceAttributes.overflow]: this.#tally.overflow,
        [TraceAttributes.linksDropped]: this.contextSpans.length - links.length,
      },
    })
    return this.#batch
  }

  #headersFor(span: Span, headers: ReadonlyMap<string, Buffer> | undefined): ReadonlyMap<string, Buffer> {
    let trace = this.#headers.get(span)
    if (trace === undefined) {
      trace = traceHeadersOf(span)
      this.#headers.set(span, trace)
    }
    const onlyTrace =
      headers === undefined ||
      [...headers.keys()].every((k) => (TRACE_HEADERS as readonly string[]).includes(k))
    if (onlyTrace) return trace // shared by the outputs of one span: records never change their headers
    const merged = new Map(headers)
    merged.delete('tracestate')
    for (const [name, value] of trace) merged.set(name, value)
    return merged
  }
}

/**
 * A hop's tracing: wraps its transform so each transaction gets its `TransactionSpans`, which end when
 * the loop reports the transaction committed (OK) or aborted (error), so a span covers the commit.
 */
export class HopTracing {
  readonly #tracer: Tracer
  readonly #service: string
  #open: TransactionSpans | undefined

  constructor(tracer: Tracer, service: string) {
    this.#tracer = tracer
    this.#service = service
  }

  wrap(transform: Transform): Transform {
    return async (records, context) => {
      // A transaction that never reached commit or abort (the session moved on): it did not land
      this.#close(new Error('transaction abandoned'))
      const spans = TransactionSpans.start(this.#tracer, this.#service, records)
      this.#open = spans
      try {
        return spans.relink(await transform(records, context))
      } catch (error) {
        this.#close(error)
        throw error
      }
    }
  }

  /** Feed the loop's events: ends the open transaction's spans on commit or abort. */
  onEvent(event: LoopEvent): void {
    if (event.type === 'committed') this.#close()
    else if (event.type === 'aborted' || event.type === 'failed') this.#close(event.error)
  }

  #close(error?: unknown): void {
    this.#open?.end(error)
    this.#open = undefined
  }
}
