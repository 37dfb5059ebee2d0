import { RegistryError, RegistryErrorCode } from './errors.ts'

/** Credentials for the registry: HTTP basic (`user:password`) or a bearer token. */
export type RegistryAuth =
  | { readonly username: string; readonly password: string }
  | { readonly token: string | (() => string | Promise<string>) }

/** Connection settings of the HTTP schema registry client. */
export interface HttpTransportOptions {
  /** Base URL of the Confluent API, e.g. `http://127.0.0.1:18080/apis/ccompat/v7`. */
  readonly url: string
  readonly auth?: RegistryAuth
  /** Retries after the first attempt on network errors, timeouts, 5xx, 408 and 429. Default 3. */
  readonly retries?: number
  /** First backoff delay; doubled per attempt, with jitter. Default 100 ms. */
  readonly retryDelayMs?: number
  /** Upper bound of one backoff delay. Default 2000 ms. */
  readonly maxRetryDelayMs?: number
  /** Per-attempt timeout. Default 10 000 ms. */
  readonly timeoutMs?: number
  /** Injected for tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch
}

/** One request: what to call `SCHEMA_NOT_FOUND` vs `SUBJECT_NOT_FOUND` depends on the endpoint. */
export interface RegistryRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly path: string
  readonly body?: unknown
  readonly notFound?: RegistryErrorCode
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/** Sends Confluent API requests with auth, timeouts, retries with backoff, and typed errors. */
export class HttpTransport {
  readonly #base: string
  readonly #options: HttpTransportOptions
  readonly #fetch: typeof fetch
  readonly #basic: string | undefined

  constructor(options: HttpTransportOptions) {
    // fetch refuses URLs with credentials, so `http://user:pass@host` becomes basic auth here.
    const url = new URL(options.url)
    const fromUrl = url.username
      ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      : ''
    url.username = ''
    url.password = ''
    this.#base = url.toString().replace(/\/+$/, '')
    this.#options = options
    this.#fetch = options.fetch ?? fetch
    const auth = options.auth
    const basic = auth && 'username' in auth ? `${auth.username}:${auth.password}` : fromUrl
    this.#basic = basic ? `Basic ${Buffer.from(basic).toString('base64')}` : undefined
  }

  /** The parsed JSON body of a 2xx answer; throws {@link RegistryError} otherwise. */
  async request<T>(request: RegistryRequest): Promise<T> {
    const retries = this.#options.retries ?? 3
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#attempt(request)) as T
      } catch (error) {
        if (!(error instanceof RegistryError) || !error.canRetry || attempt >= retries) throw error
        await sleep(this.#backoff(attempt))
      }
    }
  }

  async #attempt(request: RegistryRequest): Promise<unknown> {
    const where = `${request.method} ${request.path}`
    let response: Response
    try {
      response = await this.#fetch(`${this.#base}${request.path}`, {
        method: request.method,
        headers: await this.#headers(request.body !== undefined),
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      })
    } catch (cause) {
      throw new RegistryError(
        RegistryErrorCode.REGISTRY_UNAVAILABLE,
        `schema registry: ${where}: ${describe(cause)}`,
        {
          cause,
        },
      )
    }
    const text = await response.text().catch(() => '')
    if (!response.ok) throw failure(response.status, text, where, request.notFound)
    try {
      return text === '' ? undefined : JSON.parse(text)
    } catch (cause) {
      throw new RegistryError(
        RegistryErrorCode.REQUEST_FAILED,
        `schema registry: ${where}: answer is not JSON`,
        {
          status: response.status,
          cause,
        },
      )
    }
  }

  async #headers(hasBody: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: `${CONTENT_TYPE}, application/json` }
    if (hasBody) headers['content-type'] = CONTENT_TYPE
    const auth = this.#options.auth
    if (auth && 'token' in auth) {
      headers.authorization = `Bearer ${typeof auth.token === 'function' ? await auth.token() : auth.token}`
    } else if (this.#basic) headers.authorization = this.#basic
    return headers
  }

  #backoff(attempt: number): number {
    const base = this.#options.retryDelayMs ?? 100
    const capped = Math.min(this.#options.maxRetryDelayMs ?? 2000, base * 2 ** attempt)
    // Jitter spreads the retries of many consumers that lost the registry at the same moment.
    return capped / 2 + (Math.random() * capped) / 2
  }
}

/** Maps an error answer to a typed error; the Confluent `error_code` refines the HTTP status. */
function failure(status: number, text: string, where: string, notFound?: RegistryErrorCode): RegistryError {
  let registryCode: number | undefined
  let message = text.slice(0, 300)
  try {
    const body = JSON.parse(text) as { error_code?: number; message?: string }
    registryCode = body.error_code
    message = body.message ?? message
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the raw text as the message.
  }
  const code = codeFor(status, registryCode, notFound)
  return new RegistryError(code, `schema registry: ${where}: ${status} ${message}`, { status, registryCode })
}

function codeFor(
  status: number,
  registryCode: number | undefined,
  notFound?: RegistryErrorCode,
): RegistryErrorCode {
  if (status >= 500 || status === 408 || status === 429) return RegistryErrorCode.REGISTRY_UNAVAILABLE
  if (status === 401 || status === 403) return RegistryErrorCode.UNAUTHORIZED
  if (status === 409) return RegistryErrorCode.INCOMPATIBLE_SCHEMA
  if (status === 422) return RegistryErrorCode.INVALID_SCHEMA
  if (status === 404) {
    if (registryCode === 40403) return RegistryErrorCode.SCHEMA_NOT_FOUND
    if (registryCode === 40401 || registryCode === 40402) return RegistryErrorCode.SUBJECT_NOT_FOUND
    return notFound ?? RegistryErrorCode.REQUEST_FAILED
  }
  return RegistryErrorCode.REQUEST_FAILED
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause)
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : ''
  return `${cause.name}: ${cause.message}${inner}`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
