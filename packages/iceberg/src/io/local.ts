/**
 * A local-directory object store. Metadata holds `file:///abs/path` URIs (what pyiceberg, DuckDB
 * and Spark expect); plain absolute paths are accepted too. A put writes a temporary file and
 * hard-links it into place, so readers never see a partial file and an existing file is never
 * replaced.
 */
import { randomUUID } from 'node:crypto'
import { link, mkdir, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { IcebergError } from '../errors.ts'
import { type ObjectInfo, type ObjectStore, objectExists, objectNotFound } from './object-store.ts'

/** The filesystem path of a `file:` URI or absolute path. */
export function localPath(location: string): string {
  if (location.startsWith('file:')) return fileURLToPath(location)
  if (location.startsWith('/')) return location
  throw new IcebergError('INVALID_ARGUMENT', `not a local location: ${location}`)
}

/** The `file:///…` URI of an absolute path (no trailing slash). */
export function fileUri(path: string): string {
  return pathToFileURL(path).href.replace(/\/+$/, '')
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code

/** Stores objects as files; location URIs map to absolute paths. */
export class LocalObjectStore implements ObjectStore {
  async put(location: string, bytes: Uint8Array): Promise<void> {
    const path = localPath(location)
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.${randomUUID()}.tmp`
    await writeFile(tmp, bytes, { flag: 'wx' })
    try {
      await link(tmp, path)
    } catch (err) {
      if (code(err) === 'EEXIST') throw objectExists(location, err)
      throw new IcebergError('STORAGE_ERROR', `cannot write ${location}`, { cause: err, canRetry: true })
    } finally {
      await unlink(tmp).catch(() => undefined)
    }
  }

  async get(location: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(localPath(location)))
    } catch (err) {
      if (code(err) === 'ENOENT') throw objectNotFound(location, err)
      throw new IcebergError('STORAGE_ERROR', `cannot read ${location}`, { cause: err, canRetry: true })
    }
  }

  async exists(location: string): Promise<boolean> {
    return stat(localPath(location)).then(
      () => true,
      () => false,
    )
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const base = localPath(prefix)
    // Walk from the directory part of the prefix; a prefix may end mid-name (`metadata/snap-`).
    const root = base.endsWith('/') ? base : dirname(base)
    const out: ObjectInfo[] = []
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      for (const e of entries) {
        const full = join(dir, e.name)
        if (e.isDirectory()) await walk(full)
        else if (e.isFile() && full.startsWith(base) && !e.name.endsWith('.tmp')) {
          const s = await stat(full)
          out.push({
            location: prefix.startsWith('file:') ? fileUri(full) : full,
            size: s.size,
            lastModifiedMs: s.mtimeMs,
          })
        }
      }
    }
    await walk(root)
    return out
  }

  async delete(location: string): Promise<void> {
    await rm(localPath(location), { force: true })
  }
}
