/**
 * A raw producer of handcrafted record batches: what a hostile or broken producer can put on a topic
 * that a well-behaved client never would, such as a compressed batch that inflates to a gigabyte
 * (a decompression bomb). The batch is compressed as a stream, so the test never holds the inflated
 * bytes; the ProduceRequest goes straight to the partition's leader over the client's connection.
 */
import { once } from 'node:events'
import type { Transform } from 'node:stream'
import zlib from 'node:zlib'
import { sealBatch, varintBytes, writeBatchHeader, writeVarint, zigzag } from '@healthstream/shared/kafka'
import { ConnectionPool, Producer, produceV9, Writer } from '@platformatic/kafka'
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
  const batch = Buffer.alloc(61 + records.length)
  const now = Date.now()
  const start = writeBatchHeader(batch, 0, {
    bytes: batch.length,
    attributes: codecBits,
    count,
    firstTimestamp: now,
    maxTimestamp: now,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    partitionLeaderEpoch: -1,
  })
  records.copy(batch, start)
  sealBatch(batch, 0, batch.length)
  return batch
}

function zigzagVarint(value: number): Buffer {
  const n = zigzag(value)
  const bytes = Buffer.alloc(varintBytes(n))
  writeVarint(bytes, 0, n)
  return bytes
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
