import type { Type } from 'avsc'

/**
 * A pre-flight walk over Avro binary data with the writer's type, with every read bounds-checked.
 *
 * Why: avsc trusts block counts. Garbage whose array count decodes to 10^9 makes it build a
 * billion-element array out of reads past the end of the buffer (minutes of CPU, then out of
 * memory). Walking first, with counts limited by the bytes left, turns such bytes into a cheap
 * `DECODE_FAILED` instead of a stalled consumer. The walk allocates nothing.
 *
 * A walker takes the position to start at and returns the position after the value, or -1.
 */
export type Walker = (buf: Uint8Array, pos: number) => number

/** Items of zero-byte types (null, empty records) are not limited by the bytes left; this is. */
const MAX_EMPTY_ITEMS = 1_000_000

// The value of the last varint read; a module slot so that reading one allocates nothing.
let varint = 0

function readVarint(buf: Uint8Array, pos: number): number {
  let result = 0
  let factor = 1
  for (let i = 0; i < 10; i++) {
    const byte = buf[pos++]
    if (byte === undefined) return -1
    result += (byte & 0x7f) * factor
    if ((byte & 0x80) === 0) {
      // Zig-zag decoding in float arithmetic: longs beyond 2^31 stay exact up to 2^53.
      varint = result % 2 === 0 ? result / 2 : -(result + 1) / 2
      return pos
    }
    factor *= 128
  }
  return -1
}

const fixedSize =
  (size: number): Walker =>
  (buf, pos) =>
    pos + size <= buf.length ? pos + size : -1

const skipVarint: Walker = (buf, pos) => readVarint(buf, pos)

const skipSized: Walker = (buf, pos) => {
  const next = readVarint(buf, pos)
  if (next < 0 || varint < 0 || next + varint > buf.length) return -1
  return next + varint
}

/** Compiles a walker for the writer type; recursive record types are supported. */
export function compileWalker(type: Type): Walker {
  return walkerFor(type, new Map())
}

function walkerFor(type: Type, seen: Map<Type, Walker>): Walker {
  const known = seen.get(type)
  if (known) return known
  let compiled: Walker | undefined
  // Registered before compiling the children so that a recursive reference finds it.
  seen.set(type, (buf, pos) => compiled!(buf, pos))
  compiled = build(type as unknown as AvscType, seen)
  seen.set(type, compiled)
  return compiled
}

/** The avsc internals the walker and the record reader read; avsc's typings do not declare them. */
export interface AvscType {
  readonly typeName: string
  readonly fields?: readonly { readonly name: string; readonly type: Type }[]
  readonly types?: readonly Type[]
  readonly itemsType?: Type
  readonly valuesType?: Type
  readonly symbols?: readonly string[]
  readonly size?: number
  readonly underlyingType?: Type
}

function build(type: AvscType, seen: Map<Type, Walker>): Walker {
  const name = type.typeName
  if (name.startsWith('logical')) return walkerFor(type.underlyingType!, seen)
  if (name.startsWith('union')) return unionWalker(type.types!.map((t) => walkerFor(t, seen)))
  switch (name) {
    case 'null':
      return (_buf, pos) => pos
    case 'boolean':
      return fixedSize(1)
    case 'int':
    case 'long':
      return skipVarint
    case 'float':
      return fixedSize(4)
    case 'double':
      return fixedSize(8)
    case 'bytes':
    case 'string':
      return skipSized
    case 'fixed':
      return fixedSize(type.size!)
    case 'enum':
      return indexWalker(type.symbols!.length)
    case 'record':
    case 'error':
      return recordWalker(type.fields!.map((f) => walkerFor(f.type, seen)))
    case 'array':
      return blockWalker(walkerFor(type.itemsType!, seen), false)
    case 'map':
      return blockWalker(walkerFor(type.valuesType!, seen), true)
  }
  throw new Error(`cannot walk Avro type ${name}`)
}

function indexWalker(count: number): Walker {
  return (buf, pos) => {
    const next = readVarint(buf, pos)
    return next >= 0 && varint >= 0 && varint < count ? next : -1
  }
}

function unionWalker(branches: readonly Walker[]): Walker {
  return (buf, pos) => {
    const next = readVarint(buf, pos)
    if (next < 0) return -1
    const branch = branches[varint]
    return branch === undefined ? -1 : branch(buf, next)
  }
}

function recordWalker(fields: readonly Walker[]): Walker {
  return (buf, pos) => {
    for (let i = 0; i < fields.length && pos >= 0; i++) pos = fields[i]!(buf, pos)
    return pos
  }
}

/** Arrays and maps: blocks of `count` items, ended by a zero count; a negative count carries a byte size. */
function blockWalker(item: Walker, keyed: boolean): Walker {
  return (buf, pos) => {
    let empty = 0
    for (;;) {
      pos = readVarint(buf, pos)
      if (pos < 0) return -1
      let count = varint
      if (count === 0) return pos
      if (count < 0) {
        count = -count
        pos = readVarint(buf, pos)
        if (pos < 0 || varint < 0 || pos + varint > buf.length) return -1
      }
      // Every item that takes bytes takes at least one, so a count above the bytes left is garbage.
      if (count > buf.length - pos + MAX_EMPTY_ITEMS - empty) return -1
      for (let i = 0; i < count; i++) {
        const start = pos
        if (keyed) pos = skipSized(buf, pos)
        if (pos >= 0) pos = item(buf, pos)
        if (pos < 0) return -1
        if (pos === start && ++empty > MAX_EMPTY_ITEMS) return -1
      }
    }
  }
}
