import type { Resolver, Type } from 'avsc'
import type { ReasonCode } from '../domain/reason-codes.ts'
import { compileWalker, type Walker } from './bounds.ts'
import { parseSchema } from './compatibility.ts'
import { isRegistryError, RegistryErrorCode } from './errors.ts'
import {
  compileRecordMaker,
  compileRecordReader,
  type RecordMaker,
  type RecordReader,
  recordEnd,
} from './record-reader.ts'
import { type SchemaInput, type SchemaRegistry, schemaText } from './registry.ts'
import { AvroReadError } from './value-readers.ts'
import { parseHeader } from './wire-format.ts'

/** Why a message could not be decoded; the same strings as the pipeline's reason codes. */
export type DecodeFailureReason = Extract<ReasonCode, 'BAD_MAGIC' | 'UNKNOWN_SCHEMA_ID' | 'DECODE_FAILED'>

/** A message as its writer wrote it: its writer type and the value decoded with it, unresolved. */
export interface Written {
  readonly type: Type
  readonly value: unknown
}

/** A decoded message, or why it is bad data (for the dead-letter queue, not for an exception). */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T; readonly schemaId: number; readonly written?: Written }
  | {
      readonly ok: false
      readonly reason: DecodeFailureReason
      readonly detail: string
      readonly schemaId?: number
    }

/** Settings of {@link AvroDeserializer}. */
export interface AvroDeserializerOptions {
  readonly registry: SchemaRegistry
  /** The schema the calling code was built for; every writer version is resolved to it. */
  readonly readerSchema: SchemaInput
  /**
   * How long an id the registry does not know stays "unknown" before it is asked again. Ids are
   * immutable, but an id may be registered moments after a producer used it elsewhere. Default 10 s.
   */
  readonly unknownIdRetryMs?: number
  /** Injected for tests. */
  readonly now?: () => number
  /**
   * Writer schemas (asked once per id) whose messages are also decoded with the writer type itself,
   * returned as `written`: for reading the fields the reader schema lacks. Default: none.
   */
  readonly keepWritten?: (writer: Type) => boolean
}

type WriterEntry =
  | {
      readonly ok: true
      readonly resolver: Resolver
      readonly walker: Walker
      /** The writer schema is the reader schema (canonical form): a `RecordReader` may read it. */
      readonly same: boolean
      /** The writer type, when its messages are also returned as written (`keepWritten`). */
      readonly keep: Type | undefined
    }
  | {
      readonly ok: false
      readonly reason: DecodeFailureReason
      readonly detail: string
      readonly until: number
    }

/**
 * Decodes Confluent-framed Avro with the writer schema named by the message (fetched once per id)
 * resolved to the reader schema, so older and newer writer versions decode without a deploy.
 * Bad bytes come back as `{ ok: false, reason }`; a registry outage is thrown as a
 * {@link RegistryError} with `canRetry`, so the caller retries instead of dead-lettering good data.
 */
export class AvroDeserializer<T = unknown> {
  /** The reader type (avsc), e.g. for building records in tests. */
  readonly readerType: Type
  readonly #registry: SchemaRegistry
  readonly #writers = new Map<number, WriterEntry>()
  readonly #loading = new Map<number, Promise<WriterEntry>>()
  readonly #retryMs: number
  readonly #now: () => number
  /** Reads messages whose writer is the reader schema itself (most): no resolver, no bounds walk. */
  readonly #sameReader: RecordReader | undefined
  /** The same, making each record as one object of its final shape (the fast path). */
  readonly #sameMaker: RecordMaker | undefined
  readonly #keepWritten: ((writer: Type) => boolean) | undefined

  constructor(options: AvroDeserializerOptions) {
    this.readerType = parseSchema(schemaText(options.readerSchema))
    this.#registry = options.registry
    this.#retryMs = options.unknownIdRetryMs ?? 10_000
    this.#now = options.now ?? Date.now
    this.#sameReader = compileRecordReader(this.readerType, (field) => field)
    this.#sameMaker = compileRecordMaker(this.readerType)
    this.#keepWritten = options.keepWritten
  }

