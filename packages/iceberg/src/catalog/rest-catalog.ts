/**
 * An Iceberg REST catalog client (OpenAPI `rest-catalog-open-api.yaml`): config, namespaces,
 * create/load table, and commits that send the same requirements and updates a SQL catalog
 * applies locally. JSON bodies are parsed losslessly (snapshot ids exceed 2^53).
 */
import { CommitConflictError, CommitStateUnknownError, IcebergError } from '../errors.ts'
import { type JsonObject, type JsonValue, parseJson, stringifyJson } from '../json/lossless.ts'
import { metadataFromJson } from '../spec/metadata-json.ts'
import { toSchema } from '../spec/new-table.ts'
import { partitionSpecToJson, sortOrderToJson } from '../spec/partition.ts'
import { schemaToJson } from '../spec/schema.ts'
import type { TableIdentifier } from '../spec/types.ts'
import { requirementToJson, type TableRequirement, type TableUpdate, updateToJson } from '../spec/updates.ts'
import type { Catalog, CreateTableRequest, LoadedTable } from './catalog.ts'
import { noSuchNamespace, noSuchTable } from './catalog.ts'
import { OAuthTokens, type RestAuth } from './rest-auth.ts'

export type { RestAuth } from './rest-auth.ts'

/** How to reach a REST catalog. */
export interface RestCatalogOptions {
  /** Base URI, e.g. `http://127.0.0.1:18181` (without `/v1`). */
  readonly uri: string
  readonly name?: string
  /** Sent to `GET /v1/config` as `warehouse`. */
  readonly warehouse?: string
  readonly auth?: RestAuth
  readonly headers?: Readonly<Record<string, string>>
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
}

interface Reply {
  readonly status: number
  readonly body: JsonValue
}

const encodeNamespace = (ns: readonly string[]): string => encodeURIComponent(ns.join('\u001f'))

/** A catalog behind the Iceberg REST protocol. */
export class RestCatalog implements Catalog {
  readonly name: string
  readonly #options: RestCatalogOptions
  readonly #fetch: typeof fetch
  readonly #tokens: OAuthTokens
  #prefix: Promise<string> | undefined

  constructor(options: RestCatalogOptions) {
    this.name = options.name ?? 'rest'
    this.#options = options
    this.#fetch = options.fetch ?? fetch
    this.#tokens = new OAuthTokens(options.uri, options.auth ?? { type: 'none' }, this.#fetch)
  }

