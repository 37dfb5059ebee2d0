/** Runs async tasks one at a time, in the order they asked (commits and table maintenance). */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve()

  /** Runs `fn` once every task queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn)
    this.#tail = result.catch(() => undefined)
    return result
  }
}
