/**
 * Avro object container files, built synchronously in memory. avsc encodes the records (with a
 * bigint `long`, since snapshot ids exceed 2^53); the framing (header, blocks, sync markers) is done
 * here so the schema JSON written into the header is exactly the one given — Iceberg readers
 * resolve columns by the `field-id` attributes in it.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import avro from 'avsc'
import { IcebergError } from '../errors.ts'
import type { JsonObject } from '../json/lossless.ts'

const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01)

/** avsc long that reads every long as bigint and writes bigint or integral numbers. */
const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
})

/** Compiles an Avro schema with bigint longs. */
export function avroType(schema: JsonObject): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: BIGINT_LONG } })
}

/** Supported block codecs. */
export type AvroCodec = 'null' | 'deflate'

function zigzag(n: number): number[] {
  let v = BigInt(n)
  v = v >= 0n ? v << 1n : (-v << 1n) - 1n
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return out
}

function encodeBytes(bytes: Uint8Array): Uint8Array[] {
  return [Uint8Array.from(zigzag(bytes.length)), bytes]
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Options of `writeAvroFile`. */
export interface WriteAvroOptions {
  readonly codec?: AvroCodec
  /** Records per block. */
  readonly blockRecords?: number
}

/** Writes records into an Avro container with string key-value metadata. */
export function writeAvroFile(
  schema: JsonObject,
  records: readonly unknown[],
  metadata: Readonly<Record<string, string>>,
  options: WriteAvroOptions = {},
): Uint8Array {
  const type = avroType(schema)
  const codec = options.codec ?? 'deflate'
  const enc = new TextEncoder()
  const meta: Record<string, string> = {
    ...metadata,
    'avro.schema': JSON.stringify(schema),
    'avro.codec': codec,
  }
  const sync = crypto.getRandomValues(new Uint8Array(16))
  const parts: Uint8Array[] = [MAGIC, Uint8Array.from(zigzag(Object.keys(meta).length))]
  for (const [k, v] of Object.entries(meta))
    parts.push(...encodeBytes(enc.encode(k)), ...encodeBytes(enc.encode(v)))
  parts.push(Uint8Array.of(0), sync)
  const per = options.blockRecords ?? 1000
  for (let i = 0; i < records.length; i += per) {
    const block = records.slice(i, i + per)
    const raw = concat(block.map((r) => new Uint8Array(type.toBuffer(r))))
    const data = codec === 'deflate' ? new Uint8Array(deflateRawSync(raw)) : raw
    parts.push(Uint8Array.from(zigzag(block.length)), ...encodeBytes(data), sync)
  }
  return concat(parts)
}

/** A decoded Avro container. */
export interface AvroFile {
  readonly schema: JsonObject
  readonly metadata: Readonly<Record<string, string>>
  readonly records: unknown[]
}

class Reader {
  pos = 0
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
  long(): number {
    let v = 0n
    let shift = 0n
    for (;;) {
      const b = this.bytes[this.pos++]
      if (b === undefined) throw new IcebergError('INVALID_METADATA', 'truncated Avro file')
      v |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) break
      shift += 7n
    }
    return Number(v & 1n ? -(v >> 1n) - 1n : v >> 1n)
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new IcebergError('INVALID_METADATA', 'truncated Avro file')
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  bytesValue(): Uint8Array {
    return this.take(this.long())
  }
}

function readHeader(r: Reader): { metadata: Record<string, string>; sync: Uint8Array } {
  if (!MAGIC.every((b, i) => r.bytes[i] === b))
    throw new IcebergError('INVALID_METADATA', 'not an Avro container file')
  r.pos = 4
  const dec = new TextDecoder()
  const metadata: Record<string, string> = {}
  for (let count = r.long(); count !== 0; count = r.long()) {
    if (count < 0) r.long() // a negative count is followed by the block's byte size
    for (let i = 0; i < Math.abs(count); i++)
      metadata[dec.decode(r.bytesValue())] = dec.decode(r.bytesValue())
  }
  return { metadata, sync: r.take(16) }
}

/** Reads every record of an Avro container (null and deflate codecs). */
export function readAvroFile(bytes: Uint8Array): AvroFile {
  const r = new Reader(bytes)
  const { metadata, sync } = readHeader(r)
  const schema = JSON.parse(metadata['avro.schema'] ?? 'null') as JsonObject
  const codec = metadata['avro.codec'] ?? 'null'
  if (codec !== 'null' && codec !== 'deflate')
    throw new IcebergError('UNSUPPORTED', `Avro codec ${codec} is not supported`)
  const type = avroType(schema)
  const records: unknown[] = []
  while (r.pos < bytes.length) {
    const count = r.long()
    const data = r.bytesValue()
    const raw = Buffer.from(codec === 'deflate' ? inflateRawSync(data) : data)
    let offset = 0
    for (let i = 0; i < count; i++) {
      const { value, offset: next } = type.decode(raw, offset)
      if (next < 0) throw new IcebergError('INVALID_METADATA', 'truncated Avro block')
      records.push(value)
      offset = next
    }
    if (!r.take(16).every((b, i) => b === sync[i]))
      throw new IcebergError('INVALID_METADATA', 'Avro sync marker mismatch')
  }
  return { schema, metadata, records }
}