  /** Decodes one message; awaits the registry only for a writer id not seen before. */
  async decode(message: Buffer): Promise<DecodeResult<T>> {
    const header = parseHeader(message)
    if (!header.ok) return badHeader(header.reason)
    const entry = this.#cached(header.schemaId) ?? (await this.#load(header.schemaId))
    return this.#decodeWith(entry, message, header.schemaId)
  }

  /** Decodes many messages, loading all unseen writer ids first and then decoding synchronously. */
  async decodeAll(messages: readonly Buffer[]): Promise<DecodeResult<T>[]> {
    await this.load(messages)
    return messages.map((message) => this.decodeLoaded(message)!)
  }

  /** Loads the writer schemas of these messages not seen before (throws when the registry is down). */
  async load(messages: readonly (Buffer | null)[]): Promise<void> {
    const missing = new Set<number>()
    for (const message of messages) {
      const header = message === null ? undefined : parseHeader(message)
      if (header?.ok && this.#cached(header.schemaId) === undefined) missing.add(header.schemaId)
    }
    await Promise.all([...missing].map((id) => this.#load(id)))
  }

  /**
   * Reads a message straight into `target` with `reader` (a `RecordReader` or `ColumnReader` compiled
   * from this deserializer's reader type) when it was written with the reader schema itself;
   * `undefined` when it was not, or its writer id is not loaded: decode it with `decodeLoaded` then.
   * Bad bytes are a failed result.
   */
  readLoadedInto<Target>(
    message: Buffer,
    target: Target,
    reader: (buf: Buffer, pos: number, target: Target) => number,
  ): DecodeResult<undefined> | undefined {
    const header = parseHeader(message)
    if (!header.ok) return badHeader(header.reason)
    const entry = this.#cached(header.schemaId)
    if (entry === undefined) return undefined
    const schemaId = header.schemaId
    if (!entry.ok) return { ok: false, reason: entry.reason, detail: entry.detail, schemaId }
    return entry.same ? readBody(message, target, reader, schemaId) : undefined
  }

  /** Decodes synchronously when the writer id is already loaded; `undefined` when it is not. */
  decodeLoaded(message: Buffer): DecodeResult<T> | undefined {
    const header = parseHeader(message)
    if (!header.ok) return badHeader(header.reason)
    const entry = this.#cached(header.schemaId)
    return entry && this.#decodeWith(entry, message, header.schemaId)
  }

  #decodeWith(entry: WriterEntry, message: Buffer, schemaId: number): DecodeResult<T> {
    if (!entry.ok) return { ok: false, reason: entry.reason, detail: entry.detail, schemaId }
    if (entry.same && this.#sameMaker !== undefined) return makeBody<T>(message, this.#sameMaker, schemaId)
    if (entry.same && this.#sameReader !== undefined) {
      const value: Record<string, unknown> = {}
      const read = readBody(message, value, this.#sameReader, schemaId)
      return read.ok ? { ok: true, value: value as T, schemaId } : read
    }
    // The walk rejects truncated bodies and absurd block counts before avsc allocates anything.
    const end = entry.walker(message, 5)
    if (end !== message.length) {
      const detail = end < 0 ? 'Avro body is truncated or malformed' : 'trailing bytes after the Avro body'
      return { ok: false, reason: 'DECODE_FAILED', detail, schemaId }
    }
    try {
      const { value, offset } = this.readerType.decode(message, 5, entry.resolver)
      if (offset !== message.length) throw new Error(`decoded ${offset} of ${message.length} bytes`)
      if (entry.keep === undefined) return { ok: true, value: value as T, schemaId }
      const written = { type: entry.keep, value: entry.keep.decode(message, 5).value }
      return { ok: true, value: value as T, schemaId, written }
    } catch (error) {
      return { ok: false, reason: 'DECODE_FAILED', detail: (error as Error).message, schemaId }
    }
  }

  #cached(id: number): WriterEntry | undefined {
    const entry = this.#writers.get(id)
    if (entry && !entry.ok && entry.reason === 'UNKNOWN_SCHEMA_ID' && entry.until <= this.#now()) {
      this.#writers.delete(id)
      return undefined
    }
    return entry
  }

  #load(id: number): Promise<WriterEntry> {
    let pending = this.#loading.get(id)
    if (pending === undefined) {
      pending = this.#fetchWriter(id).finally(() => this.#loading.delete(id))
      this.#loading.set(id, pending)
    }
    return pending
  }

  async #fetchWriter(id: number): Promise<WriterEntry> {
    let schema: string
    try {
      schema = (await this.#registry.getSchemaById(id)).schema
    } catch (error) {
      // Only "no such id" is the message's fault; anything else is an outage the caller must retry.
      if (!isRegistryError(error, RegistryErrorCode.SCHEMA_NOT_FOUND)) throw error
      const until = this.#now() + this.#retryMs
      return this.#remember(id, { ok: false, reason: 'UNKNOWN_SCHEMA_ID', detail: `no schema ${id}`, until })
    }
    return this.#remember(id, this.#resolve(id, schema))
  }

  #resolve(id: number, schema: string): WriterEntry {
    // Ids are immutable, so a writer schema that cannot be read stays unreadable: cache that too.
    try {
      const writer = parseSchema(schema)
      const same = writer.equals(this.readerType)
      return {
        ok: true,
        resolver: this.readerType.createResolver(writer),
        walker: compileWalker(writer),
        same,
        keep: !same && this.#keepWritten?.(writer) === true ? writer : undefined,
      }
    } catch (error) {
      const detail = `writer schema ${id} cannot be read with the reader schema: ${(error as Error).message}`
      return { ok: false, reason: 'DECODE_FAILED', detail, until: Number.POSITIVE_INFINITY }
    }
  }

  #remember(id: number, entry: WriterEntry): WriterEntry {
    this.#writers.set(id, entry)
    return entry
  }
}

