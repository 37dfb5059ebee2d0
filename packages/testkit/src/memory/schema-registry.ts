import {
  type CompatibilityLevel,
  isCompatible,
  parseSchema,
  type RegisteredSchema,
  RegistryError,
  RegistryErrorCode,
  type SchemaInput,
  type SchemaRegistryAdmin,
  type SubjectVersion,
  schemaText,
} from '@healthstream/shared/avro'
import type { Type } from 'avsc'

/**
 * A schema registry in memory with the Confluent semantics the serde relies on: global ids,
 * the same id for the same schema text, per-subject versions and compatibility checks. For unit
 * tests and tools; it counts lookups so tests can prove caching.
 */
export class MemorySchemaRegistry implements SchemaRegistryAdmin {
  readonly #schemas: string[] = []
  readonly #subjects = new Map<string, number[]>()
  readonly #levels = new Map<string, CompatibilityLevel>()
  readonly #defaultLevel: CompatibilityLevel
  /** How many times `getSchemaById` was called. */
  lookups = 0

  constructor(options: { defaultCompatibility?: CompatibilityLevel } = {}) {
    this.#defaultLevel = options.defaultCompatibility ?? 'BACKWARD'
  }

  async getSchemaById(id: number): Promise<RegisteredSchema> {
    this.lookups++
    const schema = this.#schemas[id - 1]
    if (schema === undefined) {
      throw new RegistryError(RegistryErrorCode.SCHEMA_NOT_FOUND, `schema ${id} not found`, { status: 404 })
    }
    return { id, schema }
  }

  async register(subject: string, input: SchemaInput): Promise<number> {
    const text = schemaText(input)
    const versions = this.#subjects.get(subject) ?? []
    const existing = versions.find((id) => this.#schemas[id - 1] === text)
    if (existing !== undefined) return existing
    const candidate = this.#parse(text)
    const previous = versions.map((id) => parseSchema(this.#schemas[id - 1]!))
    if (!isCompatible(candidate, previous, this.#level(subject))) {
      throw new RegistryError(
        RegistryErrorCode.INCOMPATIBLE_SCHEMA,
        `schema is incompatible with ${subject}`,
        {
          status: 409,
        },
      )
    }
    let id = this.#schemas.indexOf(text) + 1
    if (id === 0) id = this.#schemas.push(text)
    versions.push(id)
    this.#subjects.set(subject, versions)
    return id
  }

  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    this.#levels.set(subject, level)
  }

  async getSubjectVersions(subject: string): Promise<number[]> {
    return this.#versions(subject).map((_, i) => i + 1)
  }

  async getSubjectVersion(subject: string, version: number | 'latest' = 'latest'): Promise<SubjectVersion> {
    const versions = this.#versions(subject)
    const number = version === 'latest' ? versions.length : version
    const id = versions[number - 1]
    if (id === undefined) {
      throw new RegistryError(RegistryErrorCode.SUBJECT_NOT_FOUND, `${subject} has no version ${version}`)
    }
    return { subject, version: number, id, schema: this.#schemas[id - 1]! }
  }

  async checkCompatibility(subject: string, input: SchemaInput): Promise<boolean> {
    const previous = this.#versions(subject).map((id) => parseSchema(this.#schemas[id - 1]!))
    return isCompatible(this.#parse(schemaText(input)), previous, this.#level(subject))
  }

  #versions(subject: string): number[] {
    const versions = this.#subjects.get(subject)
    if (versions === undefined) {
      throw new RegistryError(RegistryErrorCode.SUBJECT_NOT_FOUND, `subject ${subject} not found`, {
        status: 404,
      })
    }
    return versions
  }

  #level(subject: string): CompatibilityLevel {
    return this.#levels.get(subject) ?? this.#defaultLevel
  }

  #parse(text: string): Type {
    try {
      return parseSchema(text)
    } catch (cause) {
      throw new RegistryError(
        RegistryErrorCode.INVALID_SCHEMA,
        `invalid schema: ${(cause as Error).message}`,
        {
          status: 422,
          cause,
        },
      )
    }
  }
}
