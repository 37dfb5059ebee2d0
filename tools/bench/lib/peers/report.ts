/**
 * The peers report: Healthstream against Kafka Streams (raw → aggregates) and against the Iceberg
 * Kafka Connect sink (validated → table), as medians with their range over the rounds of one run,
 * the ratios the goals of issue #17 name, and the figures that say what limits us.
 */
import { n, table } from '../stats.ts'
import {
  type ChainFigures,
  figures,
  type LakeRoundResult,
  type LakeSystem,
  type RoundResult,
  type System,
} from './round.ts'

export interface PeersResult {
  readonly startedAt: string
  readonly machine: { readonly cores: number; readonly node: string }
  readonly options: Readonly<Record<string, unknown>>
  readonly rounds: readonly RoundResult[]
  readonly lake: readonly LakeRoundResult[]
  readonly idleRssMiB: Readonly<Record<string, number>>
  readonly chain?: ChainFigures
}

/** Median and range of a figure over rounds. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN }
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)! }
}

const cell = (s: Spread, digits = 0): string => {
  const f = (v: number) => (digits === 0 ? n(v) : v.toFixed(digits))
  return s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`
}

const LABELS: Record<System, string> = {
  'kafka-streams-warm': 'Kafka Streams, warmed-up JVM (one process)',
  'kafka-streams-fresh': 'Kafka Streams, fresh JVM',
  healthstream: 'Healthstream ingest + validator + aggregator',
}

const LAKE_LABELS: Record<LakeSystem, string> = {
  'lake-writer': 'Healthstream lake-writer',
  'iceberg-connect': 'Iceberg Kafka Connect sink (standalone)',
}

/** Figures of every round of one system, summarised. */
export function summarise(rounds: readonly RoundResult[], system: System) {
  const mine = rounds.filter((r) => r.system === system).map(figures)
  const perProcess = new Map<string, number[]>()
  for (const f of mine)
    for (const [name, us] of Object.entries(f.cpuUsPerSample))
      perProcess.set(name, [...(perProcess.get(name) ?? []), us])
  const peaks = new Map<string, number[]>()
  for (const r of rounds.filter((x) => x.system === system))
    for (const name of r.app)
      peaks.set(name, [...(peaks.get(name) ?? []), r.processes[name]?.peakRssMiB ?? 0])
  return {
    rounds: mine.length,
    samplesPerSecond: spread(mine.map((f) => f.samplesPerSecond)),
    appCpuUsPerSample: spread(mine.map((f) => f.appCpuUsPerSample)),
    peakRssMiB: spread(mine.map((f) => f.peakRssMiB)),
    cpuUsPerSample: Object.fromEntries([...perProcess].map(([k, v]) => [k, spread(v)])),
    peakRssPerProcess: Object.fromEntries([...peaks].map(([k, v]) => [k, spread(v)])),
  }
}

export function summariseLake(rounds: readonly LakeRoundResult[], system: LakeSystem) {
  const mine = rounds.filter((r) => r.system === system)
  return {
    rounds: mine.length,
    rowsPerSecond: spread(mine.map((r) => r.rows / r.seconds)),
    cpuUsPerRow: spread(mine.map((r) => (r.cpuSeconds * 1e6) / r.rows)),
    kafkaUsPerRow: spread(mine.map((r) => (r.kafkaCpuSeconds * 1e6) / r.rows)),
    peakRssMiB: spread(mine.map((r) => r.peakRssMiB)),
  }
}

const ratio = (ours: number, theirs: number): string =>
  Number.isFinite(ours / theirs) ? `${(ours / theirs).toFixed(2)}×` : 'n/a'
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met')

/** The goals of issue #17 with this run's figures. */
export interface GoalCheck {
  readonly goal: string
  readonly figure: string
  readonly met: boolean | undefined
}

