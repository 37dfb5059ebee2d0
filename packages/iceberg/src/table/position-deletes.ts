/**
 * Position delete files (spec "Position Delete Files"): Parquet files of `file_path` (field id
 * 2147483546) and `pos` (2147483545) rows, sorted by path then position, each marking one row of a
 * data file as deleted. This library writes one delete file per data file, with
 * `referenced_data_file` set, so a rewrite of that data file can drop its delete file too.
 */
import { readParquet, writeParquet } from '@healthstream/parquet'
import { IcebergError } from '../errors.ts'
import type { ObjectStore } from '../io/object-store.ts'
import { joinLocation } from '../io/object-store.ts'
import type { DataFile } from '../manifest/types.ts'
import type { Schema, TableMetadata } from '../spec/types.ts'
import { dataLocation } from './locations.ts'
import { dataFileOptions } from './parquet-options.ts'
import { writtenFileFacts } from './written-file.ts'

/** Reserved field id of a position delete file's `file_path` column. */
export const DELETE_FILE_PATH_ID = 2147483546
/** Reserved field id of a position delete file's `pos` column. */
export const DELETE_POS_ID = 2147483545

/** The schema of position delete files (without the optional `row` column). */
export const POSITION_DELETE_SCHEMA: Schema = {
  schemaId: 0,
  fields: [
    { id: DELETE_FILE_PATH_ID, name: 'file_path', type: 'string', required: true },
    { id: DELETE_POS_ID, name: 'pos', type: 'long', required: true },
  ],
}

/** Sorted, distinct positions (the order the spec requires within one data file). */
export function sortedPositions(positions: Iterable<number>): number[] {
  return [...new Set(positions)].sort((a, b) => a - b)
}

/** Where a delete file for `data` goes: beside its data file's partition, named `<uuid>-deletes.parquet`. */
function deleteFileLocation(m: TableMetadata, data: DataFile): string {
  const base = dataLocation(m)
  const name = `${crypto.randomUUID()}-deletes.parquet`
  const dir = data.filePath.startsWith(`${base}/`)
    ? data.filePath.slice(0, data.filePath.lastIndexOf('/'))
    : base
  return joinLocation(dir, name)
}

/**
 * Encodes the deletes of rows `positions` of `data` as a position delete file (bytes and its
 * manifest description). Bounds of `file_path` are kept whole: readers match them against paths.
 */
export function encodePositionDeletes(
  m: TableMetadata,
  data: DataFile,
  positions: Iterable<number>,
): { location: string; bytes: Uint8Array; file: DataFile } {
  const sorted = sortedPositions(positions)
  if (sorted.length === 0)
    throw new IcebergError('INVALID_ARGUMENT', `no positions to delete in ${data.filePath}`)
  if (sorted[0]! < 0 || sorted[sorted.length - 1]! >= data.recordCount)
    throw new IcebergError(
      'INVALID_ARGUMENT',
      `position out of range 0..${data.recordCount - 1} in ${data.filePath}`,
    )
  const rows = sorted.map((pos) => ({ file_path: data.filePath, pos: BigInt(pos) }))
  const written = writeParquet(POSITION_DELETE_SCHEMA, rows, dataFileOptions(POSITION_DELETE_SCHEMA))
  const location = deleteFileLocation(m, data)
  return {
    location,
    bytes: written.bytes,
    file: {
      content: 1,
      filePath: location,
      fileFormat: 'PARQUET',
      specId: data.specId,
      partition: data.partition,
      // file_path bounds uncut: readers match them against the data file's path
      ...writtenFileFacts(written, Number.MAX_SAFE_INTEGER),
      referencedDataFile: data.filePath,
    },
  }
}

/** Writes a position delete file for rows `positions` of `data`; returns its description. */
export async function writePositionDeletes(
  store: ObjectStore,
  m: TableMetadata,
  data: DataFile,
  positions: Iterable<number>,
): Promise<DataFile> {
  const { location, bytes, file } = encodePositionDeletes(m, data, positions)
  await store.put(location, bytes)
  return file
}

/** Reads a position delete file: deleted positions by data file path. */
export async function readPositionDeletes(bytes: Uint8Array): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>()
  for (const row of await readParquet(bytes, POSITION_DELETE_SCHEMA)) {
    const path = row.file_path as string
    const set = out.get(path) ?? new Set<number>()
    if (set.size === 0) out.set(path, set)
    set.add(Number(row.pos as bigint))
  }
  return out
}
