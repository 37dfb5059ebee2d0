/**
 * A raw producer of handcrafted record batches: what a hostile or broken producer can put on a topic
 * that a well-behaved client never would, such as a compressed batch that inflates to a gigabyte
 * (a decompression bomb). The batch is compressed as a stream, so the test never holds the inflated
 * bytes; the ProduceRequest goes straight to the partition's leader over the client's connection.
 */
import { once } from 'node:events'
import type { Transform } from 'node:stream'
import zlib from 'node:zlib'
import { ConnectionPool, crc32c, Producer, produceV9, Writer } from '@platformatic/kafka'
import { endpoint } from './endpoints.ts'

/** Codecs a bomb can be compressed with, by their batch attribute bits. */
const CODEC_BITS = { gzip: 1, zstd: 4 } as const
export type BombCodec = keyof typeof CODEC_BITS

/** A handcrafted batch: its bytes, and the sizes a test reports. */
export interface CraftedBatch {
  readonly bytes: Buffer
  readonly compressedBytes: number
  readonly inflatedBytes: number
}

/**
 * One record batch holding one record whose value is `valueBytes` zeros, compressed with `codec`
 * (1 GiB of zeros is about 1 MiB of gzip, 32 KiB of zstd).
 */
export async function zeroBombBatch(codec: BombCodec, valueBytes: number): Promise<CraftedBatch> {
  const prefix = Buffer.concat([
    Buffer.from([0, 0, 0]), // attributes, timestamp delta 0, offset delta 0
    zigzagVarint(-1), // no key
    zigzagVarint(valueBytes),
  ])
  const suffix = zigzagVarint(0) // no headers
  const record = Buffer.concat([zigzagVarint(prefix.length + valueBytes + suffix.length), prefix])
  const compressor: Transform = codec === 'gzip' ? zlib.createGzip({ level: 9 }) : zlib.createZstdCompress()
  const chunks: Buffer[] = []
  compressor.on('data', (chunk: Buffer) => chunks.push(chunk))
  const zeros = Buffer.alloc(1024 * 1024)
  const write = async (chunk: Buffer) => {
    if (!compressor.write(chunk)) await once(compressor, 'drain')
  }
  await write(record)
  for (let left = valueBytes; left > 0; left -= zeros.length)
    await write(zeros.subarray(0, Math.min(left, zeros.length)))
  compressor.end(suffix)
  await once(compressor, 'end')
  const compressed = Buffer.concat(chunks)
  return {
    bytes: batchOf(compressed, CODEC_BITS[codec], 1),
    compressedBytes: compressed.length,
    inflatedBytes: record.length + valueBytes + suffix.length,
  }
}

/** A v2 batch around `records` (compressed with `codecBits`), not transactional, not idempotent. */
function batchOf(records: Buffer, codecBits: number, count: number): Buffer {
  const header = Buffer.alloc(61)
  const now = BigInt(Date.now())
  header.writeBigInt64BE(0n, 0) // base offset: the broker assigns it
  header.writeInt32BE(49 + records.length, 8)
  header.writeInt32BE(-1, 12) // partition leader epoch
  header.writeInt8(2, 16) // magic
  header.writeInt16BE(codecBits, 21)
  header.writeInt32BE(count - 1, 23) // last offset delta
  header.writeBigInt64BE(now, 27)
  header.writeBigInt64BE(now, 35)
  header.writeBigInt64BE(-1n, 43) // producer id
  header.writeInt16BE(-1, 51) // producer epoch
  header.writeInt32BE(-1, 53) // base sequence
  header.writeInt32BE(count, 57)
  const batch = Buffer.concat([header, records])
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17)
  return batch
}

function zigzagVarint(value: number): Buffer {
  let n = value >= 0 ? value * 2 : -value * 2 - 1
  const bytes: number[] = []
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  bytes.push(n)
  return Buffer.from(bytes)
}

/** Produces one handcrafted batch onto `topic`/`partition` (acks=all); resolves to its base offset. */
export async function produceBatch(topic: string, partition: number, batch: Buffer): Promise<bigint> {
  const producer = new Producer({ clientId: 'test-raw-batch', bootstrapBrokers: [endpoint('KAFKA_BROKERS')] })
  const pool = new ConnectionPool('test-raw-batch')
  try {
    const metadata = await producer.metadata({ topics: [topic] })
    const leader = metadata.topics.get(topic)?.partitions[partition]?.leader
    const broker = leader === undefined ? undefined : metadata.brokers.get(leader)
    if (broker === undefined) throw new Error(`no leader for ${topic}[${partition}]`)
    const connection = await pool.get(broker)
    const payload = () =>
      Writer.create()
        .appendString(null) // transactional id
        .appendInt16(-1) // acks: all
        .appendInt32(30_000)
        .appendArray([topic], (w, name) => {
          w.appendString(name).appendArray([partition], (w, index) => {
            w.appendInt32(index)
              .appendUnsignedVarInt(batch.length + 1)
              .append(batch)
          })
        })
        .appendTaggedFields()
    const response = await new Promise<ReturnType<typeof produceV9.parseResponse>>((resolve, reject) =>
      connection.send(0, 9, payload, produceV9.parseResponse, true, true, (error, result) =>
        error ? reject(error) : resolve(result!),
      ),
    )
    return response.responses[0]!.partitionResponses[0]!.baseOffset
  } finally {
    await pool.close()
    await producer.close()
  }
}