/** Makes the record of the Avro body after the 5-byte header; bad bytes are a failed result. */
function makeBody<T>(message: Buffer, make: RecordMaker, schemaId: number): DecodeResult<T> {
  try {
    const value = make(message, 5)
    if (recordEnd() === message.length) return { ok: true, value: value as T, schemaId }
    return { ok: false, reason: 'DECODE_FAILED', detail: 'trailing bytes after the Avro body', schemaId }
  } catch (error) {
    if (!(error instanceof AvroReadError)) throw error
    return { ok: false, reason: 'DECODE_FAILED', detail: error.message, schemaId }
  }
}

/** Reads the Avro body after the 5-byte header into `target`; bad bytes are a failed result. */
function readBody<Target>(
  message: Buffer,
  target: Target,
  reader: (buf: Buffer, pos: number, target: Target) => number,
  schemaId: number,
): DecodeResult<undefined> {
  try {
    const end = reader(message, 5, target)
    if (end === message.length) return { ok: true, value: undefined, schemaId }
    return { ok: false, reason: 'DECODE_FAILED', detail: 'trailing bytes after the Avro body', schemaId }
  } catch (error) {
    if (!(error instanceof AvroReadError)) throw error
    return { ok: false, reason: 'DECODE_FAILED', detail: error.message, schemaId }
  }
}

function badHeader(reason: 'BAD_MAGIC' | 'TOO_SHORT'): DecodeResult<never> {
  // Fewer than 5 bytes cannot be the Confluent format either, so both are BAD_MAGIC for the DLQ.
  const detail =
    reason === 'TOO_SHORT' ? 'shorter than the 5-byte header' : 'first byte is not the magic byte 0'
  return { ok: false, reason: 'BAD_MAGIC', detail }
}
