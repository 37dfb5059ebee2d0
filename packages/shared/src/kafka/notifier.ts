/**
 * A one-shot wake-up shared by waiters: `wait` resolves at the next `notify`, when the timeout elapses or
 * when the signal aborts, whichever comes first. It never rejects; waiters re-check their condition.
 */
export class Notifier {
  #waiters = new Set<() => void>()

  notify(): void {
    const waiters = [...this.#waiters]
    this.#waiters.clear()
    for (const wake of waiters) wake()
  }

  wait(signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    if (signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = (): void => {
        this.#waiters.delete(done)
        if (timer !== undefined) clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      this.#waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
      if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs))
    })
  }
}
