/**
 * Gives the heap V8 grew under load back to the system once a service has had nothing to do for a
 * while: after `idleAfterMs` without a record in or out, one memory-reducing collection, then nothing
 * until records flow again and stop again. The first idle period counts from start-up, whose module
 * loading grows the heap as much as load does. The collection pauses the process (35 ms idle, more
 * after load); an idle service has no record to delay, and a batch that arrives meanwhile waits once.
 */
import type { HeapRelease } from './heap-release.ts'

export interface IdleMemoryOptions {
  /** No record in or out for this long before the release; 0 disables it. */
  readonly idleAfterMs: number
  /** A count that grows with every record in or out (the metrics' counters summed). */
  readonly activity: () => number | Promise<number>
  readonly release: HeapRelease
  /** Told after each release: its pause and the heap before and after (bytes). */
  readonly onRelease?: (released: { pauseMs: number; heapBefore: number; heapAfter: number }) => void
  readonly now?: () => number
  readonly heapTotal?: () => number
}

/** The decision, apart from timers: `check()` at any cadence releases at most once per idle period. */
export class IdleMemory {
  readonly #options: IdleMemoryOptions
  readonly #now: () => number
  readonly #heapTotal: () => number
  #lastActivity: number | undefined
  #idleSince: number
  #released = false

  constructor(options: IdleMemoryOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#heapTotal = options.heapTotal ?? (() => process.memoryUsage().heapTotal)
    this.#idleSince = this.#now()
  }

  /** Releases when the service has been idle for `idleAfterMs` and has not released since; true if it did. */
  async check(): Promise<boolean> {
    const { idleAfterMs, activity, release, onRelease } = this.#options
    if (idleAfterMs <= 0) return false
    const count = await activity()
    const now = this.#now()
    if (count !== this.#lastActivity) {
      // Records moved since the last look (or this is the first look after start-up)
      if (this.#lastActivity !== undefined) {
        this.#idleSince = now
        this.#released = false
      }
      this.#lastActivity = count
    }
    if (this.#released || now - this.#idleSince < idleAfterMs) return false
    this.#released = true
    const heapBefore = this.#heapTotal()
    const started = performance.now()
    release()
    onRelease?.({ pauseMs: performance.now() - started, heapBefore, heapAfter: this.#heapTotal() })
    return true
  }

  /** Checks every `intervalMs` (unref'd: it never keeps the process alive); returns the stop function. */
  start(intervalMs = Math.max(1_000, Math.min(5_000, this.#options.idleAfterMs / 4))): () => void {
    if (this.#options.idleAfterMs <= 0) return () => undefined
    let running = false
    const timer = setInterval(() => {
      if (running) return
      running = true
      this.check()
        .catch(() => false)
        .finally(() => {
          running = false
        })
    }, intervalMs)
    timer.unref()
    return () => clearInterval(timer)
  }
}
