/**
 * The commit loop: produce a snapshot on the latest metadata, commit it with the REST
 * requirements, and on a conflict re-load and produce again. Files of a failed attempt are deleted
 * only when the catalog said "conflict" (the commit surely did not land).
 */
import type { Catalog, LoadedTable } from '../catalog/catalog.ts'
import { CommitConflictError, isIcebergError } from '../errors.ts'
import type { ObjectStore } from '../io/object-store.ts'
import type { TableMetadata } from '../spec/types.ts'
import type { TableRequirement, TableUpdate } from '../spec/updates.ts'
import type { SnapshotChange } from './snapshot-change.ts'
import { produceSnapshot } from './snapshot-producer.ts'

/** What the commit loop works with. */
export interface TableContext {
  readonly catalog: Catalog
  readonly store: ObjectStore
  readonly loaded: LoadedTable
}

/** Options of commits that retry. */
export interface RetryOptions {
  /** Attempts after the first when another writer committed in between (default 4). */
  readonly retries?: number
}

async function removeQuietly(store: ObjectStore, locations: readonly string[]): Promise<void> {
  await Promise.all(locations.map((l) => store.delete(l).catch(() => undefined)))
}

/**
 * Commits a snapshot change, re-applying it on conflict. `change` may be a function of the latest
 * metadata, for changes that must be recomputed (it can throw to give up).
 */
export async function commitSnapshot(
  ctx: TableContext,
  change: SnapshotChange | ((m: TableMetadata) => SnapshotChange | Promise<SnapshotChange>),
  options: RetryOptions = {},
): Promise<LoadedTable> {
  const retries = options.retries ?? 4
  let loaded = ctx.loaded
  for (let attempt = 1; ; attempt++) {
    let produced: Awaited<ReturnType<typeof produceSnapshot>>
    try {
      const c = typeof change === 'function' ? await change(loaded.metadata) : change
      produced = await produceSnapshot(ctx.store, loaded.metadata, c, attempt)
    } catch (err) {
      // The base is stale: another engine expired its manifests or rewrote its files
      if (!baseMoved(err) || attempt > retries) throw err
      loaded = await ctx.catalog.loadTable(loaded.identifier)
      continue
    }
    try {
      return await ctx.catalog.commit(loaded.identifier, produced.requirements, produced.updates)
    } catch (err) {
      if (!(err instanceof CommitConflictError)) throw err
      await removeQuietly(ctx.store, produced.written)
      if (attempt > retries) throw err
      loaded = await ctx.catalog.loadTable(loaded.identifier)
    }
  }
}

/**
 * True when building a change on the base failed because the table moved on since it was read: a
 * manifest or data file it names is gone (snapshot expiry, compaction, orphan removal by any engine),
 * or a file the change removes is no longer live. Re-loading the table and building again is safe:
 * nothing was committed.
 */
function baseMoved(err: unknown): boolean {
  return err instanceof CommitConflictError || isIcebergError(err, 'OBJECT_NOT_FOUND')
}

/**
 * Commits metadata-only updates computed from the latest metadata (schema, properties, expiry),
 * retrying on conflict.
 */
export async function commitUpdates(
  ctx: TableContext,
  build: (m: TableMetadata) => { requirements: TableRequirement[]; updates: TableUpdate[] },
  options: RetryOptions = {},
): Promise<LoadedTable> {
  const retries = options.retries ?? 4
  let loaded = ctx.loaded
  for (let attempt = 1; ; attempt++) {
    const { requirements, updates } = build(loaded.metadata)
    if (updates.length === 0) return loaded
    try {
      return await ctx.catalog.commit(loaded.identifier, requirements, updates)
    } catch (err) {
      if (!isIcebergError(err, 'COMMIT_CONFLICT') || attempt > retries) throw err
      loaded = await ctx.catalog.loadTable(loaded.identifier)
    }
  }
}
