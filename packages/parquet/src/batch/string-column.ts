/** String columns: per slot a code into the column's dictionary of strings. */
import { Column, grown, invalid } from './column.ts'

/**
 * The strings of a string column, each with its code (its index), append-only: a code once given
 * never changes, so the batches taken from a batch share its dictionary. A string is held once unless
 * it was appended without looking (`append`).
 */
export class StringDictionary {
  readonly strings: string[]
  #ids: Map<string, number> | undefined

  constructor(strings: string[] = []) {
    this.strings = strings
  }

  /** A new code for `s`, without looking for it: for columns of mostly distinct strings (ids). */
  append(s: string): number {
    return this.strings.push(s) - 1
  }

  /** The code of `s`, added when new. */
  code(s: string): number {
    this.#ids ??= new Map(this.strings.map((v, i) => [v, i]))
    const ids = this.#ids
    let id = ids.get(s)
    if (id === undefined) {
      id = this.strings.length
      ids.set(s, id)
      this.strings.push(s)
    }
    return id
  }
}

/** Strings a column looks up before deciding whether its strings are mostly distinct. */
const DISTINCT_TRIAL = 1024

/**
 * `string`: per slot the code of its string in a dictionary, UTF-8 encoded only when pages are written.
 * Codes make filling, picking rows per partition, building each chunk's dictionary and sending a batch
 * to a worker copy integers instead of string pointers (which the GC would also walk).
 */
export class StringColumn extends Column {
  readonly kind = 'string'
  /** Per slot the code of its string (0 for null); meaningful below `length` where `valid`. */
  codes = new Int32Array(64)
  dictionary = new StringDictionary()
  /** The string pushed last and its code: neighbours often repeat (a batch's user, unit, zone). */
  #last: string | undefined
  #lastCode = 0
  /** Lookups (of a string unlike the one before) and how many were new, until the trial decides. */
  #looked = 0
  #added = 0
  /** Mostly distinct strings (ids): appended without a lookup that would rarely find them. */
  #distinct = false

  override reserve(n: number): void {
    super.reserve(n)
    this.codes = grown(this.codes, n)
  }

  push(value: unknown): void {
    const i = this.length
    if (i >= this.codes.length) this.codes = grown(this.codes, i + 1)
    if (this.slot(value)) {
      if (typeof value !== 'string') invalid(`column ${this.path} must be a string`)
      if (value !== this.#last) {
        this.#lastCode = this.#distinct ? this.dictionary.append(value) : this.#code(value)
        this.#last = value
      }
      this.codes[i] = this.#lastCode
    } else this.codes[i] = 0
    this.length = i + 1
  }

  #code(value: string): number {
    const before = this.dictionary.strings.length
    const code = this.dictionary.code(value)
    if (this.dictionary.strings.length > before) this.#added++
    if (++this.#looked === DISTINCT_TRIAL) this.#distinct = this.#added * 2 > DISTINCT_TRIAL
    return code
  }

  /** The string of a non-null slot. */
  at(i: number): string {
    return this.dictionary.strings[this.codes[i]!]!
  }

  /**
   * Codes and strings of the slots below `length` alone, numbered in order of first appearance: the
   * same for the same values whatever else the dictionary holds (a failed row's strings, the rows of
   * the batch this one was taken from), as long as no string was appended twice.
   */
  compacted(): { codes: Int32Array<ArrayBuffer>; strings: string[] } {
    const { valid, length } = this
    const all = this.dictionary.strings
    const ids = new Int32Array(all.length).fill(-1)
    const codes = new Int32Array(length)
    const strings: string[] = []
    for (let i = 0; i < length; i++) {
      if (valid[i] === 0) continue
      const code = this.codes[i]!
      let id = ids[code]!
      if (id < 0) {
        id = ids[code] = strings.length
        strings.push(all[code]!)
      }
      codes[i] = id
    }
    return { codes, strings }
  }

  /** Takes `dictionary` as its own (a copy of a batch's column, or one received from another thread). */
  adopt(dictionary: StringDictionary): void {
    this.dictionary = dictionary
    this.#last = undefined
  }
}
