/**
 * What the serde needs from a schema registry. The HTTP client and the in-memory registry used by
 * unit tests both implement it, so the core never depends on the network.
 */

/** Compatibility levels of the Confluent API. */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'

/** A schema as stored under an id. Ids are immutable, so this can be cached forever. */
export interface RegisteredSchema {
  readonly id: number
  /** The schema as JSON text, exactly as the registry returns it. */
  readonly schema: string
}

/** One version of a subject. */
export interface SubjectVersion extends RegisteredSchema {
  readonly subject: string
  readonly version: number
}

/** Schema text or an already parsed Avro schema object. */
export type SchemaInput = string | object

/** The part of a registry that serializers and deserializers use. */
export interface SchemaRegistry {
  /** Throws `SCHEMA_NOT_FOUND` when no schema has this id. */
  getSchemaById(id: number): Promise<RegisteredSchema>
  /** Registers (or finds) the schema under the subject; returns its global id. */
  register(subject: string, schema: SchemaInput): Promise<number>
  /** Sets the subject's compatibility rule, checked on every later `register`. */
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>
}

/** The admin operations on top of {@link SchemaRegistry}. */
export interface SchemaRegistryAdmin extends SchemaRegistry {
  /** Version numbers of the subject, ascending. Throws `SUBJECT_NOT_FOUND`. */
  getSubjectVersions(subject: string): Promise<number[]>
  /** A version of the subject (`'latest'` by default). Throws `SUBJECT_NOT_FOUND`. */
  getSubjectVersion(subject: string, version?: number | 'latest'): Promise<SubjectVersion>
  /** Whether the schema could be registered under the subject now (against its latest version). */
  checkCompatibility(subject: string, schema: SchemaInput): Promise<boolean>
}

/** Schema text for the wire: objects are serialized once, strings pass through. */
export function schemaText(schema: SchemaInput): string {
  return typeof schema === 'string' ? schema : JSON.stringify(schema)
}
