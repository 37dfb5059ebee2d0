/** Exponential backoff between retries of a failed batch. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialMs: number
  /** Longest delay, however many attempts failed. */
  readonly maxMs: number
}

/**
 * Delay before retry number `attempt` (1-based): doubling from `initialMs` up to `maxMs`, with the upper
 * half jittered so instances that failed together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30)
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent)
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve()
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
