import type { LoopEvent, Transform } from '../kafka/index.ts'
import type { HopMetrics } from '../platform/metrics.ts'

/**
 * Counts what a batch produced only once its transaction committed: a retried or aborted batch is
 * not counted twice, and each of its records' latency (its timestamp → the commit) is observed once.
 * The loop runs one batch at a time, so one pending tally is enough.
 */
export class CommittedTally {
  readonly #metrics: HopMetrics
  /** Label of the input side (set once the service named its topics). */
  inputLabel = ''
  #outputs = new Map<string, number>()
  #deadLetters = new Map<string, number>()
  /** The batch's input records by timestamp: records of one upstream send share theirs. */
  #timestamps = new Map<number, number>()

  constructor(metrics: HopMetrics) {
    this.#metrics = metrics
  }

  /** Called by a transform for each dead letter it emits. */
  deadLetter(reason: string): void {
    this.#deadLetters.set(reason, (this.#deadLetters.get(reason) ?? 0) + 1)
  }

  /** Wraps a transform so its outputs are tallied per topic. */
  wrap(transform: Transform): Transform {
    return async (records, context) => {
      this.#reset()
      for (const r of records)
        if (r.timestamp > 0) this.#timestamps.set(r.timestamp, (this.#timestamps.get(r.timestamp) ?? 0) + 1)
      const outputs = await transform(records, context)
      for (const output of outputs)
        this.#outputs.set(output.topic, (this.#outputs.get(output.topic) ?? 0) + 1)
      return outputs
    }
  }

  /** Feed every loop event here. */
  onEvent(event: LoopEvent): void {
    if (event.type === 'committed') {
      this.#metrics.recordsIn.inc({ topic: this.inputLabel }, event.records)
      for (const [topic, n] of this.#outputs) this.#metrics.recordsOut.inc({ topic }, n)
      for (const [reason, n] of this.#deadLetters) this.#metrics.deadLetters.inc({ reason }, n)
      this.#metrics.transactions.inc({ outcome: 'committed' })
      this.#metrics.transactionSeconds.observe(event.durationMs / 1000)
      const now = Date.now()
      for (const [timestamp, n] of this.#timestamps)
        this.#metrics.recordLatency.observe(Math.max(0, now - timestamp) / 1000, n)
      this.#reset()
    } else if (event.type === 'aborted') {
      this.#metrics.transactions.inc({ outcome: 'aborted' })
      this.#reset()
    } else if (event.type === 'assigned') {
      this.#metrics.assignedPartitions.set(event.session.assignment.length)
    }
  }

  #reset(): void {
    this.#outputs = new Map()
    this.#deadLetters = new Map()
    this.#timestamps = new Map()
  }
}
