/**
 * A reader of one Avro record type straight into a target object whose keys the caller names (the
 * columns of a table row, say), or into sinks it appends to (the columns of a batch), for data written
 * with exactly that type: no intermediate record object, no resolver, no separate bounds walk. The
 * values, and `AvroReadError` for bytes that are not one, come from `value-readers.ts`.
 */
import type { Buffer } from 'node:buffer'
import type { Type } from 'avsc'
import type { AvscType } from './bounds.ts'
import { makeWith, positionAfterMake, type Read, readerOf, readWith } from './value-readers.ts'

/** Reads a record from `buf` at `pos` into `target`; returns the position after it. */
export type RecordReader = (buf: Buffer, pos: number, target: Record<string, unknown>) => number

/** What a column reader appends each field's value to (a column of a table batch, say). */
export interface ValueSink {
  push(value: unknown): void
}

/** Reads a record from `buf` at `pos`, appending its fields to `sinks`; returns the position after it. */
export type ColumnReader = (buf: Buffer, pos: number, sinks: readonly ValueSink[]) => number

/** The readers of a record type's fields in order; undefined when a field has a type not read here. */
function fieldReaders(type: Type): { names: string[]; readers: Read[] } | undefined {
  const t = type as unknown as AvscType
  if (t.typeName !== 'record' || t.fields === undefined) return undefined
  const readers: Read[] = []
  for (const f of t.fields) {
    const r = readerOf(f.type as unknown as AvscType)
    if (r === undefined) return undefined
    readers.push(r)
  }
  return { names: t.fields.map((f) => f.name), readers }
}

/**
 * `fill(target)` running one statement per field, each with its own store and call site (monomorphic):
 * `statement(i)` is the code for field i, reading it with `r[i]()` into `t`; `slow(target, i, value)`
 * is the same statement for where code cannot be generated.
 */
function compileFill<T>(
  readers: readonly Read[],
  statement: (i: number) => string,
  slow: (target: T, i: number, value: unknown) => void,
): (target: T) => void {
  try {
    const body = readers.map((_, i) => statement(i)).join('\n')
    return new Function('r', `return function fill(t) {\n${body}\n}`)(readers) as (target: T) => void
  } catch {
    return (target) => {
      for (let i = 0; i < readers.length; i++) slow(target, i, readers[i]!())
    }
  }
}

/**
 * A reader of records of `type` into targets keyed by `keyOf(field)` (a field whose key is
 * undefined is read and dropped); undefined when a field has a type this reader does not take.
 */
export function compileRecordReader(
  type: Type,
  keyOf: (field: string) => string | undefined,
): RecordReader | undefined {
  const fields = fieldReaders(type)
  if (fields === undefined) return undefined
  const keys = fields.names.map(keyOf)
  const fill = compileFill<Record<string, unknown>>(
    fields.readers,
    (i) => (keys[i] === undefined ? `r[${i}]();` : `t[${JSON.stringify(keys[i])}] = r[${i}]();`),
    (target, i, value) => {
      if (keys[i] !== undefined) target[keys[i]] = value
    },
  )
  return (b, p, target) => readWith(fill, b, p, target)
}

/** Reads a record from `buf` at `pos` as a new object; the end position is returned beside it. */
export type RecordMaker = (buf: Buffer, pos: number) => Record<string, unknown>

/**
 * A reader of records of `type` that makes each one as a single object literal, every field in it
 * from the start: V8 allocates it once with its final shape, where filling `{}` field by field grows
 * its property store several times (a tenth of the validator's garbage). Undefined when a field has
 * a type not read here or code cannot be generated; the position after the record is
 * `recordEnd()`.
 */
export function compileRecordMaker(type: Type): RecordMaker | undefined {
  const fields = fieldReaders(type)
  if (fields === undefined) return undefined
  try {
    const body = fields.names.map((name, i) => `${JSON.stringify(name)}: r[${i}]()`).join(',\n')
    const make = new Function('r', `return function make() {\nreturn {\n${body}\n}\n}`)(
      fields.readers,
    ) as () => Record<string, unknown>
    return (b, p) => makeWith(make, b, p)
  } catch {
    return undefined
  }
}

/** The position after the record the last `RecordMaker` read. */
export const recordEnd = positionAfterMake

/**
 * A reader of records of `type` appending each field to the sink at `sinkOf(field)` (a field without
 * one is read and dropped): the record's values go where they are kept without an object between.
 * Undefined when a field has a type this reader does not take. A record that fails part way has
 * appended to some sinks only: the caller undoes that.
 */
export function compileColumnReader(
  type: Type,
  sinkOf: (field: string) => number | undefined,
): ColumnReader | undefined {
  const fields = fieldReaders(type)
  if (fields === undefined) return undefined
  const sinks = fields.names.map(sinkOf)
  for (const k of sinks)
    if (k !== undefined && !(Number.isInteger(k) && k >= 0)) throw new TypeError(`not a sink index: ${k}`)
  const fill = compileFill<readonly ValueSink[]>(
    fields.readers,
    (i) => (sinks[i] === undefined ? `r[${i}]();` : `t[${sinks[i]}].push(r[${i}]());`),
    (target, i, value) => {
      if (sinks[i] !== undefined) target[sinks[i]]!.push(value)
    },
  )
  return (b, p, target) => readWith(fill, b, p, target)
}
