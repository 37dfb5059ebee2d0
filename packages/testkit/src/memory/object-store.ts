/** Object storage in memory (write-once, like the real stores), for tests of the pure core. */
import { type ObjectInfo, type ObjectStore, objectExists, objectNotFound } from '@healthstream/iceberg'

/** An in-memory `ObjectStore`. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { bytes: Uint8Array; at: number }>()
  now: () => number = Date.now

  async put(location: string, bytes: Uint8Array): Promise<void> {
    if (this.objects.has(location)) throw objectExists(location)
    this.objects.set(location, { bytes: Uint8Array.from(bytes), at: this.now() })
  }

  async get(location: string): Promise<Uint8Array> {
    const o = this.objects.get(location)
    if (!o) throw objectNotFound(location)
    return o.bytes
  }

  async exists(location: string): Promise<boolean> {
    return this.objects.has(location)
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([location, o]) => ({ location, size: o.bytes.length, lastModifiedMs: o.at }))
  }

  async delete(location: string): Promise<void> {
    this.objects.delete(location)
  }
}
