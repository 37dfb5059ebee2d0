import { parseArgs } from 'node:util'

/** Everything a simulation run needs; `simulate()` takes the same shape. */
export interface SimulatorOptions {
  readonly users: number
  /** Distinct samples to send; with `durationMs` the run ends at whichever comes first. */
  readonly samples: number | undefined
  /** Wall-clock limit in ms. */
  readonly durationMs: number | undefined
  /** Target samples per second; 0 = as fast as possible. */
  readonly rate: number
  readonly seed: number
  readonly v2Share: number
  readonly invalidShare: number
  readonly duplicateShare: number
  readonly lateShare: number
  readonly outOfOrderShare: number
  /** Where to write the NDJSON ground truth; none when undefined. */
  readonly truthPath: string | undefined
  /** Epoch ms where simulated time begins. */
  readonly start: number
  /** IANA zones of the users, round-robin; undefined: each user's zone drawn from the seed. */
  readonly zones: readonly string[] | undefined
  readonly brokers: readonly string[]
  readonly registryUrl: string
  readonly topic: string
  /** Partitions when the simulator has to create the topic. */
  readonly partitions: number
  readonly compression: 'none' | 'lz4'
  readonly maxBatchSamples: number
  /** Progress lines on stderr every few seconds. */
  readonly progress: boolean
  /** How long a failed send is made again (broker restarts) before the run fails, in ms. */
  readonly retryForMs: number
  /** Share of uploads carrying a W3C `traceparent` (the phone's span), so traces start at the phone. */
  readonly traceShare: number
  /** Share of traced uploads marked sampled; the others propagate unsampled. */
  readonly traceSampledShare: number
}

/** A bad command-line flag or option value; the message names it. */
export class OptionError extends Error {
  override readonly name = 'OptionError'
}

export const USAGE = `usage: npm run simulate -- [flags]
  --users N               simulated users (default 100)
  --samples N             distinct samples to send (default 100000 unless --duration is given)
  --duration D            stop after D of wall-clock time: 90s, 5m, 1h or milliseconds
  --rate N                target samples per second, 0 = as fast as possible (default 0)
  --seed N                seed of the deterministic generator (default 42)
  --v2-share P            share of devices writing schema v2 (default 0.5)
  --invalid-share P       share of invalid samples (default 0.02)
  --duplicate-share P     share of batches uploaded twice (default 0.01)
  --late-share P          share of samples sent hours late (default 0.01)
  --out-of-order-share P  share of samples out of order in their batch (default 0.05)
  --truth PATH            write the ground truth as NDJSON to PATH
  --start T               simulated start: ISO 8601, 'now' (default) or relative: now-7d, now-12h
  --zones LIST            users' IANA zones, comma-separated, given round-robin (default: drawn from the seed)
  --brokers LIST          bootstrap brokers (default $KAFKA_BROKERS)
  --registry URL          schema registry (default $SCHEMA_REGISTRY_URL)
  --topic NAME            topic (default health-data-raw); the subject is NAME-value
  --partitions N          partitions if the topic is created (default 6)
  --compression C         none or lz4 (default lz4)
  --max-batch N           most samples in one batch (default 200)
  --retry-for D           make a failed send again for up to D (default 2m): survives broker restarts
  --trace-share P         share of uploads with a W3C traceparent header, as a phone's SDK sends (default 0)
  --trace-sampled P       share of traced uploads marked sampled; the rest unsampled (default 1)
  --quiet                 no progress lines`

