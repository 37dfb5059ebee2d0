/**
 * The storage port. Locations are the URIs written into metadata (`file:///abs/path`,
 * `s3://bucket/key`). Objects are write-once: every file the library writes gets a unique name, so
 * `put` refuses to replace an existing object instead of silently overwriting it.
 */
import { IcebergError } from '../errors.ts'

/** One stored object. */
export interface ObjectInfo {
  readonly location: string
  readonly size: number
  readonly lastModifiedMs: number
}

/** Where table files live. */
export interface ObjectStore {
  /** Stores a new object; fails with `OBJECT_EXISTS` if the location is taken. */
  put(location: string, bytes: Uint8Array): Promise<void>
  /** Reads a whole object; fails with `OBJECT_NOT_FOUND`. */
  get(location: string): Promise<Uint8Array>
  exists(location: string): Promise<boolean>
  /** Every object whose location starts with `prefix`. */
  list(prefix: string): Promise<ObjectInfo[]>
  /** Deletes an object; deleting a missing object is not an error (cleanup may run twice). */
  delete(location: string): Promise<void>
}

/** The error `put` throws for a taken location. */
export function objectExists(location: string, cause?: unknown): IcebergError {
  return new IcebergError('OBJECT_EXISTS', `object ${location} already exists (objects are write-once)`, {
    cause,
  })
}

/** The error `get` throws for a missing object. */
export function objectNotFound(location: string, cause?: unknown): IcebergError {
  return new IcebergError('OBJECT_NOT_FOUND', `object ${location} does not exist`, { cause })
}

/** Joins a base location and relative parts with single slashes. */
export function joinLocation(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))]
    .filter((p) => p !== '')
    .join('/')
}
