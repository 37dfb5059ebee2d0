/**
 * The extras of raw batches: which writer schemas have fields our reader lacks (decoded a second
 * time as written, for those fields alone), and each sample's extras from that second decode.
 */
import type { Written } from '@healthstream/shared/avro'
import { type ExtrasPlan, extrasPlan, hasExtras, sampleExtras } from '@healthstream/shared/domain'

type Type = Written['type']

/** Extras per writer type, planned once per writer schema. */
export class BatchExtras {
  readonly #reader: object
  readonly #plans = new WeakMap<Type, ExtrasPlan>()

  /** `reader`: the Avro schema (JSON) raw batches are read with. */
  constructor(reader: object) {
    this.#reader = reader
  }

  #plan(writer: Type): ExtrasPlan {
    let plan = this.#plans.get(writer)
    if (plan === undefined) {
      plan = extrasPlan(writer.schema() as object, this.#reader)
      this.#plans.set(writer, plan)
    }
    return plan
  }

  /** Whether messages of this writer carry fields the reader would drop (`keepWritten`). */
  readonly keeps = (writer: Type): boolean => hasExtras(this.#plan(writer))

  /**
   * The extras of each sample of a batch as written (wire strings, by sample index), or why the
   * writer schema's extras cannot be kept apart (a `SCHEMA_CONFLICT` dead letter).
   */
  of(written: Written): { ok: true; extras: (string | null)[] } | { ok: false; detail: string } {
    const plan = this.#plan(written.type)
    return plan.ok ? { ok: true, extras: sampleExtras(plan, written.value) } : plan
  }
}
