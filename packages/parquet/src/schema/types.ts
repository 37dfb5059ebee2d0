/**
 * The schema a file is written for: fields with permanent ids (written as Parquet `field_id`s, so
 * readers match columns by id, not by name), in Iceberg's type vocabulary. An Iceberg schema is one of
 * these as it is (its extra properties are ignored); nothing here depends on Iceberg itself.
 */

/** Primitive types by their Iceberg name: `decimal(P,S)` and `fixed[L]` written without spaces. */
export type PrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'timestamp_ns'
  | 'timestamptz_ns'
  | 'string'
  | 'uuid'
  | 'binary'
  | `fixed[${number}]`
  | `decimal(${number},${number})`

/** A struct: an ordered list of fields. */
export interface StructType {
  readonly type: 'struct'
  readonly fields: readonly Field[]
}

/** A list whose element has its own field id. */
export interface ListType {
  readonly type: 'list'
  readonly elementId: number
  readonly element: FieldType
  readonly elementRequired: boolean
}

/** A map whose key and value have their own field ids. */
export interface MapType {
  readonly type: 'map'
  readonly keyId: number
  readonly key: FieldType
  readonly valueId: number
  readonly value: FieldType
  readonly valueRequired: boolean
}

/** Any type a field can have. */
export type FieldType = PrimitiveType | StructType | ListType | MapType

/** A named field with its permanent id. */
export interface Field {
  readonly id: number
  readonly name: string
  readonly type: FieldType
  readonly required: boolean
}

/** The top-level fields of a file: one column (or group of columns) each. */
export interface Schema {
  readonly fields: readonly Field[]
}

/**
 * A value of a primitive type: int/date → number; long/time/timestamp* → bigint (numbers accepted on
 * input); float/double → number; string → string; uuid → string (or its 16 bytes); binary/fixed →
 * Uint8Array; decimal → bigint unscaled value.
 */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array
