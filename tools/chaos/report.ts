import type { ChaosReport } from './run.ts'

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const median = (xs: readonly number[]) => {
  if (xs.length === 0) return 0
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** `Europe/Berlin 9 rows (2026-03-29 23 h)`, per zone of the daily table. */
const zoneLine = (r: ChaosReport) =>
  Object.entries(r.lake.days)
    .map(([zone, d]) => {
      const odd = Object.entries(d.lengths).map(([date, hours]) => `${date} ${hours} h`)
      return `${zone} ${d.rows} rows${odd.length > 0 ? ` (${odd.join(', ')})` : ''}`
    })
    .join('; ')

/** The run as a few lines a person reads: faults, recovery, what the lake holds, verdict. */
export function formatReport(r: ChaosReport): string {
  const lines = [
    `chaos run: ${r.simulator.samplesSent.toLocaleString('en')} samples sent (${r.simulator.samples.toLocaleString('en')} distinct, ` +
      `${r.simulator.batches.toLocaleString('en')} uploads) in ${s(r.simulator.elapsedMs)}; ${r.simulator.resends} sends made again`,
    `faults: ${r.kills} kill -9 of services; ${r.servers.map((f) => `${f.server} ${f.kind} at ${s(f.atMs)} (down ${s(f.downMs)})`).join(', ')}`,
    '',
    'service       kills  restart p50  failed starts  crashes',
  ]
  for (const [name, rec] of Object.entries(r.services))
    lines.push(
      `${name.padEnd(13)} ${String(rec.kills).padStart(5)}  ${s(median(rec.restartMs)).padStart(11)}  ${String(rec.failedStarts).padStart(13)}  ${String(rec.crashes.length).padStart(7)}`,
    )
  const agg = Object.entries(r.lake.aggregates)
    .map(([g, c]) => `${g} ${c.rows} rows (${c.finals} final) of ${c.windows} windows`)
    .join('; ')
  lines.push(
    '',
    `lake (pyiceberg): health_data_raw ${r.lake.raw.toLocaleString('en')} rows, health_data_errors ${r.lake.errors.toLocaleString('en')} rows; ${agg}`,
    `drained ${s(r.drainMs)} after the last fault; whole run ${s(r.totalMs)}; batches on the raw topic more often than sent: ${r.extraRawCopies}`,
  )
  if (r.options.dailyZone === 'user') lines.push(`daily windows in the users' zones: ${zoneLine(r)}`)
  for (const [name, rec] of Object.entries(r.services))
    for (const crash of rec.crashes)
      lines.push(`crash of ${name} at ${s(crash.atMs)}:`, ...crash.lastLines.map((l) => `  ${l}`))
  lines.push(
    '',
    r.violations.length === 0
      ? 'PASS: nothing lost, nothing duplicated, aggregates exact'
      : `FAIL: ${r.violations.length} invariants broken:\n${r.violations.map((v) => `  - ${v}`).join('\n')}`,
  )
  return lines.join('\n')
}
