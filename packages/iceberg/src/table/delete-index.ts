/**
 * Which delete files apply to which data files (spec "Scan Planning"): a position delete file applies
 * to a data file when its `referenced_data_file` (if set) is that file, the data file's data sequence
 * number is at most the delete file's, and both have the same partition (spec id and values). Pure: works on manifest entries already read.
 */
import { IcebergError } from '../errors.ts'
import type { DataFile, ManifestEntry } from '../manifest/types.ts'
import { partitionTupleKey } from '../spec/partition.ts'

/** A data file entry with the delete file entries that apply to it. */
export interface ScanTask {
  readonly data: ManifestEntry
  readonly deletes: readonly ManifestEntry[]
}

const partitionKey = (f: DataFile): string => `${f.specId}:${partitionTupleKey(f.partition)}`
const seqOf = (e: ManifestEntry): number => e.sequenceNumber ?? 0

/** Indexes live delete entries by referenced file and by partition, for matching data files. */
export class DeleteIndex {
  readonly #byFile = new Map<string, ManifestEntry[]>()
  readonly #byPartition = new Map<string, ManifestEntry[]>()

  constructor(deletes: readonly ManifestEntry[]) {
    for (const e of deletes) {
      const f = e.dataFile
      if (f.content === 2)
        throw new IcebergError(
          'UNSUPPORTED',
          `equality delete file ${f.filePath}: only position deletes are read`,
        )
      if (f.referencedDataFile !== undefined) push(this.#byFile, f.referencedDataFile, e)
      else push(this.#byPartition, partitionKey(f), e)
    }
  }

  /** The delete entries that apply to a live data file entry. */
  forDataFile(data: ManifestEntry): ManifestEntry[] {
    const f = data.dataFile
    const seq = seqOf(data)
    const key = partitionKey(f)
    const candidates = [
      ...(this.#byFile.get(f.filePath) ?? []).filter((d) => partitionKey(d.dataFile) === key),
      ...(this.#byPartition.get(key) ?? []),
    ]
    return candidates.filter((d) => seqOf(d) >= seq)
  }
}

function push(map: Map<string, ManifestEntry[]>, key: string, e: ManifestEntry): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [e])
  else list.push(e)
}

/** Pairs every live data entry with the live delete entries that apply to it. */
export function planScan(data: readonly ManifestEntry[], deletes: readonly ManifestEntry[]): ScanTask[] {
  const index = new DeleteIndex(deletes)
  return data.map((d) => ({ data: d, deletes: index.forDataFile(d) }))
}