  /** Sends a request; JSON in and out. Network failures are `CATALOG_ERROR` with canRetry. */
  async #send(method: string, path: string, body?: JsonValue, retryAuth = true): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#options.headers }
    const token = await this.#tokens.token()
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await this.#fetch(`${this.#options.uri.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: stringifyJson(body) } : {}),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
    }).catch((err: unknown) => {
      throw new IcebergError('CATALOG_ERROR', `${method} ${path} failed: ${String(err)}`, {
        cause: err,
        canRetry: true,
      })
    })
    if (res.status === 401 && retryAuth && this.#tokens.canRefresh()) {
      this.#tokens.invalidate()
      return this.#send(method, path, body, false)
    }
    const text = await res.text()
    return { status: res.status, body: text ? parseJsonOr(text) : null }
  }

  async #path(rest: string): Promise<string> {
    this.#prefix ??= this.#loadPrefix().catch((err: unknown) => {
      this.#prefix = undefined
      throw err
    })
    const prefix = await this.#prefix
    return `/v1${prefix ? `/${prefix}` : ''}${rest}`
  }

  async #loadPrefix(): Promise<string> {
    const q = this.#options.warehouse ? `?warehouse=${encodeURIComponent(this.#options.warehouse)}` : ''
    const reply = await this.#send('GET', `/v1/config${q}`)
    if (reply.status !== 200) throw httpError('GET /v1/config', reply)
    const cfg = reply.body as JsonObject
    const prefix =
      (cfg.overrides as JsonObject | undefined)?.prefix ?? (cfg.defaults as JsonObject | undefined)?.prefix
    return typeof prefix === 'string' ? prefix : ''
  }

  async createNamespace(
    namespace: readonly string[],
    properties: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const reply = await this.#send('POST', await this.#path('/namespaces'), {
      namespace: [...namespace],
      properties: { ...properties },
    })
    if (reply.status === 409)
      throw new IcebergError('ALREADY_EXISTS', `namespace ${namespace.join('.')} already exists`)
    if (reply.status !== 200) throw httpError('create namespace', reply)
  }

  async loadNamespace(namespace: readonly string[]): Promise<Record<string, string>> {
    const reply = await this.#send('GET', await this.#path(`/namespaces/${encodeNamespace(namespace)}`))
    if (reply.status === 404) throw noSuchNamespace(namespace)
    if (reply.status !== 200) throw httpError('load namespace', reply)
    const props = ((reply.body as JsonObject).properties ?? {}) as JsonObject
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)]))
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const out: TableIdentifier[] = []
    let token: string | undefined
    do {
      const q = token ? `?pageToken=${encodeURIComponent(token)}` : ''
      const reply = await this.#send(
        'GET',
        await this.#path(`/namespaces/${encodeNamespace(namespace)}/tables${q}`),
      )
      if (reply.status === 404) throw noSuchNamespace(namespace)
      if (reply.status !== 200) throw httpError('list tables', reply)
      const body = reply.body as JsonObject
      for (const id of (body.identifiers ?? []) as JsonObject[])
        out.push({ namespace: id.namespace as string[], name: String(id.name) })
      token = typeof body['next-page-token'] === 'string' ? body['next-page-token'] : undefined
    } while (token)
    return out
  }

  #tablePath(id: TableIdentifier): Promise<string> {
    return this.#path(`/namespaces/${encodeNamespace(id.namespace)}/tables/${encodeURIComponent(id.name)}`)
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable> {
    const body: JsonObject = {
      name: id.name,
      schema: schemaToJson(toSchema(request.schema)),
      'stage-create': false,
      properties: { ...request.properties },
    }
    if (request.location) body.location = request.location
    if (request.partitionSpec) body['partition-spec'] = partitionSpecToJson(request.partitionSpec)
    if (request.sortOrder) body['write-order'] = sortOrderToJson(request.sortOrder)
    const reply = await this.#send(
      'POST',
      await this.#path(`/namespaces/${encodeNamespace(id.namespace)}/tables`),
      body,
    )
    if (reply.status === 409)
      throw new IcebergError('ALREADY_EXISTS', `table ${id.namespace.join('.')}.${id.name} already exists`)
    if (reply.status === 404) throw noSuchNamespace(id.namespace)
    if (reply.status !== 200) throw httpError('create table', reply)
    return loaded(id, reply.body)
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const reply = await this.#send('GET', await this.#tablePath(id))
    if (reply.status === 404) throw noSuchTable(id)
    if (reply.status !== 200) throw httpError('load table', reply)
    return loaded(id, reply.body)
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    const reply = await this.#send('HEAD', await this.#tablePath(id))
    if (reply.status === 404) return false
    if (reply.status >= 200 && reply.status < 300) return true
    throw httpError('table exists', reply)
  }

  async commit(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable> {
    const body = {
      identifier: { namespace: [...id.namespace], name: id.name },
      requirements: requirements.map(requirementToJson),
      updates: updates.map(updateToJson),
    }
    let reply: Reply
    try {
      reply = await this.#send('POST', await this.#tablePath(id), body)
    } catch (err) {
      throw new CommitStateUnknownError(
        `commit to ${id.name} got no answer; re-load to see whether it landed`,
        { cause: err },
      )
    }
    if (reply.status === 200) return loaded(id, reply.body)
    if (reply.status === 409)
      throw new CommitConflictError(`commit to ${id.name} conflicted: ${errorMessage(reply)}`)
    if (reply.status === 404) throw noSuchTable(id)
    if (reply.status >= 500)
      throw new CommitStateUnknownError(
        `commit to ${id.name} failed with HTTP ${reply.status}: ${errorMessage(reply)}`,
      )
    throw httpError('commit', reply)
  }

  async dropTable(id: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const reply = await this.#send(
      'DELETE',
      `${await this.#tablePath(id)}${options.purge ? '?purgeRequested=true' : ''}`,
    )
    if (reply.status === 404) throw noSuchTable(id)
    if (reply.status >= 300) throw httpError('drop table', reply)
  }
}

function parseJsonOr(text: string): JsonValue {
  try {
    return parseJson(text)
  } catch {
    return text
  }
}

function loaded(id: TableIdentifier, body: JsonValue): LoadedTable {
  const o = body as JsonObject
  return {
    identifier: id,
    metadata: metadataFromJson(o.metadata ?? null),
    metadataLocation: String(o['metadata-location']),
  }
}

function errorMessage(reply: Reply): string {
  const err = (reply.body as JsonObject | null)?.error as JsonObject | undefined
  return err ? `${err.type ?? ''} ${err.message ?? ''}`.trim() : String(reply.body).slice(0, 200)
}

function httpError(what: string, reply: Reply): IcebergError {
  const code = reply.status === 401 || reply.status === 403 ? 'AUTH_ERROR' : 'CATALOG_ERROR'
  return new IcebergError(code, `${what}: HTTP ${reply.status} ${errorMessage(reply)}`, {
    canRetry: reply.status >= 500 || reply.status === 429,
  })
}
