/**
 * Extras: fields that a newer upstream writer schema (a `HealthDataBatch` v3, …) has and our v2
 * reader schema lacks. Ingest keeps them instead of dropping them, as a JSON map on every sample
 * (`HealthSample.extras`, `ValidatedSample.extras`), each value with the kind of its Avro type, so the
 * lake-writer can give it a typed column without a deploy. Pure: schemas are Avro JSON, values as avsc
 * decodes them.
 *
 * Wire form (the `extras` field of `health-data-samples` and `health-data-validated`, a string):
 * `{"deviceModel":{"type":"string","value":"Pixel 9"},"tags":{"type":"array<string>","value":["a"]}}`,
 * keyed by the upstream field name; null when the sample has none.
 */
import { Buffer } from 'node:buffer'

/** What an extra's values are, from its Avro type; each kind has one lake column type. */
export type ExtraType = 'string' | 'long' | 'double' | 'boolean' | 'array<string>' | 'json'

export const EXTRA_TYPES: readonly ExtraType[] = [
  'string',
  'long',
  'double',
  'boolean',
  'array<string>',
  'json',
]

/** One extra of one sample: its kind and its value (null when the writer sent none). */
export interface ExtraValue {
  readonly type: ExtraType
  readonly value: unknown
}

/** A sample's extras by upstream field name. */
export type Extras = Readonly<Record<string, ExtraValue>>

/** A field of the writer schema that the reader schema lacks. */
export interface ExtraField {
  readonly name: string
  readonly type: ExtraType
}

/** The extras of one writer schema: batch-level fields and per-sample fields; or why it has none usable. */
export type ExtrasPlan =
  | { readonly ok: true; readonly batch: readonly ExtraField[]; readonly sample: readonly ExtraField[] }
  | { readonly ok: false; readonly detail: string }

type AvroJson = string | { type: unknown; [k: string]: unknown } | unknown[]

const PRIMITIVE: Readonly<Record<string, ExtraType>> = {
  string: 'string',
  int: 'long',
  long: 'long',
  float: 'double',
  double: 'double',
  boolean: 'boolean',
}

/**
 * The kind of values of an Avro type: int/long → long, float/double → double (so an Avro promotion
 * never changes a column), string and enum → string, an array of strings → array<string>, an optional
 * `[null, T]` → the kind of T; anything else (records, maps, other arrays, wider unions, bytes, fixed)
 * → json: kept as a JSON document in a string column.
 */
export function extraTypeOf(type: unknown): ExtraType {
  if (typeof type === 'string') return PRIMITIVE[type] ?? 'json'
  if (Array.isArray(type)) {
    const others = type.filter((t) => t !== 'null')
    return others.length === 1 && others.length < type.length ? extraTypeOf(others[0]) : 'json'
  }
  if (typeof type !== 'object' || type === null) return 'json'
  const t = type as { type: unknown; items?: unknown; logicalType?: unknown }
  if (t.type === 'enum') return 'string'
  if (t.type === 'array') {
    const items = extraTypeOf(t.items)
    return items === 'string' && !Array.isArray(t.items) ? 'array<string>' : 'json'
  }
  if (typeof t.type === 'string' && t.type in PRIMITIVE) return PRIMITIVE[t.type]!
  return 'json'
}

interface RecordJson {
  fields: { name: string; type: AvroJson }[]
}

const fieldsOf = (record: unknown): RecordJson['fields'] => (record as RecordJson).fields ?? []

/** The record type of the `samples` array's items (`{type: array, items: record}`). */
function sampleRecord(batch: unknown): unknown {
  const samples = fieldsOf(batch).find((f) => f.name === 'samples')
  const type = samples?.type as { items?: unknown } | undefined
  return type?.items
}

function extraFields(writer: unknown, reader: unknown): ExtraField[] {
  const known = new Set(fieldsOf(reader).map((f) => f.name))
  return fieldsOf(writer)
    .filter((f) => !known.has(f.name))
    .map((f) => ({ name: f.name, type: extraTypeOf(f.type) }))
}

/**
 * The extras of a writer schema of `health-data-raw` against the reader schema: its batch fields and
 * its sample fields the reader lacks. A name both at batch and at sample level cannot be told apart
 * on a sample: not ok (its batches become `SCHEMA_CONFLICT` dead letters rather than lose a value).
 */
export function extrasPlan(writer: object, reader: object): ExtrasPlan {
  const batch = extraFields(writer, reader)
  const sample = extraFields(sampleRecord(writer), sampleRecord(reader))
  const both = batch.filter((b) => sample.some((s) => s.name === b.name)).map((b) => b.name)
  if (both.length > 0)
    return { ok: false, detail: `extra field ${both.join(', ')} is both a batch and a sample field` }
  return { ok: true, batch, sample }
}

/** Whether a plan carries anything (a v1 writer, or v2 itself, has no extras). */
export const hasExtras = (plan: ExtrasPlan): boolean =>
  !plan.ok || plan.batch.length > 0 || plan.sample.length > 0

/** A value as the JSON of its kind: non-finite doubles as strings, bytes as base64, longs as numbers. */
function jsonValue(type: ExtraType, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (type === 'double' && typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (type === 'json') return JSON.parse(JSON.stringify(value, bytesAsBase64))
  return value
}

function bytesAsBase64(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key]
  return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value
}

function pick(
  fields: readonly ExtraField[],
  record: Record<string, unknown>,
  out: Record<string, ExtraValue>,
) {
  for (const f of fields) out[f.name] = { type: f.type, value: jsonValue(f.type, record[f.name]) }
}

/**
 * Each sample's extras as the wire string (null when the plan has none), from the batch as the
 * writer wrote it (decoded with the writer schema itself, not resolved).
 */
export function sampleExtras(plan: ExtrasPlan & { ok: true }, written: unknown): (string | null)[] {
  const batch = written as Record<string, unknown> & { samples?: Record<string, unknown>[] }
  const samples = batch.samples ?? []
  if (plan.batch.length === 0 && plan.sample.length === 0) return samples.map(() => null)
  const shared: Record<string, ExtraValue> = {}
  pick(plan.batch, batch, shared)
  return samples.map((sample) => {
    const out = { ...shared }
    pick(plan.sample, sample, out)
    return JSON.stringify(out)
  })
}

/** Reads the wire string of a sample's extras; not ok when it is not one (a foreign producer). */
export function parseExtras(text: string): { ok: true; extras: Extras } | { ok: false; detail: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { ok: false, detail: `extras are not JSON: ${(error as Error).message}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, detail: 'extras are not a JSON object' }
  for (const [name, v] of Object.entries(parsed)) {
    const type = (v as { type?: unknown } | null)?.type
    if (!EXTRA_TYPES.includes(type as ExtraType))
      return { ok: false, detail: `extra ${name} has no known type (${JSON.stringify(type)})` }
  }
  return { ok: true, extras: parsed as Extras }
}
