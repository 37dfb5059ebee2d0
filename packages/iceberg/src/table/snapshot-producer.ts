/**
 * Producing a snapshot from a change (files added, files removed) on top of base metadata: writes
 * the new manifest(s), rewrites manifests that lose files, writes the manifest list, and returns
 * the REST updates and requirements that commit it. Pure apart from the writes to the store.
 */
import { CommitConflictError } from '../errors.ts'
import type { ObjectStore } from '../io/object-store.ts'
import { writeManifest } from '../manifest/manifest.ts'
import { summarizePartitions, writeManifestList } from '../manifest/manifest-list.ts'
import { type DataFile, ENTRY_STATUS, type ManifestEntry, type ManifestFile } from '../manifest/types.ts'
import { bindPartitionSpec } from '../spec/partition.ts'
import type { Snapshot, TableMetadata } from '../spec/types.ts'
import type { TableRequirement, TableUpdate } from '../spec/updates.ts'
import { assertNoDeletesLost, assertNoDeletesSince, assertReferencedLive } from './fences.ts'
import { newManifestListLocation, newManifestLocation, newSnapshotId } from './locations.ts'
import { currentSnapshot, type LoadedManifest, loadManifests } from './scan.ts'
import type { SnapshotChange } from './snapshot-change.ts'
import { buildSummary } from './summary.ts'
import { currentSchema } from './write.ts'

/** A snapshot ready to commit. */
export interface ProducedSnapshot {
  readonly snapshot: Snapshot
  readonly updates: TableUpdate[]
  readonly requirements: TableRequirement[]
  /** Manifests and manifest list written for it (to delete if the commit fails for good). */
  readonly written: string[]
}

interface Ctx {
  readonly store: ObjectStore
  readonly m: TableMetadata
  readonly snapshotId: bigint
  readonly seq: number
  readonly commitId: string
  readonly written: string[]
}

async function writeManifestFile(
  ctx: Ctx,
  specId: number,
  entries: readonly ManifestEntry[],
  content: 0 | 1 = 0,
): Promise<ManifestFile> {
  const schema = currentSchema(ctx.m)
  const spec = ctx.m.partitionSpecs.find((s) => s.specId === specId) ?? { specId, fields: [] }
  const bound = bindPartitionSpec(spec, schema)
  const path = newManifestLocation(ctx.m, ctx.commitId, ctx.written.length)
  const bytes = writeManifest({ schema, specId, bound, content: content === 1 ? 'deletes' : 'data' }, entries)
  await ctx.store.put(path, bytes)
  ctx.written.push(path)
  const count = (s: number): ManifestEntry[] => entries.filter((e) => e.status === s)
  const rows = (es: ManifestEntry[]): number => es.reduce((n, e) => n + e.dataFile.recordCount, 0)
  const [added, existing, deleted] = [
    count(ENTRY_STATUS.ADDED),
    count(ENTRY_STATUS.EXISTING),
    count(ENTRY_STATUS.DELETED),
  ]
  const liveSeqs = [...added.map(() => ctx.seq), ...existing.map((e) => e.sequenceNumber ?? ctx.seq)]
  return {
    manifestPath: path,
    manifestLength: bytes.length,
    partitionSpecId: specId,
    content,
    sequenceNumber: ctx.seq,
    minSequenceNumber: liveSeqs.length > 0 ? Math.min(...liveSeqs) : ctx.seq,
    addedSnapshotId: ctx.snapshotId,
    addedFilesCount: added.length,
    existingFilesCount: existing.length,
    deletedFilesCount: deleted.length,
    addedRowsCount: rows(added),
    existingRowsCount: rows(existing),
    deletedRowsCount: rows(deleted),
    partitions: summarizePartitions(
      bound,
      entries.map((e) => e.dataFile.partition),
    ),
  }
}

/**
 * New manifests (one per spec) for the added files, data (content 0) or position deletes (content 1);
 * sequence numbers are left to inheritance.
 */
async function addedManifests(
  ctx: Ctx,
  added: readonly DataFile[],
  content: 0 | 1 = 0,
): Promise<ManifestFile[]> {
  const bySpec = new Map<number, ManifestEntry[]>()
  for (const f of added) {
    const entry = {
      status: ENTRY_STATUS.ADDED,
      snapshotId: ctx.snapshotId,
      sequenceNumber: null,
      fileSequenceNumber: null,
      dataFile: f,
    }
    bySpec.set(f.specId, [...(bySpec.get(f.specId) ?? []), entry])
  }
  const out: ManifestFile[] = []
  for (const [specId, entries] of bySpec) out.push(await writeManifestFile(ctx, specId, entries, content))
  return out
}

/**
 * Keeps untouched manifests; rewrites those holding removed files (removed → DELETED, rest → EXISTING).
 * A removed data file takes the position delete files that reference it along (`removedDeletes`):
 * they could only apply to it, and left live they would outlive it for nothing.
 */
