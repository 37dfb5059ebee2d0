// The outputs of one applied group of records, as stored beside the state it changed. A replayed batch
// re-emits these bytes, so the outputs of an aborted transaction are produced again exactly, however
// the clock, the watermark of other partitions or the early-firing timer have moved since.
import type { OutputRecord } from '@healthstream/shared/kafka'

/** An output record with a tag (the dead-letter reason, or '' for an aggregate row), kept for metrics. */
export interface TaggedOutput {
  readonly record: OutputRecord
  readonly tag: string
}

const FORMAT = 1
/** Format 1 followed by the ticker partitions (see `Outbox.tickers`). */
const FORMAT_TICKERS = 2

/** A group's stored outputs, and the partitions whose ticks the group carried. */
export interface Outbox {
  readonly outputs: TaggedOutput[]
  /**
   * Partitions without records that fired windows in a transaction of this group (their "ticks"): their
   * outputs are stored beside their state (`AggregateStore.readTick`) and re-emitted with the group.
   */
  readonly tickers: number[]
}

/**
 * Encodes outputs: a format byte, a count, then per record topic, key, value, tag and headers; with
 * tickers, format 2 and their count and numbers after that.
 */
export function encodeOutbox(outputs: readonly TaggedOutput[], tickers: readonly number[] = []): Uint8Array {
  const format = tickers.length > 0 ? FORMAT_TICKERS : FORMAT
  const parts: Buffer[] = [Buffer.from([format]), u32(outputs.length)]
  for (const { record, tag } of outputs) {
    parts.push(text(record.topic), bytes(record.key ?? null), bytes(record.value), text(tag))
    const headers = [...(record.headers ?? new Map<string, Buffer>())]
    parts.push(u32(headers.length))
    for (const [name, value] of headers) parts.push(text(name), bytes(value))
  }
  if (tickers.length > 0) parts.push(u32(tickers.length), ...tickers.map(u32))
  return Buffer.concat(parts)
}

/** The outputs `encodeOutbox` wrote. */
export function decodeOutbox(data: Uint8Array): TaggedOutput[] {
  return decodeOutboxWithTickers(data).outputs
}

/** Decodes what `encodeOutbox` wrote; throws on anything else (a corrupt outbox must not be guessed at). */
export function decodeOutboxWithTickers(data: Uint8Array): Outbox {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  let at = 0
  const readU32 = (): number => {
    const n = buf.readUInt32BE(at)
    at += 4
    return n
  }
  const readBytes = (): Buffer | null => {
    const length = buf.readInt32BE(at)
    at += 4
    if (length < 0) return null
    if (at + length > buf.length) throw new RangeError('outbox is truncated')
    const out = Buffer.from(buf.subarray(at, at + length))
    at += length
    return out
  }
  const readText = (): string => (readBytes() ?? Buffer.alloc(0)).toString('utf8')
  const format = buf[at++]
  if (format !== FORMAT && format !== FORMAT_TICKERS)
    throw new RangeError(`outbox has unknown format ${buf[0]}`)
  const outputs: TaggedOutput[] = []
  for (let n = readU32(); n > 0; n--) {
    const topic = readText()
    const key = readBytes()
    const value = readBytes()
    const tag = readText()
    const headers = new Map<string, Buffer>()
    for (let h = readU32(); h > 0; h--) headers.set(readText(), readBytes() ?? Buffer.alloc(0))
    const record: OutputRecord = headers.size > 0 ? { topic, key, value, headers } : { topic, key, value }
    outputs.push({ record, tag })
  }
  const tickers: number[] = []
  if (format === FORMAT_TICKERS) for (let n = readU32(); n > 0; n--) tickers.push(readU32())
  if (at !== buf.length) throw new RangeError(`outbox has ${buf.length - at} trailing bytes`)
  return { outputs, tickers }
}

/** A tick's stored outputs: the first offset of the anchor's group that carried them, then an outbox. */
export function encodeTick(from: number, outputs: readonly TaggedOutput[]): Uint8Array {
  const head = Buffer.allocUnsafe(8)
  head.writeBigInt64BE(BigInt(from))
  return Buffer.concat([head, encodeOutbox(outputs)])
}

/** Inverse of `encodeTick`. */
export function decodeTick(data: Uint8Array): { from: number; outputs: TaggedOutput[] } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (buf.length < 8) throw new RangeError('tick is truncated')
  return { from: Number(buf.readBigInt64BE(0)), outputs: decodeOutbox(buf.subarray(8)) }
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n)
  return b
}

function bytes(value: Buffer | null): Buffer {
  if (value === null) return u32(0xffffffff) // read back as int32 −1
  return Buffer.concat([u32(value.length), value])
}

function text(value: string): Buffer {
  return bytes(Buffer.from(value, 'utf8'))
}
