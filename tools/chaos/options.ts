import { parseArgs } from 'node:util'
import { zoneList as simulatorZoneList } from '@healthstream/simulator'

/** What one chaos run does. */
export interface ChaosOptions {
  /** Distinct samples the simulator sends. */
  readonly samples: number
  /** Samples per second the simulator sends at (the faults happen while it sends). */
  readonly rate: number
  readonly users: number
  readonly seed: number
  /** A random service is killed with SIGKILL this often (ms) and started again at once. */
  readonly killEveryMs: number
  /** At least this many kills, even when the simulator finishes sooner. */
  readonly minKills: number
  readonly brokerRestarts: number
  readonly redisRestarts: number
  /** How long the lake's object store (S3) is stopped, in ms; 0 = never. */
  readonly outageMs: number
  /** Where the JSON report goes (default: beside the run's files). */
  readonly reportPath: string | undefined
  /** The aggregator's `DAILY_WINDOW_ZONE`: daily windows on UTC days or on the users' local days. */
  readonly dailyZone: 'utc' | 'user'
  /** The users' IANA zones, round-robin; undefined: drawn by the simulator from the seed. */
  readonly zones: readonly string[] | undefined
  /** Epoch ms where simulated time begins. */
  readonly start: number
}

/** `npm run chaos` as the issue asks for it: a million samples, ≥ 30 kills, every outage. */
export const FULL: ChaosOptions = {
  samples: 1_000_000,
  rate: 5_000,
  users: 40,
  seed: 7,
  killEveryMs: 5_000,
  minKills: 30,
  brokerRestarts: 2,
  redisRestarts: 1,
  outageMs: 60_000,
  reportPath: undefined,
  dailyZone: 'utc',
  zones: undefined,
  // June 1, 2026 is a Monday: the short run's ~6 days close daily windows, the ISO week and the month
  // that end there; the full run spans months
  start: Date.parse('2026-05-28T00:00:00Z'),
}

/** The version inside `npm test`: every kind of fault, fewer samples and kills, a short outage. */
export const SHORT: ChaosOptions = {
  ...FULL,
  samples: 30_000,
  rate: 600,
  users: 12,
  killEveryMs: 4_000,
  minKills: 10,
  brokerRestarts: 1,
  outageMs: 15_000,
}

/**
 * Zones whose 2026 daylight-saving changes fall in a run that starts on March 28: Berlin springs
 * forward on the 29th (a 23-hour day), Sydney and Adelaide (+10:30 → +09:30) fall back on April 5
 * (25 hours); Los Angeles (changed on March 8) and Kolkata (+05:30, no DST) have 24-hour days there.
 */
export const DST_ZONES: readonly string[] = [
  'Europe/Berlin',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Asia/Kolkata',
]

/** `--user-zones`: daily windows on the users' local days, the users in `DST_ZONES`, from March 28. */
export const USER_ZONES: Pick<ChaosOptions, 'dailyZone' | 'zones' | 'start'> = {
  dailyZone: 'user',
  zones: DST_ZONES,
  start: Date.parse('2026-03-28T12:00:00Z'),
}

/**
 * `--short --user-zones`, the second chaos run of `npm test`: samples for ~8.5 simulated days (every
 * user's data past Adelaide's April 5), sent faster, every kind of fault, fewer kills and a shorter
 * outage. 11 users: the fewest whose ids hash onto all 4 partitions (a partition that never gets data
 * holds the watermark back for the idle timeout, a minute, and the run is through before that: no
 * window would fire). Seed 13 gives users of every zone a v2 device (which sends the zone) and some
 * v1 ones too (UTC days).
 */
export const SHORT_USER_ZONES: ChaosOptions = {
  ...SHORT,
  ...USER_ZONES,
  samples: 43_000,
  rate: 1_500,
  users: 11,
  seed: 13,
  minKills: 6,
  outageMs: 10_000,
}

