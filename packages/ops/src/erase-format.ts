/**
 * What each service's `POST /admin/erase` answers (its audit record) and how the `erase` command shows
 * the three, pure: one line per table or store with its count, then a verdict.
 */

import type { ErasureAudit } from '@healthstream/shared/erasure'

/** One service's answer: its audit record (hashed ids, counts per table or store). */
export type ErasureAnswer = ErasureAudit

/** Per service: its answer, or the error of the call. */
export interface ErasureStep {
  readonly service: string
  readonly url: string
  readonly answer?: ErasureAnswer
  readonly error?: string
}

/** What `erase --json` prints. */
export interface ErasureReport {
  readonly erasureId: string
  readonly steps: readonly ErasureStep[]
}

/** The lines the command prints. */
export function formatErasure(erasureId: string, users: number, steps: readonly ErasureStep[]): string[] {
  const lines = [`erasure ${erasureId}: ${users} user${users === 1 ? '' : 's'}`]
  for (const s of steps) {
    if (s.error !== undefined) {
      lines.push(`  ${s.service} ${s.url}: FAILED ${s.error}`)
      continue
    }
    for (const [what, n] of Object.entries(s.answer?.counts ?? {}))
      lines.push(`  ${s.service.padEnd(11)} ${what.padEnd(24)} ${String(n).padStart(8)} deleted`)
  }
  const failed = steps.filter((s) => s.error !== undefined)
  lines.push(
    failed.length === 0
      ? 'erased: every table and store answered; run it again any time, it deletes only what is left'
      : `incomplete: ${failed.map((s) => s.service).join(', ')} failed; run the same command again`,
  )
  return lines
}

/** 0 when every service erased, 1 otherwise. */
export const erasureExitCode = (steps: readonly ErasureStep[]): number =>
  steps.every((s) => s.error === undefined) ? 0 : 1
