/**
 * Whom an operator asks to erase, and who asks: the JSON body of every service's `POST /admin/erase`,
 * `{ "users": [...], "by": "who", "erasureId"?: "..." }`. A malformed request is refused with every
 * problem named, before anything is read or deleted. The ids themselves never appear in a problem.
 */

/** The most users one request may name (each costs a scan of the tables' user_id columns anyway). */
export const MAX_ERASURE_USERS = 1000

export interface ErasureRequest {
  /** The user ids, each once, in the order given. */
  readonly users: readonly string[]
  /** Who asked, for the audit record (the CLI sends the operator's login). */
  readonly by: string
  /** Names this erasure in every service's audit line (the CLI sends one id to all three). */
  readonly erasureId?: string
}

/** An erasure request the service refuses (answered 400); `problems` name each field. */
export class ErasureRequestError extends Error {
  readonly code = 'ERASURE_REQUEST_INVALID'
  readonly canRetry = false
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid erasure request: ${problems.join('; ')}`)
    this.name = 'ErasureRequestError'
    this.problems = problems
  }
}

const ID = /^[A-Za-z0-9._:-]{1,100}$/

/** The request from its JSON body; throws `ErasureRequestError` naming every problem. */
export function parseErasureRequest(body: unknown): ErasureRequest {
  const problems: string[] = []
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ErasureRequestError(['the body must be a JSON object'])
  const b = body as Record<string, unknown>
  const known = new Set(['users', 'by', 'erasureId'])
  for (const key of Object.keys(b)) if (!known.has(key)) problems.push(`unknown field ${JSON.stringify(key)}`)
  const users = b.users
  if (!Array.isArray(users) || users.length === 0) problems.push('users must be a non-empty list of user ids')
  else if (users.some((u) => typeof u !== 'string' || u.length === 0 || u.length > 1000))
    problems.push('every user id must be a string of 1 to 1000 characters')
  else if (new Set(users).size > MAX_ERASURE_USERS)
    problems.push(`at most ${MAX_ERASURE_USERS} users per request`)
  if (typeof b.by !== 'string' || b.by.trim() === '' || b.by.length > 200)
    problems.push('by (who asks) is required, at most 200 characters')
  if (b.erasureId !== undefined && (typeof b.erasureId !== 'string' || !ID.test(b.erasureId)))
    problems.push('erasureId must be 1 to 100 characters of A-Z a-z 0-9 . _ : -')
  if (problems.length > 0) throw new ErasureRequestError(problems)
  return {
    users: [...new Set(users as string[])],
    by: (b.by as string).trim(),
    ...(b.erasureId === undefined ? {} : { erasureId: b.erasureId as string }),
  }
}
