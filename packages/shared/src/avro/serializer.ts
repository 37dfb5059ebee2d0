import type { Type } from 'avsc'
import { parseSchema } from './compatibility.ts'
import { isRegistryError, RegistryErrorCode } from './errors.ts'
import { type CompatibilityLevel, type SchemaInput, type SchemaRegistry, schemaText } from './registry.ts'
import { HEADER_SIZE, writeHeader } from './wire-format.ts'

/** Settings of {@link AvroSerializer.create}. */
export interface AvroSerializerOptions {
  readonly registry: SchemaRegistry
  /** Topic the records go to; the subject is `<topic>-value` (TopicNameStrategy) unless `subject` is set. */
  readonly topic: string
  readonly schema: SchemaInput
  readonly subject?: string
  /** Rule set on the subject so that later versions must stay readable. Default `BACKWARD`. */
  readonly compatibility?: CompatibilityLevel
  /** First size of the reusable encoding buffer; it grows to the largest record seen. Default 64 KiB. */
  readonly initialBufferSize?: number
}

/**
 * Encodes records of one schema into the Confluent wire format for our own topics. Created with
 * {@link AvroSerializer.create}, which registers the schema, so every record carries a real id.
 */
export class AvroSerializer<T = unknown> {
  readonly schemaId: number
  readonly subject: string
  readonly type: Type
  #scratch: Buffer

  private constructor(schemaId: number, subject: string, type: Type, initialBufferSize: number) {
    this.schemaId = schemaId
    this.subject = subject
    this.type = type
    this.#scratch = Buffer.allocUnsafe(Math.max(initialBufferSize, 64))
    writeHeader(this.#scratch, schemaId)
  }

  /** Sets the subject's compatibility and registers the schema (idempotent: same schema, same id). */
  static async create<T>(options: AvroSerializerOptions): Promise<AvroSerializer<T>> {
    const subject = options.subject ?? `${options.topic}-value`
    const text = schemaText(options.schema)
    const type = parseSchema(text)
    const level = options.compatibility ?? 'BACKWARD'
    const { registry } = options
    try {
      // Before registering, so a breaking change is checked against the rule we want.
      await registry.setCompatibility(subject, level)
    } catch (error) {
      // Some registries (Apicurio) only keep settings of subjects that exist: register first there.
      if (!isRegistryError(error, RegistryErrorCode.SUBJECT_NOT_FOUND)) throw error
      const id = await registry.register(subject, text)
      await registry.setCompatibility(subject, level)
      return new AvroSerializer<T>(id, subject, type, options.initialBufferSize ?? 65_536)
    }
    const id = await registry.register(subject, text)
    return new AvroSerializer<T>(id, subject, type, options.initialBufferSize ?? 65_536)
  }

  /**
   * One framed record in a buffer of its own (Kafka keeps it until the batch is sent). The record is
   * encoded into a reused scratch buffer first, so the only allocation is the exact-size result.
   */
  serialize(record: T): Buffer {
    let end = this.type.encode(record, this.#scratch, HEADER_SIZE)
    if (end < 0) {
      // avsc reports the missing byte count as a negative number: grow once, to fit, and retry.
      this.#grow(this.#scratch.length - end)
      end = this.type.encode(record, this.#scratch, HEADER_SIZE)
    }
    const out = Buffer.allocUnsafe(end)
    this.#scratch.copy(out, 0, 0, end)
    return out
  }

  #grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(atLeast, this.#scratch.length * 2))
    writeHeader(next, this.schemaId)
    this.#scratch = next
  }
}
