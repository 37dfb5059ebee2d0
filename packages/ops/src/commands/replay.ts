/**
 * `npm run ops -- replay`: re-drives dead letters through ingest's `POST /admin/replay`, each once
 * however often it is run. Prints what was selected, replayed, already replayed and not replayable.
 */
import { userInfo } from 'node:os'
import { adminToken, callAdmin } from '../admin-client.ts'
import { parseArgs, single } from '../args.ts'
import { type OpsCommand, UsageError } from '../command.ts'

const USAGE = `usage: npm run ops -- replay --url <ingest admin URL> <selection> [--by <name>] [--dry-run] [--json]

selection (all given criteria must hold; at least one):
  --stage <ingest|validator|aggregator>   the stage that rejected them (repeatable)
  --reason <REASON_CODE>                  e.g. BEFORE_FLOOR, UNKNOWN_SCHEMA_ID (repeatable)
  --from <ISO time> / --to <ISO time>     error time, from inclusive, to exclusive
  --error-id <id>                         one dead letter (repeatable)

--by        who asks, for the audit record (default: your login name)
--dry-run   count what would be replayed, write nothing
--json      print the service's report as JSON
The admin token comes from ADMIN_TOKEN or the file ADMIN_TOKEN_FILE names.`

interface Report {
  replayId: string
  dryRun: boolean
  selected: number
  replayed: number
  alreadyReplayed: number
  notReplayable: Record<string, number>
  topics: Record<string, number>
  unreadable: number
}

export const replayCommand: OpsCommand = {
  name: 'replay',
  summary: 'send dead letters through the stage that rejected them again, each once',
  usage: USAGE,
  async run(args, env, out) {
    const parsed = parseArgs(args, {
      values: ['url', 'stage', 'reason', 'from', 'to', 'error-id', 'by'],
      flags: ['dry-run', 'json'],
    })
    const url = single(parsed, 'url') ?? env.INGEST_ADMIN_URL
    if (url === undefined) throw new UsageError('--url (or INGEST_ADMIN_URL) is required')
    const body = {
      stages: parsed.values.get('stage'),
      reasons: parsed.values.get('reason'),
      errorIds: parsed.values.get('error-id'),
      from: single(parsed, 'from'),
      to: single(parsed, 'to'),
      by: single(parsed, 'by') ?? env.USER ?? userInfo().username,
      dryRun: parsed.flags.has('dry-run'),
    }
    const report = await callAdmin<Report>({ url, token: adminToken(env) }, 'POST', '/admin/replay', body)
    if (parsed.flags.has('json')) out(JSON.stringify(report, null, 2))
    else for (const line of describe(report)) out(line)
    return 0
  },
}

function describe(r: Report): string[] {
  const lines = [
    `${r.dryRun ? 'dry run' : 'replay'} ${r.replayId}: ${r.selected} selected, ${r.replayed} replayed, ${r.alreadyReplayed} replayed before`,
  ]
  for (const [topic, n] of Object.entries(r.topics)) lines.push(`  ${n} to ${topic}`)
  for (const [why, n] of Object.entries(r.notReplayable)) lines.push(`  ${n} not replayable: ${why}`)
  if (r.unreadable > 0) lines.push(`  ${r.unreadable} records of the errors topic could not be read`)
  return lines
}
