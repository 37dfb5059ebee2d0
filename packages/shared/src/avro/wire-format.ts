/**
 * Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian unsigned int, then the
 * Avro binary body.
 */

/** The only magic byte the Confluent format defines. */
export const MAGIC_BYTE = 0
/** Bytes before the Avro body. */
export const HEADER_SIZE = 5

/** Why bytes are not a Confluent-framed message. */
export type HeaderProblem = 'BAD_MAGIC' | 'TOO_SHORT'

/** The header of a framed message, or why there is none. A value, never an exception: bad bytes are data. */
export type ParsedHeader =
  | { readonly ok: true; readonly schemaId: number; readonly bodyOffset: number }
  | { readonly ok: false; readonly reason: HeaderProblem }

/** Reads the header of a message. */
export function parseHeader(buffer: Uint8Array): ParsedHeader {
  if (buffer.length < HEADER_SIZE) return { ok: false, reason: 'TOO_SHORT' }
  if (buffer[0] !== MAGIC_BYTE) return { ok: false, reason: 'BAD_MAGIC' }
  // Manual big-endian read: works on any Uint8Array without a DataView allocation.
  const schemaId = ((buffer[1]! << 24) >>> 0) + (buffer[2]! << 16) + (buffer[3]! << 8) + buffer[4]!
  return { ok: true, schemaId, bodyOffset: HEADER_SIZE }
}

/** Writes the 5-byte header for `schemaId` into `target` at `offset`. */
export function writeHeader(target: Uint8Array, schemaId: number, offset = 0): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id must be an integer in [0, 2^32 - 1], got ${schemaId}`)
  }
  target[offset] = MAGIC_BYTE
  target[offset + 1] = schemaId >>> 24
  target[offset + 2] = (schemaId >>> 16) & 0xff
  target[offset + 3] = (schemaId >>> 8) & 0xff
  target[offset + 4] = schemaId & 0xff
}

/** Frames an Avro body with the header of `schemaId`. */
export function encode(schemaId: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length)
  writeHeader(out, schemaId)
  out.set(body, HEADER_SIZE)
  return out
}
