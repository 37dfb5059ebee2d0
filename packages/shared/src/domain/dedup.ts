import type { HealthSample } from './records.ts'

/**
 * Key under which a sample is remembered for duplicate detection: one per (user, sampleId).
 * The user id is length-prefixed so no pair of ids can produce the same key ("a:b"+"c" vs
 * "a"+"b:c"). Store adapters add their own namespace prefix.
 */
export function dedupKey(userId: string, sampleId: string): string {
  return `${userId.length}:${userId}:${sampleId}`
}

/**
 * Identity of one occurrence of a sample: its provenance in `health-data-raw`. A validator that
 * re-reads the same record after an aborted transaction presents the same owner and so is not
 * fooled by the mark its own aborted attempt left behind; a re-uploaded batch has a new offset.
 */
export function dedupOwner(
  sample: Pick<HealthSample, 'sourceTopic' | 'sourcePartition' | 'sourceOffset' | 'sourceIndex'>,
): string {
  return `${sample.sourceTopic}:${sample.sourcePartition}:${sample.sourceOffset}:${sample.sourceIndex}`
}

/**
 * Port for duplicate detection (implemented on Redis by the validator; in memory for tests).
 *
 * `seen` checks and marks each key atomically, in order: it answers `true` when the key is already
 * present (a duplicate: drop and count it) and `false` when it was absent, marking it for
 * `horizonMs` of processing time. When `owners` is given (same length as `keys`), a key already
 * marked by the same owner answers `false`: that is a replay of the same input, not a duplicate.
 * Without owners, a crash between marking and committing would make the replay drop the sample.
 * Keys repeated within one call see the marks of earlier entries of the same call.
 */
export interface DedupStore {
  seen(keys: readonly string[], horizonMs: number, owners?: readonly string[]): Promise<boolean[]>
}

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
