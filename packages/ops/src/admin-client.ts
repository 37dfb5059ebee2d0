/**
 * A service's token-protected admin API, as the operator's commands call it: the base URL and the
 * bearer token come from the command line or the environment (`ADMIN_TOKEN`, or a file named by
 * `ADMIN_TOKEN_FILE`, as the services read theirs).
 */
import { readFileSync } from 'node:fs'

/** An admin call the service refused or could not answer; `status` is the HTTP status (0: no answer). */
export class AdminCallError extends Error {
  readonly code = 'ADMIN_CALL_FAILED'
  readonly status: number
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AdminCallError'
    this.status = status
  }
}

export interface AdminTarget {
  /** e.g. `http://lake-writer:8084`; no trailing slash needed. */
  readonly url: string
  readonly token: string
}

/** The token from `ADMIN_TOKEN` or the file `ADMIN_TOKEN_FILE` names; an error naming both when neither is set. */
export function adminToken(env: Record<string, string | undefined>): string {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN
  if (env.ADMIN_TOKEN_FILE) return readFileSync(env.ADMIN_TOKEN_FILE, 'utf8').replace(/\r?\n$/, '')
  throw new AdminCallError('set ADMIN_TOKEN or ADMIN_TOKEN_FILE to the services’ admin token', 0)
}

/** Calls `method path` with an optional JSON body; returns the parsed JSON answer, throws `AdminCallError` otherwise. */
export async function callAdmin<T>(
  target: AdminTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const url = `${target.url.replace(/\/+$/, '')}${path}`
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (error) {
    throw new AdminCallError(`${method} ${url}: no answer (${(error as Error).message})`, 0, { cause: error })
  }
  const text = await response.text()
  if (!response.ok)
    throw new AdminCallError(
      `${method} ${url}: HTTP ${response.status} ${text.slice(0, 500)}`,
      response.status,
    )
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new AdminCallError(
      `${method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`,
      response.status,
      { cause: error },
    )
  }
}
