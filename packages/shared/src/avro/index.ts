/** Schema registry client, Confluent wire format and Avro serde with schema evolution. */
export { compileWalker, type Walker } from './bounds.ts'
export { canRead, isCompatible, parseSchema } from './compatibility.ts'
export {
  AvroDeserializer,
  type AvroDeserializerOptions,
  type DecodeFailureReason,
  type DecodeResult,
  type Written,
} from './deserializer.ts'
export { isRegistryError, RegistryError, RegistryErrorCode, type RegistryErrorOptions } from './errors.ts'
export {
  type HealthDataBatch,
  type HealthSample,
  healthDataBatchV1,
  healthDataBatchV2,
  type Platform,
} from './health-data-batch.ts'
export { HttpSchemaRegistry } from './http-registry.ts'
export type { HttpTransportOptions, RegistryAuth } from './http-transport.ts'
export {
  type ColumnReader,
  compileColumnReader,
  compileRecordReader,
  type RecordReader,
  type ValueSink,
} from './record-reader.ts'
export {
  type CompatibilityLevel,
  type RegisteredSchema,
  type SchemaInput,
  type SchemaRegistry,
  type SchemaRegistryAdmin,
  type SubjectVersion,
  schemaText,
} from './registry.ts'
export { AvroSerializer, type AvroSerializerOptions } from './serializer.ts'
export { AvroReadError } from './value-readers.ts'
export {
  encode,
  HEADER_SIZE,
  type HeaderProblem,
  MAGIC_BYTE,
  type ParsedHeader,
  parseHeader,
  writeHeader,
} from './wire-format.ts'
