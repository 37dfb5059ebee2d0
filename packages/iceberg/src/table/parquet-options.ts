/**
 * What a data file's footer carries besides the rows: the table schema as JSON under `iceberg.schema`,
 * as Iceberg's own Parquet writer puts it there, and this library as the `created_by`.
 */
import type { ParquetWriteOptions } from '@healthstream/parquet'
import { CREATED_BY } from '../created-by.ts'
import { stringifyJson } from '../json/lossless.ts'
import { schemaToJson } from '../spec/schema.ts'
import type { Schema } from '../spec/types.ts'

/** `options` plus the footer entries of a data file of `schema`. */
export function dataFileOptions(schema: Schema, options: ParquetWriteOptions = {}): ParquetWriteOptions {
  return {
    ...options,
    keyValueMetadata: [
      { key: 'iceberg.schema', value: stringifyJson(schemaToJson(schema)) },
      ...(options.keyValueMetadata ?? []),
    ],
    createdBy: options.createdBy ?? CREATED_BY,
  }
}