export const USAGE = `usage: npm run chaos -- [flags]
  --short              the short run of npm test (${SHORT.samples} samples, ${SHORT.minKills} kills, 1 broker restart)
  --samples N          distinct samples to send (default ${FULL.samples})
  --rate N             samples per second (default ${FULL.rate})
  --users N            simulated users (default ${FULL.users})
  --seed N             seed of the simulator and of the fault schedule (default ${FULL.seed})
  --kill-every D       kill -9 a random service this often: 5s, 2500ms (default ${FULL.killEveryMs}ms)
  --min-kills N        at least this many kills (default ${FULL.minKills})
  --broker-restarts N  Kafka restarts (default ${FULL.brokerRestarts})
  --redis-restarts N   Redis restarts (default ${FULL.redisRestarts})
  --outage D           S3 stopped for this long, 0 = never (default ${FULL.outageMs / 1000}s)
  --user-zones         daily windows on the users' local days (DAILY_WINDOW_ZONE=user) across DST changes:
                       users in ${DST_ZONES.map((z) => z.split('/')[1]).join(', ')}, from ${new Date(USER_ZONES.start).toISOString().slice(0, 16)}Z
                       (with --short: ${SHORT_USER_ZONES.samples} samples, ${SHORT_USER_ZONES.users} users, seed ${SHORT_USER_ZONES.seed}, ${SHORT_USER_ZONES.minKills} kills, lake down ${SHORT_USER_ZONES.outageMs / 1000}s)
  --daily-zone Z       the aggregator's DAILY_WINDOW_ZONE, utc or user (default utc; user with --user-zones)
  --zones LIST         the users' IANA zones, comma-separated, round-robin (default: drawn from the seed)
  --start T            simulated start, ISO 8601 with a zone (default ${new Date(FULL.start).toISOString()})
  --report PATH        write the JSON report here`

/** A bad flag; the message names it. */
export class ChaosOptionError extends Error {
  override readonly name = 'ChaosOptionError'
}

const FLAGS = {
  short: { type: 'boolean' },
  samples: { type: 'string' },
  rate: { type: 'string' },
  users: { type: 'string' },
  seed: { type: 'string' },
  'kill-every': { type: 'string' },
  'min-kills': { type: 'string' },
  'broker-restarts': { type: 'string' },
  'redis-restarts': { type: 'string' },
  outage: { type: 'string' },
  'user-zones': { type: 'boolean' },
  'daily-zone': { type: 'string' },
  zones: { type: 'string' },
  start: { type: 'string' },
  report: { type: 'string' },
  help: { type: 'boolean' },
} as const

/** The options the flags ask for; undefined for --help. */
export function parseChaosOptions(argv: readonly string[]): ChaosOptions | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new ChaosOptionError((error as Error).message)
  }
  if (values.help) return undefined
  const base = values['user-zones']
    ? values.short
      ? SHORT_USER_ZONES
      : { ...FULL, ...USER_ZONES }
    : values.short
      ? SHORT
      : FULL
  const text = (name: string) => values[name] as string | undefined
  const int = (flag: string, min: number, fallback: number) => {
    const raw = text(flag)
    if (raw === undefined) return fallback
    const value = Number(raw.replaceAll('_', ''))
    if (!Number.isInteger(value) || value < min)
      throw new ChaosOptionError(`--${flag} must be an integer ≥ ${min}, got '${raw}'`)
    return value
  }
  const ms = (flag: string, fallback: number) => {
    const raw = text(flag)
    return raw === undefined ? fallback : duration(`--${flag}`, raw)
  }
  return {
    samples: int('samples', 1, base.samples),
    rate: int('rate', 1, base.rate),
    users: int('users', 1, base.users),
    seed: int('seed', 0, base.seed),
    killEveryMs: Math.max(500, ms('kill-every', base.killEveryMs)),
    minKills: int('min-kills', 0, base.minKills),
    brokerRestarts: int('broker-restarts', 0, base.brokerRestarts),
    redisRestarts: int('redis-restarts', 0, base.redisRestarts),
    outageMs: ms('outage', base.outageMs),
    reportPath: text('report'),
    dailyZone: dailyZone(text('daily-zone')) ?? base.dailyZone,
    zones: zoneList(text('zones')) ?? base.zones,
    start: startTime(text('start')) ?? base.start,
  }
}

function dailyZone(raw: string | undefined): ChaosOptions['dailyZone'] | undefined {
  if (raw === undefined || raw === 'utc' || raw === 'user') return raw
  throw new ChaosOptionError(`--daily-zone must be utc or user, got '${raw}'`)
}

/** The simulator's `--zones`, its problem a chaos option error. */
function zoneList(raw: string | undefined): readonly string[] | undefined {
  try {
    return simulatorZoneList(raw)
  } catch (error) {
    throw new ChaosOptionError((error as Error).message)
  }
}

function startTime(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)
    ? Date.parse(raw)
    : NaN
  if (Number.isNaN(ms)) throw new ChaosOptionError(`--start must be ISO 8601 with a zone, got '${raw}'`)
  return ms
}

function duration(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim())
  if (!m) throw new ChaosOptionError(`${flag} must be a duration like 5s, 2500ms or 1m, got '${raw}'`)
  const unit = m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1_000
  return Math.round(Number(m[1]) * unit)
}
