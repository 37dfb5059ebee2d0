/**
 * `npm run ops -- reconcile`: the lake against its topics, through the lake-writer's
 * `GET /admin/reconcile`. Prints per table and topic partition the last stable offset, the offset the
 * table records, its rows and the committed records it does not hold yet; exits 0 when the lake holds
 * everything, 1 when anything is behind (for scripts), 2 on a usage error.
 */
import { adminToken, callAdmin } from '../admin-client.ts'
import { parseArgs, single } from '../args.ts'
import { type OpsCommand, UsageError } from '../command.ts'
import { exitCodeOf, formatReconcile, type ReconcileReport } from '../reconcile-format.ts'

const USAGE = `usage: npm run ops -- reconcile --url <lake-writer admin URL> [--max-scan <n>] [--json]

--url        e.g. http://127.0.0.1:8084 (or LAKE_WRITER_URL)
--max-scan   committed records read at most per topic partition (default: the writer's RECONCILE_MAX_SCAN);
             beyond, "behind" is a lower bound
--json       print the writer's report as JSON
Exit code: 0 when every table holds every committed record of its topics, 1 when not.
The admin token comes from ADMIN_TOKEN or the file ADMIN_TOKEN_FILE names.`

export const reconcileCommand: OpsCommand = {
  name: 'reconcile',
  summary: 'compare the lake with its topics: records not in the tables yet, per partition',
  usage: USAGE,
  async run(args, env, out) {
    const parsed = parseArgs(args, { values: ['url', 'max-scan'], flags: ['json'] })
    const url = single(parsed, 'url') ?? env.LAKE_WRITER_URL
    if (url === undefined) throw new UsageError('--url (or LAKE_WRITER_URL) is required')
    const maxScan = single(parsed, 'max-scan')
    if (maxScan !== undefined && !/^[1-9]\d*$/.test(maxScan))
      throw new UsageError(`--max-scan takes a positive integer, not ${JSON.stringify(maxScan)}`)
    const path = `/admin/reconcile${maxScan === undefined ? '' : `?maxScan=${maxScan}`}`
    const report = await callAdmin<ReconcileReport>({ url, token: adminToken(env) }, 'GET', path)
    if (parsed.flags.has('json')) out(JSON.stringify(report, null, 2))
    else for (const line of formatReconcile(report)) out(line)
    return exitCodeOf(report)
  },
}
