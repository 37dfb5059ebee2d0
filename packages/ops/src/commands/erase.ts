/**
 * `npm run ops -- erase`: erases people from the lake and from Redis through the services'
 * `POST /admin/erase`: the lake-writer (all five tables; every instance given), the aggregator (its
 * window state and results), the validator (its duplicate marks). One erasure id names it in every
 * service's audit line. Runs every service even when one fails; exits 0 when all erased, 1 when any
 * failed (running it again is safe: each service deletes only what is left), 2 on a usage error.
 */
import { randomUUID } from 'node:crypto'
import { userInfo } from 'node:os'
import { adminToken, callAdmin } from '../admin-client.ts'
import { parseArgs, single } from '../args.ts'
import { type OpsCommand, UsageError } from '../command.ts'
import {
  type ErasureAnswer,
  type ErasureReport,
  type ErasureStep,
  erasureExitCode,
  formatErasure,
} from '../erase-format.ts'

const USAGE = `usage: npm run ops -- erase --user <id> [--user <id>…] --lake-writer <URL> [--lake-writer <URL>…]
                            --aggregator <URL> --validator <URL> [--by <name>] [--json]

--user          a user id to erase (repeatable)
--lake-writer   a lake-writer's admin URL; give every instance (each flushes what it has read first)
--aggregator    an aggregator's admin URL (any one instance: the state is shared in Redis)
--validator     a validator's admin URL (any one instance)
--by            who asks, for the audit record (default: your login name)
--json          print the services' audit records as JSON
Order: aggregator, validator, then each lake-writer (it first reads its topics up to their ends).
The rows stay in the data files (hidden) and in older snapshots until the files are rewritten
(POST /admin/compact/<table>) and those snapshots expire (MAINTENANCE_INTERVAL, POST
/admin/expire-snapshots); the Kafka topics keep them until their retention.
The admin token comes from ADMIN_TOKEN or the file ADMIN_TOKEN_FILE names.`

/**
 * The services to call, in order: the aggregator first (no window of theirs fires after it, and a
 * batch in flight is redone without their state), the validator, then each lake-writer, which first
 * reads its topics up to their ends, so the aggregates emitted before are in what it erases.
 */
function targets(parsed: ReturnType<typeof parseArgs>): { service: string; url: string }[] {
  const writers = parsed.values.get('lake-writer') ?? []
  const aggregator = single(parsed, 'aggregator')
  const validator = single(parsed, 'validator')
  const missing = [
    ...(writers.length === 0 ? ['--lake-writer'] : []),
    ...(aggregator === undefined ? ['--aggregator'] : []),
    ...(validator === undefined ? ['--validator'] : []),
  ]
  if (missing.length > 0)
    throw new UsageError(`${missing.join(', ')} required: an erasure covers every store`)
  return [
    { service: 'aggregator', url: aggregator! },
    { service: 'validator', url: validator! },
    ...writers.map((url) => ({ service: 'lake-writer', url })),
  ]
}

export const eraseCommand: OpsCommand = {
  name: 'erase',
  summary: 'erase users from every lake table and from Redis (state, results, duplicate marks)',
  usage: USAGE,
  async run(args, env, out) {
    const parsed = parseArgs(args, {
      values: ['user', 'lake-writer', 'aggregator', 'validator', 'by'],
      flags: ['json'],
    })
    const users = [...new Set(parsed.values.get('user') ?? [])]
    if (users.length === 0) throw new UsageError('--user is required (repeatable)')
    const calls = targets(parsed)
    const token = adminToken(env)
    const erasureId = randomUUID()
    const body = { users, by: single(parsed, 'by') ?? env.USER ?? userInfo().username, erasureId }
    const steps: ErasureStep[] = []
    for (const { service, url } of calls) {
      try {
        const answer = await callAdmin<ErasureAnswer>({ url, token }, 'POST', '/admin/erase', body)
        steps.push({ service, url, answer })
      } catch (error) {
        steps.push({ service, url, error: (error as Error).message })
      }
    }
    if (parsed.flags.has('json')) out(JSON.stringify({ erasureId, steps } satisfies ErasureReport, null, 2))
    else for (const line of formatErasure(erasureId, users.length, steps)) out(line)
    return erasureExitCode(steps)
  },
}
