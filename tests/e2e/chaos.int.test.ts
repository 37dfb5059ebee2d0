/**
 * The short chaos run (`npm run chaos -- --short`) inside `npm test`: while the simulator sends,
 * services are killed with SIGKILL, the broker and Redis restart, S3 and the PostgreSQL catalog are
 * stopped; afterwards the lake
 * must hold exactly the ground truth. It runs on a stack of its own (see tools/chaos/main.ts), so
 * the restarts do not disturb the rest of the suite. Then its user-zone variant (`--short
 * --user-zones`, one after the other: both use that stack): daily windows on the users' local days
 * across Berlin's 23-hour and Sydney's and Adelaide's 25-hour days, the same faults, the same checks.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'
import type { ChaosReport } from '@healthstream/tools/chaos'

describe('chaos: kill -9 of services, broker and Redis restarts, S3 and catalog outage while data flows', {
  timeout: 900_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-chaos-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  /** `npm run chaos -- <flags>`, its output shown, its report read back once it passed. */
  async function chaos(name: string, flags: readonly string[]): Promise<ChaosReport> {
    const reportPath = join(dir, `${name}.json`)
    const output: string[] = []
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'tools/chaos/main.ts'), ...flags, '--report', reportPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    const text = output.join('')
    console.log(
      text
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .slice(-30)
        .join('\n'),
    )
    assert.equal(code, 0, `chaos run failed:\n${text.slice(-4000)}`)
    return JSON.parse(readFileSync(reportPath, 'utf8')) as ChaosReport
  }

  it('loses nothing, duplicates nothing and keeps the aggregates exact', async () => {
    const report = await chaos('short', ['--short'])
    assert.deepEqual(report.violations, [])
    assert.ok(report.kills >= 10, `${report.kills} kills`)
    assert.ok(
      Object.values(report.services).every((s) => s.kills > 0),
      'every service was killed',
    )
    assert.deepEqual(
      report.servers.map((f) => `${f.server} ${f.kind}`),
      ['kafka restart', 'redis restart', 'lake outage'],
    )
    assert.ok(report.lake.raw > 20_000, `${report.lake.raw} raw rows`)
    assert.ok(report.lake.errors > 0)
  })

  it("keeps the users' local days exact through the same faults, 23 and 25 hours on DST changes", async () => {
    const report = await chaos('user-zones', ['--short', '--user-zones'])
    assert.deepEqual(report.violations, [])
    assert.deepEqual(
      report.servers.map((f) => `${f.server} ${f.kind}`),
      ['kafka restart', 'redis restart', 'lake outage'],
    )
    assert.ok(report.kills >= 6, `${report.kills} kills`)
    // What the daily table holds, per zone by its current IANA name (the recomputation agreed with
    // every row above)
    const { days } = report.lake
    const zone = (name: string) => days[name]
    assert.deepEqual(zone('Europe/Berlin')?.lengths, { '2026-03-29': 23 })
    assert.deepEqual(zone('Australia/Sydney')?.lengths, { '2026-04-05': 25 })
    assert.deepEqual(zone('Australia/Adelaide')?.lengths, { '2026-04-05': 25 })
    assert.deepEqual(zone('Australia/Adelaide')?.startsAt, ['13:30'], "Adelaide's days at +10:30")
    assert.deepEqual(zone('Asia/Kolkata')?.startsAt, ['18:30'])
    assert.deepEqual(days.UTC?.startsAt, ['00:00'], 'v1 samples, without a zone, on UTC days')
  })
})
