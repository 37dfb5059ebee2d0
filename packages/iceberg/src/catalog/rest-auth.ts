/** REST catalog authentication: none, a static bearer token, or OAuth2 client credentials. */
import { IcebergError } from '../errors.ts'

/** How the REST client authenticates. */
export type RestAuth =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly token: string }
  | {
      readonly type: 'oauth2'
      readonly clientId: string
      readonly clientSecret: string
      /** Default `catalog`, as the reference clients. */
      readonly scope?: string
      /** Token endpoint; default `<uri>/v1/oauth/tokens`. */
      readonly tokenUri?: string
    }

/** Fetches and caches OAuth2 client-credentials tokens, refreshing a minute before expiry. */
export class OAuthTokens {
  readonly #uri: string
  readonly #auth: RestAuth
  readonly #fetch: typeof fetch
  #cached: { token: string; expiresAtMs: number } | undefined

  constructor(uri: string, auth: RestAuth, fetchFn: typeof fetch) {
    this.#uri = uri.replace(/\/+$/, '')
    this.#auth = auth
    this.#fetch = fetchFn
  }

  /** True when a fresh token can be fetched (OAuth2). */
  canRefresh(): boolean {
    return this.#auth.type === 'oauth2'
  }

  invalidate(): void {
    this.#cached = undefined
  }

  /** The bearer token to send, if any. */
  async token(): Promise<string | undefined> {
    const auth = this.#auth
    if (auth.type === 'none') return undefined
    if (auth.type === 'bearer') return auth.token
    if (this.#cached && this.#cached.expiresAtMs > Date.now() + 60_000) return this.#cached.token
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      scope: auth.scope ?? 'catalog',
    })
    const res = await this.#fetch(auth.tokenUri ?? `${this.#uri}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    }).catch((err: unknown) => {
      throw new IcebergError('AUTH_ERROR', 'OAuth2 token request failed', { cause: err, canRetry: true })
    })
    const json = (await res.json().catch(() => ({}))) as {
      access_token?: string
      expires_in?: number
      error?: string
    }
    if (!res.ok || !json.access_token) {
      throw new IcebergError(
        'AUTH_ERROR',
        `OAuth2 token request refused: HTTP ${res.status} ${json.error ?? ''}`.trim(),
      )
    }
    this.#cached = { token: json.access_token, expiresAtMs: Date.now() + (json.expires_in ?? 3600) * 1000 }
    return json.access_token
  }
}
