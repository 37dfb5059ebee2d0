import { RegistryError, RegistryErrorCode } from './errors.ts'
import { HttpTransport, type HttpTransportOptions } from './http-transport.ts'
import {
  type CompatibilityLevel,
  type RegisteredSchema,
  type SchemaInput,
  type SchemaRegistryAdmin,
  type SubjectVersion,
  schemaText,
} from './registry.ts'

/**
 * Client of the Confluent Schema Registry REST API (also served by Apicurio at `/apis/ccompat/v7`).
 * Schemas by id are cached forever (an id never changes meaning) and concurrent lookups of one id
 * share one request. Failures are {@link RegistryError}s; only outages are retried.
 */
export class HttpSchemaRegistry implements SchemaRegistryAdmin {
  readonly #http: HttpTransport
  readonly #byId = new Map<number, Promise<RegisteredSchema>>()
  readonly #ids = new Map<string, number>()

  constructor(options: HttpTransportOptions) {
    this.#http = new HttpTransport(options)
  }

  getSchemaById(id: number): Promise<RegisteredSchema> {
    let pending = this.#byId.get(id)
    if (pending === undefined) {
      pending = this.#fetchSchema(id)
      this.#byId.set(id, pending)
      // A failed lookup must not poison the cache: the next caller asks again.
      pending.catch(() => this.#byId.delete(id))
    }
    return pending
  }

  async register(subject: string, schema: SchemaInput): Promise<number> {
    const text = schemaText(schema)
    const key = `${subject}\u0000${text}`
    const known = this.#ids.get(key)
    if (known !== undefined) return known
    const body = await this.#http.request<{ id?: unknown }>({
      method: 'POST',
      path: `/subjects/${enc(subject)}/versions`,
      body: { schema: text, schemaType: 'AVRO' },
    })
    const id = expectId(body?.id, 'register')
    this.#ids.set(key, id)
    this.#byId.set(id, Promise.resolve({ id, schema: text }))
    return id
  }

  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    const put = () =>
      this.#http.request({
        method: 'PUT',
        path: `/config/${enc(subject)}`,
        body: { compatibility: level },
        notFound: RegistryErrorCode.SUBJECT_NOT_FOUND,
      })
    try {
      await put()
    } catch (error) {
      // Apicurio creates the subject's rule on the first PUT; two services starting together both
      // create it and the second gets 409 "rule already exists". The rule exists now: set it again.
      if (!(error instanceof RegistryError) || error.status !== 409) throw error
      await put()
    }
  }

  async getSubjectVersions(subject: string): Promise<number[]> {
    const versions = await this.#http.request<unknown>({
      method: 'GET',
      path: `/subjects/${enc(subject)}/versions`,
      notFound: RegistryErrorCode.SUBJECT_NOT_FOUND,
    })
    if (!Array.isArray(versions)) throw unexpected('subject versions')
    return versions.map(Number).sort((a, b) => a - b)
  }

  async getSubjectVersion(subject: string, version: number | 'latest' = 'latest'): Promise<SubjectVersion> {
    const body = await this.#http.request<{ id?: unknown; version?: unknown; schema?: unknown }>({
      method: 'GET',
      path: `/subjects/${enc(subject)}/versions/${version}`,
      notFound: RegistryErrorCode.SUBJECT_NOT_FOUND,
    })
    const id = expectId(body?.id, 'subject version')
    if (typeof body.schema !== 'string' || typeof body.version !== 'number')
      throw unexpected('subject version')
    this.#byId.set(id, Promise.resolve({ id, schema: body.schema }))
    return { subject, version: body.version, id, schema: body.schema }
  }

  async checkCompatibility(subject: string, schema: SchemaInput): Promise<boolean> {
    const body = await this.#http.request<{ is_compatible?: unknown }>({
      method: 'POST',
      path: `/compatibility/subjects/${enc(subject)}/versions/latest`,
      body: { schema: schemaText(schema), schemaType: 'AVRO' },
      notFound: RegistryErrorCode.SUBJECT_NOT_FOUND,
    })
    if (typeof body?.is_compatible !== 'boolean') throw unexpected('compatibility check')
    return body.is_compatible
  }

  async #fetchSchema(id: number): Promise<RegisteredSchema> {
    const body = await this.#http.request<{ schema?: unknown }>({
      method: 'GET',
      path: `/schemas/ids/${id}`,
      notFound: RegistryErrorCode.SCHEMA_NOT_FOUND,
    })
    if (typeof body?.schema !== 'string') throw unexpected(`schema ${id}`)
    return { id, schema: body.schema }
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject)
}

function expectId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isInteger(id)) throw unexpected(what)
  return id
}

function unexpected(what: string): RegistryError {
  return new RegistryError(RegistryErrorCode.REQUEST_FAILED, `schema registry: unexpected answer to ${what}`)
}
