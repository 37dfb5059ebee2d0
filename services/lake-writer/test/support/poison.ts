/** Input records no table can hold, each with the reason code its dead letter must carry. */
import { Buffer } from 'node:buffer'
import { ReasonCode } from '@healthstream/shared/domain'

/** One poison value and what the lake-writer must call it. */
export interface Poison {
  readonly kind: string
  readonly value: Buffer | null
  readonly reason: ReasonCode
}

/**
 * Poison made from `good`, a correctly framed record of the topic: random bytes, a wrong magic byte,
 * a schema id no registry has, the Avro body cut in half, a message too short for a header, a
 * tombstone. (Tests tell the records apart by their keys.)
 */
export function poisonFrom(good: Buffer): Poison[] {
  const random = Buffer.alloc(48)
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(Math.random() * 256)
  random[0] = 0x7f // anything but the magic 0
  const badMagic = Buffer.from(good)
  badMagic[0] = 0x01
  const unknownId = Buffer.from(good)
  unknownId.writeUInt32BE(2_000_000_000, 1)
  return [
    { kind: 'random bytes', value: random, reason: ReasonCode.BAD_MAGIC },
    { kind: 'bad magic byte', value: badMagic, reason: ReasonCode.BAD_MAGIC },
    { kind: 'unknown schema id', value: unknownId, reason: ReasonCode.UNKNOWN_SCHEMA_ID },
    {
      kind: 'truncated Avro',
      value: good.subarray(0, Math.floor(good.length / 2)),
      reason: ReasonCode.DECODE_FAILED,
    },
    { kind: 'shorter than a header', value: Buffer.from([0, 0, 1]), reason: ReasonCode.BAD_MAGIC },
    { kind: 'tombstone', value: null, reason: ReasonCode.TOMBSTONE },
  ]
}