const FLAGS = {
  users: { type: 'string' },
  samples: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'v2-share': { type: 'string' },
  'invalid-share': { type: 'string' },
  'duplicate-share': { type: 'string' },
  'late-share': { type: 'string' },
  'out-of-order-share': { type: 'string' },
  truth: { type: 'string' },
  start: { type: 'string' },
  zones: { type: 'string' },
  brokers: { type: 'string' },
  registry: { type: 'string' },
  topic: { type: 'string' },
  partitions: { type: 'string' },
  compression: { type: 'string' },
  'max-batch': { type: 'string' },
  'retry-for': { type: 'string' },
  'trace-share': { type: 'string' },
  'trace-sampled': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const

/** Parses and validates the command line; `undefined` means `--help` was asked for. */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): SimulatorOptions | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new OptionError((error as Error).message)
  }
  if (values.help) return undefined
  const text = (name: string) => values[name] as string | undefined
  const durationMs = text('duration') === undefined ? undefined : duration('--duration', text('duration')!)
  const samples = integer('--samples', text('samples'), 0)
  return {
    users: integer('--users', text('users'), 1) ?? 100,
    samples: samples ?? (durationMs === undefined ? 100_000 : undefined),
    durationMs,
    rate: number('--rate', text('rate'), 0) ?? 0,
    seed: integer('--seed', text('seed'), 0, 2 ** 32 - 1) ?? 42,
    v2Share: share('--v2-share', text('v2-share'), 0.5),
    invalidShare: share('--invalid-share', text('invalid-share'), 0.02),
    duplicateShare: share('--duplicate-share', text('duplicate-share'), 0.01),
    lateShare: share('--late-share', text('late-share'), 0.01),
    outOfOrderShare: share('--out-of-order-share', text('out-of-order-share'), 0.05),
    truthPath: text('truth'),
    start: startTime(text('start'), now),
    zones: zoneList(text('zones')),
    brokers: required('--brokers', text('brokers') ?? env.KAFKA_BROKERS, 'KAFKA_BROKERS').split(','),
    registryUrl: required('--registry', text('registry') ?? env.SCHEMA_REGISTRY_URL, 'SCHEMA_REGISTRY_URL'),
    topic: text('topic') ?? 'health-data-raw',
    partitions: integer('--partitions', text('partitions'), 1) ?? 6,
    compression: oneOf('--compression', text('compression'), ['none', 'lz4'] as const) ?? 'lz4',
    maxBatchSamples: integer('--max-batch', text('max-batch'), 1, 10_000) ?? 200,
    progress: !values.quiet,
    retryForMs: text('retry-for') === undefined ? 120_000 : duration('--retry-for', text('retry-for')!),
    traceShare: share('--trace-share', text('trace-share'), 0),
    traceSampledShare: share('--trace-sampled', text('trace-sampled'), 1),
  }
}

/**
 * Options for `simulate()` from code (tests, benchmarks): the command-line defaults, endpoints from
 * the environment, then `overrides`.
 */
export function simulatorOptions(
  overrides: Partial<SimulatorOptions> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  now = Date.now(),
): SimulatorOptions {
  return { ...parseOptions([], { ...env, ...endpointsOf(overrides) }, now)!, ...overrides }
}

/** Explicit endpoints stand in for missing environment variables, so they are not required twice. */
function endpointsOf(overrides: Partial<SimulatorOptions>): Record<string, string> {
  const out: Record<string, string> = {}
  if (overrides.brokers) out.KAFKA_BROKERS = overrides.brokers.join(',')
  if (overrides.registryUrl) out.SCHEMA_REGISTRY_URL = overrides.registryUrl
  return out
}

function number(flag: string, raw: string | undefined, min: number, max = Number.POSITIVE_INFINITY) {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new OptionError(`${flag} must be a number in [${min}, ${max}], got '${raw}'`)
  }
  return value
}

function integer(flag: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  const value = number(flag, raw?.replaceAll('_', ''), min, max)
  if (value !== undefined && !Number.isInteger(value))
    throw new OptionError(`${flag} must be an integer, got '${raw}'`)
  return value
}

function share(flag: string, raw: string | undefined, fallback: number): number {
  return number(flag, raw, 0, 1) ?? fallback
}

function oneOf<T extends string>(
  flag: string,
  raw: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (raw === undefined || (allowed as readonly string[]).includes(raw)) return raw as T | undefined
  throw new OptionError(`${flag} must be one of ${allowed.join(', ')}, got '${raw}'`)
}

function required(flag: string, value: string | undefined, envName: string): string {
  if (!value) throw new OptionError(`${flag} is required (or set ${envName})`)
  return value
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `90s`, `5m`, `1h`, `2d` or plain milliseconds. */
export function duration(flag: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim())
  if (!match) throw new OptionError(`${flag} must look like 90s, 5m, 1h or a number of ms, got '${raw}'`)
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!)
}

/** `--zones`: comma-separated IANA zones, each one this runtime knows; undefined when not given. */
export function zoneList(raw: string | undefined): readonly string[] | undefined {
  if (raw === undefined) return undefined
  const zones = raw.split(',').map((z) => z.trim())
  for (const zone of zones) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone })
    } catch {
      throw new OptionError(`--zones must list IANA time zones, got '${zone}'`)
    }
  }
  return zones
}

function startTime(raw: string | undefined, now: number): number {
  if (raw === undefined || raw === 'now') return now
  const relative = /^(?:now)?-(.+)$/.exec(raw)
  if (relative) return now - duration('--start', relative[1]!)
  // Only full ISO 8601 with a zone: a local time would depend on the machine running the test.
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)
    ? Date.parse(raw)
    : NaN
  if (Number.isNaN(ms))
    throw new OptionError(`--start must be ISO 8601 with a zone, 'now' or like now-7d, got '${raw}'`)
  return ms
}
