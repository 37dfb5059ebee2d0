/** The validator's duplicate store in memory. */
import type { DedupStore } from '@healthstream/shared/domain'

interface Mark {
  owner: string | undefined
  expiresAt: number
}

/** In-memory `DedupStore` for tests and single-process tools; marks expire on a given clock. */
export class InMemoryDedupStore implements DedupStore {
  readonly #marks = new Map<string, Mark>()
  readonly #nowMs: () => number

  /** @param nowMs processing-time clock in milliseconds (inject a fake one in tests) */
  constructor(nowMs: () => number = Date.now) {
    this.#nowMs = nowMs
  }

  /** Number of unexpired marks. */
  get size(): number {
    this.#evictExpired(this.#nowMs())
    return this.#marks.size
  }

  seen(keys: readonly string[], horizonMs: number, owners?: readonly string[]): Promise<boolean[]> {
    if (owners !== undefined && owners.length !== keys.length) {
      return Promise.reject(new RangeError(`owners has ${owners.length} entries, keys has ${keys.length}`))
    }
    const now = this.#nowMs()
    const answers: boolean[] = []
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      const owner = owners?.[i]
      const mark = this.#marks.get(key)
      if (mark !== undefined && mark.expiresAt > now) {
        answers.push(owner === undefined || mark.owner !== owner)
        continue
      }
      this.#marks.set(key, { owner, expiresAt: now + horizonMs })
      answers.push(false)
    }
    return Promise.resolve(answers)
  }

  #evictExpired(now: number): void {
    for (const [key, mark] of this.#marks) if (mark.expiresAt <= now) this.#marks.delete(key)
  }
}