export function goals(result: PeersResult): GoalCheck[] {
  const hs = summarise(result.rounds, 'healthstream')
  const warm = summarise(result.rounds, 'kafka-streams-warm')
  const lw = summariseLake(result.lake, 'lake-writer')
  const kc = summariseLake(result.lake, 'iceberg-connect')
  const out: GoalCheck[] = []
  const throughput = hs.samplesPerSecond.median / warm.samplesPerSecond.median
  out.push({
    goal: 'raw → aggregates ≥ 1.0× warmed Kafka Streams',
    figure: ratio(hs.samplesPerSecond.median, warm.samplesPerSecond.median),
    met: Number.isFinite(throughput) ? throughput >= 1 : undefined,
  })
  const chain = result.chain
  if (chain?.ceilingSamplesPerSecond) {
    const share = chain.maxSamplesPerSecond / chain.ceilingSamplesPerSecond
    out.push({
      goal: 'raw → lake ≥ 25 % of the broker’s single-hop ceiling',
      figure: `${(share * 100).toFixed(1)} % (${n(chain.maxSamplesPerSecond)} of ${n(chain.ceilingSamplesPerSecond)}/s)`,
      met: share >= 0.25,
    })
  }
  out.push({
    goal: 'three hops ≤ 50 µs CPU per sample',
    figure: `${hs.appCpuUsPerSample.median.toFixed(1)} µs`,
    met: hs.rounds > 0 ? hs.appCpuUsPerSample.median <= 50 : undefined,
  })
  const loaded = { ...Object.fromEntries(Object.entries(hs.peakRssPerProcess).map(([k, v]) => [k, v.max])) }
  if (chain) Object.assign(loaded, { 'lake-writer': chain.peakRssMiB['lake-writer'] })
  const worstLoaded = Math.max(...Object.values(loaded).filter((v): v is number => v !== undefined))
  out.push({
    goal: 'every service ≤ 200 MiB RSS at full load',
    figure: Object.entries(loaded)
      .map(([k, v]) => `${k} ${v === undefined ? '?' : n(v)}`)
      .join(', '),
    met: Number.isFinite(worstLoaded) ? worstLoaded <= 200 : undefined,
  })
  const idle = Object.values(result.idleRssMiB)
  out.push({
    goal: 'every service ≤ 120 MiB RSS idle',
    figure: Object.entries(result.idleRssMiB)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', '),
    met: idle.length > 0 ? Math.max(...idle) <= 120 : undefined,
  })
  if (chain?.paced) {
    const p = chain.paced
    const worst = Math.max(...Object.values(p.hops).map((h) => h.p99))
    const whole = p.whole
      ? `; with the first ${p.warmupSeconds} s: ${Object.entries(p.whole)
          .map(([k, v]) => `${k} ${n(v.p99)}`)
          .join(', ')} ms`
      : ''
    out.push({
      goal: `p99 per hop < 100 ms at half the max rate (${n(p.rate)}/s)`,
      figure: `${p.whole ? `after a ${p.warmupSeconds} s warm-up: ` : ''}${Object.entries(p.hops)
        .map(([k, v]) => `${k} ${n(v.p99)} ms`)
        .join(', ')}${whole}`,
      met: worst < 100,
    })
    if (p.freshness)
      out.push({
        goal: `lake freshness p99 ≤ COMMIT_INTERVAL + 2 s (${n(p.commitIntervalMs + 2000)} ms)`,
        figure: `${n(p.freshness.p99)} ms`,
        met: p.freshness.p99 <= p.commitIntervalMs + 2000,
      })
  }
  if (lw.rounds > 0 && kc.rounds > 0) {
    out.push({
      goal: 'lake-writer ≥ 1.0× the Iceberg Kafka Connect sink in rows/s',
      figure: ratio(lw.rowsPerSecond.median, kc.rowsPerSecond.median),
      met: lw.rowsPerSecond.median >= kc.rowsPerSecond.median,
    })
    out.push({
      goal: 'lake-writer ≤ the Iceberg Kafka Connect sink in CPU per row',
      figure: `${lw.cpuUsPerRow.median.toFixed(1)} against ${kc.cpuUsPerRow.median.toFixed(1)} µs (${ratio(kc.cpuUsPerRow.median, lw.cpuUsPerRow.median)} as efficient)`,
      met: lw.cpuUsPerRow.median <= kc.cpuUsPerRow.median,
    })
  }
  return out
}

