/**
 * Configuration read once from the environment, validated whole, frozen. Every key is declared once
 * with its type, default and doc, so the README table and the checks cannot drift apart.
 */

export interface ConfigKey<T> {
  readonly doc: string
  readonly default?: T
  parse(raw: string): T
}

/** Thrown at start-up when configuration is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

type Spec = Record<string, ConfigKey<unknown>>
export type ConfigOf<S extends Spec> = {
  readonly [K in keyof S]: S[K] extends ConfigKey<infer T> ? T : never
}

/** Reads every key of `spec` from `env`; collects all problems before failing, so one run shows them all. */
export function loadConfig<S extends Spec>(spec: S, env: Record<string, string | undefined>): ConfigOf<S> {
  const problems: string[] = []
  const out: Record<string, unknown> = {}
  for (const [key, def] of Object.entries(spec)) {
    const raw = env[key]
    if (raw === undefined || raw === '') {
      if (def.default === undefined) problems.push(`${key} is required: ${def.doc}`)
      else out[key] = def.default
      continue
    }
    try {
      out[key] = def.parse(raw)
    } catch (error) {
      problems.push(`${key}=${JSON.stringify(raw)} is invalid: ${(error as Error).message}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(out) as ConfigOf<S>
}

export const str = (doc: string, fallback?: string): ConfigKey<string> => ({
  doc,
  default: fallback,
  parse: (raw) => raw,
})

export const int = (
  doc: string,
  fallback?: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): ConfigKey<number> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('expected an integer')
    const n = Number(raw)
    if (n < min || n > max) throw new Error(`expected ${min}..${max}`)
    return n
  },
})

export const bool = (doc: string, fallback?: boolean): ConfigKey<boolean> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    const v = raw.trim().toLowerCase()
    if (['1', 'true', 'yes', 'on'].includes(v)) return true
    if (['0', 'false', 'no', 'off'].includes(v)) return false
    throw new Error('expected true or false')
  },
})

export const oneOf = <T extends string>(doc: string, values: readonly T[], fallback?: T): ConfigKey<T> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    if (!values.includes(raw as T)) throw new Error(`expected one of ${values.join(', ')}`)
    return raw as T
  },
})

export const list = (doc: string, fallback?: readonly string[]): ConfigKey<readonly string[]> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (items.length === 0) throw new Error('expected a comma-separated list')
    return items
  },
})

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Durations like `500ms`, `30s`, `10m`, `1h`, `7d`; parsed to milliseconds. */
export const duration = (doc: string, fallback?: number): ConfigKey<number> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim())
    if (!m) throw new Error('expected a duration like 500ms, 30s, 10m, 1h or 7d')
    return Number(m[1]) * UNITS_MS[m[2]!]!
  },
})

export const url = (doc: string, fallback?: string): ConfigKey<string> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    new URL(raw) // throws with a message when malformed
    return raw.replace(/\/+$/, '')
  },
})

/** A required secret of at least `minLength` characters; never has a default. */
export const secret = (doc: string, minLength: number): ConfigKey<string> => ({
  doc,
  parse: (raw) => {
    if (raw.length < minLength) throw new Error(`expected at least ${minLength} characters`)
    return raw
  },
})