async function carriedManifests(
  ctx: Ctx,
  parents: readonly LoadedManifest[],
  deleted: ReadonlySet<string>,
  removed: DataFile[],
  removedDeletes: DataFile[],
): Promise<ManifestFile[]> {
  const out: ManifestFile[] = []
  const untouched: LoadedManifest[] = []
  const goes = (content: number, f: DataFile): boolean =>
    content === 0
      ? deleted.has(f.filePath)
      : f.referencedDataFile !== undefined && deleted.has(f.referencedDataFile)
  for (const { file, entries } of parents) {
    const live = entries.filter((e) => e.status !== ENTRY_STATUS.DELETED)
    if (!live.some((e) => goes(file.content, e.dataFile))) {
      untouched.push({ file, entries })
      continue
    }
    const rewritten = live.map((e): ManifestEntry => {
      const gone = goes(file.content, e.dataFile)
      if (gone) (file.content === 0 ? removed : removedDeletes).push(e.dataFile)
      return {
        ...e,
        status: gone ? ENTRY_STATUS.DELETED : ENTRY_STATUS.EXISTING,
        snapshotId: gone ? ctx.snapshotId : e.snapshotId,
      }
    })
    const kept = await writeManifestFile(ctx, file.partitionSpecId, rewritten, file.content)
    if (kept.existingFilesCount + kept.deletedFilesCount > 0) out.push(kept)
  }
  return [...out, ...(await mergeManifests(ctx, untouched))]
}

/**
 * Merges untouched data manifests of a spec into one once there are `commit.manifest.min-count-to-merge`
 * (100) of them, as the reference implementation does, so frequent small appends do not pile up
 * manifests that every scan must open. Live entries become EXISTING; old DELETED entries are dropped.
 */
async function mergeManifests(ctx: Ctx, manifests: readonly LoadedManifest[]): Promise<ManifestFile[]> {
  const props = ctx.m.properties
  const min = Number(props['commit.manifest.min-count-to-merge'] ?? 100)
  const bySpec = new Map<number, LoadedManifest[]>()
  const out: ManifestFile[] = []
  for (const m of manifests) {
    if (m.file.content !== 0 || props['commit.manifest-merge.enabled'] === 'false') out.push(m.file)
    else bySpec.set(m.file.partitionSpecId, [...(bySpec.get(m.file.partitionSpecId) ?? []), m])
  }
  for (const [specId, group] of bySpec) {
    if (group.length < min) {
      out.push(...group.map((m) => m.file))
      continue
    }
    const entries = group.flatMap((m) =>
      m.entries
        .filter((e) => e.status !== ENTRY_STATUS.DELETED)
        .map((e) => ({ ...e, status: ENTRY_STATUS.EXISTING })),
    )
    if (entries.length > 0) out.push(await writeManifestFile(ctx, specId, entries))
  }
  return out
}

/** Writes the files of a new snapshot for `change` on top of `base` and returns what commits it. */
export async function produceSnapshot(
  store: ObjectStore,
  base: TableMetadata,
  change: SnapshotChange,
  attempt = 1,
): Promise<ProducedSnapshot> {
  const parent = currentSnapshot(base)
  const ctx: Ctx = {
    store,
    m: base,
    snapshotId: newSnapshotId(base),
    seq: base.lastSequenceNumber + 1,
    commitId: crypto.randomUUID(),
    written: [],
  }
  const parents = parent ? await loadManifests(store, base, parent) : []
  const deleted = new Set(change.deleted ?? [])
  assertReferencedLive(parents, deleted, change.addedDeletes ?? [])
  if (change.deletesApplied !== true) assertNoDeletesLost(parents, deleted)
  else if (change.readAt !== undefined && change.readAt !== parent?.snapshotId) {
    // An expired read snapshot tells nothing: every delete on the removed files counts as newer
    const seq = base.snapshots.find((x) => x.snapshotId === change.readAt)?.sequenceNumber
    assertNoDeletesSince(parents, deleted, seq)
  }
  const removed: DataFile[] = []
  const removedDeletes: DataFile[] = []
  const manifests = [
    ...(await addedManifests(ctx, change.added)),
    ...(await addedManifests(ctx, change.addedDeletes ?? [], 1)),
    ...(await carriedManifests(ctx, parents, deleted, removed, removedDeletes)),
  ]
  if (removed.length !== deleted.size) {
    const found = new Set(removed.map((f) => f.filePath))
    const missing = [...deleted].filter((p) => !found.has(p))
    throw new CommitConflictError(
      `files to remove are no longer in the table: ${missing.slice(0, 3).join(', ')}; re-read and rewrite`,
    )
  }
  const manifestList = newManifestListLocation(base, ctx.snapshotId, attempt, ctx.commitId)
  const listContext = {
    snapshotId: ctx.snapshotId,
    sequenceNumber: ctx.seq,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
  }
  await store.put(manifestList, writeManifestList(listContext, manifests))
  ctx.written.push(manifestList)
  const snapshot: Snapshot = {
    ...listContext,
    timestampMs: Math.max(Date.now(), base.lastUpdatedMs),
    manifestList,
    summary: buildSummary(change, { removed, removedDeletes }, manifests, parent),
    schemaId: base.currentSchemaId,
  }
  return {
    snapshot,
    written: ctx.written,
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: snapshot.snapshotId, type: 'branch' },
      ...(change.properties === undefined || Object.keys(change.properties).length === 0
        ? []
        : [{ action: 'set-properties' as const, updates: change.properties }]),
    ],
    requirements: [
      { type: 'assert-table-uuid', uuid: base.tableUuid },
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: parent?.snapshotId ?? null },
    ],
  }
}
