/**
 * The audit record of an erasure, pure: who asked, when, a SHA-256 of each user id (never the id in
 * clear, never health data) and what was deleted where. The same record is the service's log line,
 * the admin answer, and (in the lake-writer) the `healthstream.erasure` summary property of each delete
 * snapshot.
 *
 * The hash is plain SHA-256 of the id's UTF-8 bytes, hex, unsalted: whoever holds an id (the person,
 * a support request) can check that it was erased without a secret that could be lost or rotated.
 * The price: ids that can be enumerated (`user-000001`) can be found by hashing candidates, which tells
 * only that this id was erased; no other data of that person is left to join it to.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { ErasureRequest } from './request.ts'

/** The summary property of the lake-writer's delete snapshots. */
export const ERASURE_SUMMARY_KEY = 'healthstream.erasure'

/** SHA-256 of the user id's UTF-8 bytes, lower-case hex. */
export function userHash(userId: string): string {
  return createHash('sha256').update(userId, 'utf8').digest('hex')
}

/** One erasure, as audited. `counts`: rows or keys deleted, per table or store. */
export interface ErasureAudit {
  readonly erasureId: string
  readonly service: string
  readonly by: string
  /** ISO-8601, when the erasure finished. */
  readonly at: string
  /** `userHash` of each erased id, sorted (the order given would say nothing useful). */
  readonly users: readonly string[]
  readonly counts: Readonly<Record<string, number>>
}

/** The audit record of `request` as done by `service`. */
export function erasureAudit(
  service: string,
  request: ErasureRequest,
  counts: Readonly<Record<string, number>>,
  at: Date,
  erasureId = request.erasureId ?? randomUUID(),
): ErasureAudit {
  return {
    erasureId,
    service,
    by: request.by,
    at: at.toISOString(),
    users: request.users.map(userHash).sort(),
    counts: { ...counts },
  }
}

/**
 * The record as the value of one delete snapshot's `healthstream.erasure`, compact JSON: the erasure,
 * who, when, the hashes and the table (the rows it deleted are the snapshot's own
 * `added-position-deletes`).
 */
export function erasureSummary(
  audit: Pick<ErasureAudit, 'erasureId' | 'by' | 'users'>,
  table: string,
  at: Date,
): string {
  return JSON.stringify({
    erasureId: audit.erasureId,
    by: audit.by,
    at: at.toISOString(),
    users: audit.users,
    table,
  })
}
