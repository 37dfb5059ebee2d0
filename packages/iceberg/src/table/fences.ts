/**
 * Checks a snapshot change must pass against its base so position deletes are never lost: deletes
 * must name live data files, and a data file with deletes is removed only by a writer that read it
 * with those deletes applied. Pure: they work on manifests already read.
 */
import { CommitConflictError, IcebergError } from '../errors.ts'
import { type DataFile, ENTRY_STATUS, type ManifestEntry } from '../manifest/types.ts'
import { DeleteIndex } from './delete-index.ts'
import type { LoadedManifest } from './scan.ts'

function live(parents: readonly LoadedManifest[], content: 0 | 1): ManifestEntry[] {
  return parents
    .filter((p) => p.file.content === content)
    .flatMap((p) => p.entries.filter((e) => e.status !== ENTRY_STATUS.DELETED))
}

/**
 * The row-delta fence: every data file the added position deletes reference must be live in the
 * base and stay so in this snapshot. Another writer may have rewritten it (copy-on-write, compaction)
 * since the deletes were planned; its rows then live on in the new file, so the deletes must be
 * planned again on the new base rather than committed against a file no reader looks at.
 */
export function assertReferencedLive(
  parents: readonly LoadedManifest[],
  deleted: ReadonlySet<string>,
  deletes: readonly DataFile[],
): void {
  if (deletes.length === 0) return
  const paths = new Set(live(parents, 0).map((e) => e.dataFile.filePath))
  const gone = deletes
    .map((d) => d.referencedDataFile ?? '(no referenced_data_file)')
    .filter((p) => !paths.has(p) || deleted.has(p))
  if (gone.length > 0)
    throw new CommitConflictError(
      `position deletes reference data files no longer live: ${gone.slice(0, 3).join(', ')}; re-plan the deletes`,
    )
}

/**
 * The rewrite fence: removing a data file that has live position deletes is allowed only to a change
 * that read it with them applied (`deletesApplied`); otherwise its replacement may hold deleted rows
 * (an erased person's) again. Fails with `UNAPPLIED_DELETES`: read the rows with `readLiveRows`.
 */
export function assertNoDeletesLost(parents: readonly LoadedManifest[], deleted: ReadonlySet<string>): void {
  if (deleted.size === 0) return
  const deletes = live(parents, 1)
  if (deletes.length === 0) return
  const index = new DeleteIndex(deletes)
  const hit = live(parents, 0).filter(
    (e) => deleted.has(e.dataFile.filePath) && index.forDataFile(e).length > 0,
  )
  if (hit.length > 0)
    throw new IcebergError(
      'UNAPPLIED_DELETES',
      `removing ${hit.length} data file(s) with position deletes (${hit[0]!.dataFile.filePath}) from a ` +
        'change that did not read them with deletes applied: read with readLiveRows and set deletesApplied',
    )
}

/**
 * The stale-read fence: rows of removed data files read at snapshot `readAt` miss the position
 * deletes committed to those files after it; if there are any, the change must be built again.
 */
export function assertNoDeletesSince(
  parents: readonly LoadedManifest[],
  deleted: ReadonlySet<string>,
  readAtSequence: number | undefined,
): void {
  if (deleted.size === 0) return
  const deletes = live(parents, 1)
  if (deletes.length === 0) return
  const index = new DeleteIndex(deletes)
  for (const e of live(parents, 0)) {
    if (!deleted.has(e.dataFile.filePath)) continue
    const newer = index
      .forDataFile(e)
      .filter((d) => readAtSequence === undefined || (d.sequenceNumber ?? 0) > readAtSequence)
    if (newer.length > 0)
      throw new CommitConflictError(
        `rows of ${e.dataFile.filePath} were deleted after they were read (${newer[0]!.dataFile.filePath}); read them again`,
      )
  }
}
