import type { CpuUse } from './cpu.ts'
import type { HopBenchResult } from './hop-result.ts'
import { n, table } from './stats.ts'

const GOAL = 100_000

/** "ingest 0.98 · kafka 0.61 · other 0.20 (box 1.85/2)": processes above 0.02 cores. */
function cpu(use: CpuUse | undefined): string {
  if (!use) return ''
  const parts = Object.entries(use.cores)
    .filter(([, cores]) => cores >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
  if (use.other >= 0.02) parts.push(`other ${use.other.toFixed(2)}`)
  return `${parts.join(' · ')} (box ${use.machine.toFixed(2)}/${use.machineCores})`
}

/** Prints the run as one table, then transaction details and profile tops. */
export function printReport(r: HopBenchResult): void {
  const rows: string[][] = [
    ['measure', 'samples/s', 'steady/s', 'records/s', 'MB/s', 'p50 ms', 'p99 ms', 'CPU cores'],
  ]
  const pre = r.preload
  if (pre) {
    const s = pre.elapsedMs / 1000
    rows.push([
      'preload: simulator (idempotent, lz4)',
      n(pre.samplesPerSecond),
      '',
      n(pre.batches / s),
      (pre.bytes / s / 1e6).toFixed(1),
      '',
      '',
      '',
    ])
  }
  const what: Record<string, string> = {
    ingest: 'ingest raw→samples, EOS',
    validator: 'validator samples→validated, EOS',
  }
  for (const h of r.hops) {
    const cell = h.timedOut ? `${n(h.samplesPerSecond)} (timed out)` : n(h.samplesPerSecond)
    rows.push([
      what[h.hop] ?? h.hop,
      cell,
      h.steadySamplesPerSecond > 0 ? n(h.steadySamplesPerSecond) : '',
      n(h.inputRecords / h.seconds),
      '',
      '',
      '',
      cpu(h.cpu),
    ])
  }
  const lat = r.latency
  if (lat) {
    const at = `@ ${n(lat.offeredRate)}/s`
    rows.push([
      `latency ${at}: ingest (raw → samples)`,
      '',
      '',
      '',
      '',
      n(lat.ingest.p50),
      n(lat.ingest.p99),
      cpu(lat.cpu),
    ])
    rows.push([
      `latency ${at}: validator (samples → validated)`,
      '',
      '',
      '',
      '',
      n(lat.validator.p50),
      n(lat.validator.p99),
      '',
    ])
    rows.push([
      `latency ${at}: raw → validated`,
      '',
      '',
      '',
      '',
      n(lat.endToEnd.p50),
      n(lat.endToEnd.p99),
      '',
    ])
  }
  const perBatch = pre ? pre.samplesSent / pre.batches : 1
  for (const b of r.broker) {
    const samples = b.label === 'sample' ? 1 : perBatch
    rows.push([
      `kafka ProducerPerformance txn, ${b.recordBytes} B (${b.label})`,
      n(b.producer.recordsPerSecond * samples),
      '',
      n(b.producer.recordsPerSecond),
      b.producer.mbPerSecond.toFixed(1),
      n(b.producer.p50Ms),
      n(b.producer.p99Ms),
      cpu(b.producerCpu),
    ])
    rows.push([
      `kafka ConsumerPerformance read_committed, ${b.recordBytes} B`,
      n(b.consumer.recordsPerSecond * samples),
      '',
      n(b.consumer.recordsPerSecond),
      b.consumer.mbPerSecond.toFixed(1),
      '',
      '',
      cpu(b.consumerCpu),
    ])
  }
  const head = pre
    ? `${n(pre.samplesSent)} samples in ${n(pre.batches)} raw batches (${(pre.samplesSent / pre.batches).toFixed(1)} samples, ${n(pre.bytes / pre.batches)} B each)`
    : ''
  console.log(`\nhop benchmark, ${r.startedAt}: ${head}; ${r.machine.cores} cores, node ${r.machine.node}`)
  console.log(table(rows))
  const contended = [
    ...r.hops.map((h) => [h.hop, h.cpu.other] as const),
    ...(lat ? [['latency run', lat.cpu.other] as const] : []),
  ].filter(([, other]) => other > 0.25)
  if (contended.length > 0) {
    const list = contended.map(([what, other]) => `${what} ${other.toFixed(2)}`).join(', ')
    console.log(`\nwarning: other processes on this machine took CPU (cores: ${list}); figures are low`)
  }
  console.log(`\ngoal ≥ ${n(GOAL)} samples/s per hop:`)
  for (const h of r.hops) {
    const verdict =
      h.samplesPerSecond >= GOAL ? 'reached' : `${((h.samplesPerSecond / GOAL) * 100).toFixed(0)} % of it`
    console.log(
      `  ${h.hop}: ${verdict}; ${n(h.transactions)} transactions (${h.aborted} aborted), ` +
        `${n(h.meanTxSamples)} samples and ${n(h.meanTxMs)} ms each on average; outputs ${JSON.stringify(h.outputs)}`,
    )
  }
  for (const [hop, use] of Object.entries(r.redisServer)) {
    const top = Object.entries(use)
      .sort((a, b) => b[1].serverMs - a[1].serverMs)
      .slice(0, 3)
      .map(([c, u]) => `${c} ${n(u.calls)}× ${u.usPerCall} µs = ${n(u.serverMs)} ms`)
    if (top.length > 0) console.log(`  Redis server time during ${hop} (all clients): ${top.join(', ')}`)
  }
  if (lat) {
    const l = (name: string, p: typeof lat.ingest) =>
      `${name} p50 ${p.p50} / p90 ${p.p90} / p99 ${p.p99} / max ${p.max} ms (${n(p.count)})`
    console.log(
      `latency: ${l('ingest', lat.ingest)}; ${l('validator', lat.validator)}; ${l('e2e', lat.endToEnd)}`,
    )
  }
  for (const [service, { profile: p, trace }] of Object.entries(r.profiles)) {
    const hop = r.hops.find((h) => h.hop === service)
    console.log(`\nprofile of ${service}: ${n(p.busyMs)} ms busy, ${n(p.idleMs)} ms idle (${p.file})`)
    if (trace && hop) {
      const ops = Object.entries(trace.perTransaction)
        .filter(([name]) => name !== 'kafka fetch' && name !== 'kafka metadata')
        .map(([name, op]) => `${name} ${op.ms} ms (${op.calls}×)`)
      const fetch = trace.perTransaction['kafka fetch']
      console.log(
        `  per transaction (${n(hop.meanTxSamples)} samples, ${n(hop.meanTxMs)} ms): ${ops.join(', ')}; ` +
          `read-ahead fetches ${fetch?.ms ?? 0} ms (${fetch?.calls ?? 0}×, overlapped); ` +
          `event loop busy ${Math.round(trace.eventLoopUtilization * 100)} % while committing`,
      )
    }
    console.log(
      table([['self %', 'where'], ...p.places.slice(0, 8).map((x) => [`${x.share.toFixed(1)}`, x.name])]),
    )
    console.log(table([['self %', 'function'], ...p.functions.map((x) => [`${x.share.toFixed(1)}`, x.name])]))
  }
}
