/**
 * Records grouped by the trace context their headers carry: the pure part of the hops' and the
 * lake-writer's tracing. A batch of thousands of samples carries a few dozen distinct contexts (one
 * per upstream span: samples of one upload share their ingest span), so a span per group costs a
 * span per upload, never one per sample.
 */

/** The W3C trace-context headers, as the services carry them in Kafka record headers. */
export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const

/** One distinct upstream context among a batch's records. */
export interface TraceGroup {
  /** The record's `traceparent` header as it came (not checked: a malformed one is a group too). */
  readonly traceparent: string
  /** The `tracestate` of the first record of the group, if any. */
  readonly tracestate: string | undefined
  /** Records of the batch that carry it. */
  readonly records: number
}

interface MutableGroup {
  traceparent: string
  tracestate: string | undefined
  records: number
}

/**
 * Counts records per distinct `traceparent`, in first-seen order, keeping at most `maxGroups`
 * contexts (records of further contexts are only counted in `overflow`). Records of one upload come
 * in runs, so the run's header bytes are compared before any string is made.
 */
export class TraceTally {
  readonly maxGroups: number
  readonly #groups = new Map<string, MutableGroup>()
  #last: { bytes: Buffer; group: MutableGroup } | undefined
  /** Records without a `traceparent` header. */
  untraced = 0
  /** Records whose context was not kept because `maxGroups` contexts were kept already. */
  overflow = 0

  constructor(maxGroups = Number.POSITIVE_INFINITY) {
    if (!(maxGroups >= 1)) throw new RangeError(`maxGroups must be ≥ 1, got ${maxGroups}`)
    this.maxGroups = maxGroups
  }

  /** Counts one record by its headers; returns its group, undefined when untraced or overflowing. */
  add(headers: ReadonlyMap<string, Buffer> | undefined): TraceGroup | undefined {
    const bytes = headers?.get('traceparent')
    if (bytes === undefined) {
      this.untraced++
      return undefined
    }
    const last = this.#last
    if (last?.bytes.equals(bytes)) {
      last.group.records++
      return last.group
    }
    const traceparent = bytes.toString('latin1')
    let group = this.#groups.get(traceparent)
    if (group === undefined) {
      if (this.#groups.size >= this.maxGroups) {
        this.overflow++
        return undefined
      }
      group = { traceparent, tracestate: headers?.get('tracestate')?.toString('latin1'), records: 0 }
      this.#groups.set(traceparent, group)
    }
    group.records++
    this.#last = { bytes, group }
    return group
  }

  /** The group of a `traceparent` value, if counted. */
  get(traceparent: string): TraceGroup | undefined {
    return this.#groups.get(traceparent)
  }

  /** The groups in first-seen order. */
  get groups(): readonly TraceGroup[] {
    return [...this.#groups.values()]
  }

  get size(): number {
    return this.#groups.size
  }

  /** Whether nothing was counted since the last `clear`. */
  get empty(): boolean {
    return this.#groups.size === 0 && this.untraced === 0 && this.overflow === 0
  }

  clear(): void {
    this.#groups.clear()
    this.#last = undefined
    this.untraced = 0
    this.overflow = 0
  }

  /** What was counted, as a value; the tally starts over. */
  take(): TraceCount {
    const count = { groups: this.groups, untraced: this.untraced, overflow: this.overflow }
    this.clear()
    return count
  }
}

/** A tally's result as a plain value (e.g. carried with a table's commit). */
export interface TraceCount {
  readonly groups: readonly TraceGroup[]
  readonly untraced: number
  readonly overflow: number
}