/** The whole report as printed text. */
export function formatPeers(result: PeersResult, outFile: string): string {
  const lines: string[] = []
  const o = result.options
  lines.push(
    `Raw → aggregates: ${n(Number(o.samples))} samples preloaded on health-data-raw, ${o.rounds} round(s), order alternated`,
  )
  const systems: System[] = ['kafka-streams-warm', 'kafka-streams-fresh', 'healthstream']
  const rows = [['median of rounds [range]', 'samples/s', 'app CPU µs/sample', 'peak RSS MiB']]
  for (const system of systems) {
    const s = summarise(result.rounds, system)
    if (s.rounds === 0) continue
    const split = Object.entries(s.peakRssPerProcess)
    const perProcess = split.length > 1 ? ` (≈ ${split.map(([, v]) => n(v.median)).join(' + ')})` : ''
    rows.push([
      `${LABELS[system]}, ${s.rounds}×`,
      cell(s.samplesPerSecond),
      cell(s.appCpuUsPerSample, 1),
      `${cell(s.peakRssMiB)}${perProcess}`,
    ])
  }
  lines.push(table(rows), '')
  lines.push('CPU per sample, every watched process (median µs):')
  for (const system of systems) {
    const s = summarise(result.rounds, system)
    if (s.rounds === 0) continue
    const parts = Object.entries(s.cpuUsPerSample).map(([k, v]) => `${k} ${v.median.toFixed(1)}`)
    lines.push(`  ${LABELS[system]}: ${parts.join(', ')}`)
  }
  const noise = result.rounds.map((r) => r.machine.otherCores)
  if (noise.length > 0)
    lines.push(
      `  other load on the machine during the rounds: ${Math.min(...noise).toFixed(2)}–${Math.max(...noise).toFixed(2)} cores (of ${result.machine.cores})`,
    )
  const memory = result.rounds.find((r) => r.memory !== undefined)?.memory
  if (memory)
    lines.push(
      `  Healthstream memory halfway through its first round (MiB: RSS = heap used / heap reserved + outside the heap + the rest): ${Object.entries(
        memory,
      )
        .map(
          ([k, m]) =>
            `${k} ${m.rss} = ${m.heapUsed}/${m.heapTotal} + ${m.external} + ${m.rss - m.heapTotal - m.external}`,
        )
        .join('; ')}`,
    )
  if (result.lake.length > 0) {
    lines.push('', 'Validated topic → Iceberg table (same topic, same kind of table, same commit interval):')
    const lakeRows = [['median [range]', 'rows/s', 'CPU µs/row', 'broker µs/row', 'peak RSS MiB']]
    for (const system of ['lake-writer', 'iceberg-connect'] as const) {
      const s = summariseLake(result.lake, system)
      if (s.rounds === 0) continue
      lakeRows.push([
        `${LAKE_LABELS[system]}, ${s.rounds}×`,
        cell(s.rowsPerSecond),
        cell(s.cpuUsPerRow, 1),
        cell(s.kafkaUsPerRow, 1),
        cell(s.peakRssMiB),
      ])
    }
    lines.push(table(lakeRows))
  }
  lines.push('', 'Settings (beside every default):')
  const settingsOf = (label: string, settings: Readonly<Record<string, string>> | undefined) => {
    if (settings && Object.keys(settings).length > 0)
      lines.push(
        `  ${label}: ${Object.entries(settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      )
  }
  settingsOf('Healthstream', result.rounds.find((r) => r.system === 'healthstream')?.settings)
  settingsOf('Kafka Streams', result.rounds.find((r) => r.system !== 'healthstream')?.settings)
  for (const system of ['lake-writer', 'iceberg-connect'] as const)
    settingsOf(LAKE_LABELS[system], result.lake.find((r) => r.system === system)?.settings)
  lines.push('', 'Goals (issue #17):')
  for (const g of goals(result))
    lines.push(`  ${g.met === undefined ? 'n/a' : verdict(g.met)}: ${g.goal} — ${g.figure}`)
  lines.push('', `JSON: ${outFile}`)
  return lines.join('\n')
}
