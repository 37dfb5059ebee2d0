/** The end-to-end benchmark's chart: throughput per service, lag per topic, CPU per process over time. */
import { chartSvg, type Panel } from './chart.ts'
import { lagSeries, rateSeries, type Tick } from './e2e-analysis.ts'

/** What the chart's title says about the run. */
export interface ChartCaption {
  readonly startedAt: string
  readonly simulator: { readonly samplesSent: number }
  readonly endToEnd: { readonly samplesPerSecond: number }
}

/** Three panels on one time axis (seconds since `t0`), from the monitor's ticks. */
export function buildChart(
  ticks: readonly Tick[],
  services: readonly string[],
  t0: number,
  caption: ChartCaption,
): string {
  const lagLabels = [...new Set(ticks.flatMap((t) => Object.keys(t.lag)))]
  const processes = [...new Set(ticks.flatMap((t) => Object.keys(t.cpu)))]
  const x = (t: Tick) => Math.round((t.at - t0) / 100) / 10
  const cpu = (name: string) =>
    ticks.filter((t) => t.cpu[name] !== undefined).map((t) => [x(t), t.cpu[name]!] as [number, number])
  // What the machine did beside the watched processes: other load on a shared box
  const other = ticks.map(
    (t) =>
      [x(t), Math.max(0, t.machine - Object.values(t.cpu).reduce((a, b) => a + b, 0))] as [number, number],
  )
  const panels: Panel[] = [
    {
      title: 'throughput per service (samples committed per second)',
      yLabel: 'samples/s',
      series: services.map((s) => ({ name: s, points: rateSeries(ticks, s, t0) })),
    },
    {
      title: 'consumer lag per topic (read_committed end offset − group offset)',
      yLabel: 'records',
      series: lagLabels.map((label) => ({ name: label, points: lagSeries(ticks, label, t0) })),
    },
    {
      title: 'CPU per process (cores)',
      yLabel: 'cores',
      series: [
        ...processes.map((p) => ({ name: p, points: cpu(p) })),
        { name: 'other (not this run)', points: other, muted: true },
      ],
    },
  ]
  const rate = caption.endToEnd.samplesPerSecond.toLocaleString('en-US')
  const samples = caption.simulator.samplesSent.toLocaleString('en-US')
  return chartSvg(panels, {
    title: `Healthstream end to end, ${caption.startedAt}: ${samples} samples, ${rate} samples/s`,
    xLabel: 'seconds since the monitor started',
  })
}
