/**
 * Callers of `LakeLoop.flush()` waiting for the next commit of everything pending: the commit that
 * starts next takes them and answers them with its outcome; a resync or a stop rejects them.
 */
interface Waiter {
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** The waiters one commit took: resolved or rejected together. */
export class TakenFlushes {
  readonly #waiters: readonly Waiter[]
  constructor(waiters: readonly Waiter[]) {
    this.#waiters = waiters
  }
  resolve(): void {
    for (const w of this.#waiters) w.resolve()
  }
  reject(error: unknown): void {
    for (const w of this.#waiters) w.reject(error)
  }
}

export class FlushRequests {
  #waiting: Waiter[] = []

  /** Resolves once a commit that started after this call has ended. */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
  }

  get pending(): boolean {
    return this.#waiting.length > 0
  }

  /** Hands the waiters to the commit about to start. */
  take(): TakenFlushes {
    return new TakenFlushes(this.#waiting.splice(0))
  }

  /** Rejects every waiter (a resync dropped what they waited for, or the loop stopped). */
  rejectAll(error: unknown): void {
    this.take().reject(error)
  }
}
