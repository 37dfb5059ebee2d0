/**
 * Configuration read once from the environment, validated whole, frozen. Every key is declared once
 * with its type, default and doc, so the README table and the checks cannot drift apart.
 */
import { readFileSync } from 'node:fs'

export interface ConfigKey<T> {
  readonly doc: string
  readonly default?: T
  /** A secret: messages never show its value (nor a part of it). */
  readonly sensitive?: boolean
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

/**
 * Reads every key of `spec` from `env`; collects all problems before failing, so one run shows them all.
 * Any key may instead name a file in `<KEY>_FILE` (Kubernetes Secret volumes, Docker secrets): its
 * content, without the trailing newline, is the value. Messages never show a sensitive key's value and
 * mask the credentials of URLs.
 */
export function loadConfig<S extends Spec>(
  spec: S,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ConfigOf<S> {
  const problems: string[] = []
  const out: Record<string, unknown> = {}
  for (const [key, def] of Object.entries(spec)) {
    let raw: string | undefined
    try {
      raw = rawValue(key, env, readFile)
    } catch (error) {
      problems.push((error as Error).message)
      continue
    }
    if (raw === undefined || raw === '') {
      if (def.default === undefined) problems.push(`${key} is required: ${def.doc}`)
      else out[key] = def.default
      continue
    }
    try {
      out[key] = def.parse(raw)
    } catch (error) {
      const shown = def.sensitive ? '' : `=${JSON.stringify(maskCredentials(raw))}`
      problems.push(`${key}${shown} is invalid: ${(error as Error).message}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(out) as ConfigOf<S>
}

/** `env[key]`, or the content of the file `env[key_FILE]` names; both set is a mistake worth stopping on. */
function rawValue(
  key: string,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
): string | undefined {
  const path = env[`${key}_FILE`]
  if (path === undefined || path === '') return env[key]
  if (env[key] !== undefined && env[key] !== '') throw new Error(`set ${key} or ${key}_FILE, not both`)
  try {
    return readFile(path).replace(/\r?\n$/, '')
  } catch (error) {
    throw new Error(
      `${key}_FILE=${JSON.stringify(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    )
  }
}

/** `scheme://user:password@host/…` → `scheme://user:***@host/…`, so messages and logs never carry a password. */
export function maskCredentials(text: string): string {
  // Up to the last @ of the URL: a password may hold / ? # and @ themselves (openssl rand -base64)
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):(\S*)@/gi, '$1$2:***@')
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
    try {
      new URL(raw)
    } catch {
      // Not the runtime's message: Deno's repeats the input, a password in it too
      throw new Error('expected an absolute URL (scheme://host…)')
    }
    return raw.replace(/\/+$/, '')
  },
})

/** An optional credential (empty: none): a string whose value no message shows. */
export const credential = (doc: string): ConfigKey<string> => ({ ...str(doc, ''), sensitive: true })

/** Bits a secret must carry at least, estimated from its characters' frequencies. */
export const MIN_SECRET_BITS = 48

/**
 * A required secret of at least `minLength` characters, without whitespace, and not guessable from its
 * make-up: a run of one character, or a handful repeated, carries too few bits (`secretBits`).
 */
export const secret = (doc: string, minLength: number): ConfigKey<string> => ({
  doc,
  sensitive: true,
  parse: (raw) => {
    if (raw.length < minLength) throw new Error(`expected at least ${minLength} characters`)
    if (/\s/.test(raw)) throw new Error('expected no whitespace')
    const bits = secretBits(raw)
    if (bits < MIN_SECRET_BITS)
      throw new Error(
        `too predictable (${Math.floor(bits)} of ${MIN_SECRET_BITS} bits: repeated characters); use e.g. openssl rand -hex 32`,
      )
    return raw
  },
})

/** Length × the Shannon entropy of the character frequencies: 0 for "aaaa…", ~4 bits a character for hex. */
export function secretBits(value: string): number {
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let perChar = 0
  for (const count of counts.values()) {
    const p = count / value.length
    perChar -= p * Math.log2(p)
  }
  return perChar * value.length
}
