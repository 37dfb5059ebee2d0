import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../../stack/paths.ts'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly hitCount?: number
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface ProfileSummary {
  readonly file: string
  /** Sampled time with the thread busy (JS, GC, native), and idle (waiting for I/O). */
  readonly busyMs: number
  readonly idleMs: number
  /** Self time by function, and by where the code lives (package or project folder). */
  readonly functions: readonly { name: string; ms: number; share: number }[]
  readonly places: readonly { name: string; ms: number; share: number }[]
}

/** Where a script lives: a package under node_modules, a project folder, or node's own internals. */
function place(url: string): string {
  if (url === '') return '(native/vm)'
  if (url.startsWith('node:')) return 'node internals'
  const path = url.replace(/^file:\/\//, '')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (pkg) return pkg[1]!
  const rel = relative(projectRoot, path)
  return rel.startsWith('..') ? path : rel.split('/').slice(0, 3).join('/')
}

/** Self time per function of a .cpuprofile (`node --cpu-prof`), top `limit`, shares of the busy time. */
export function summarizeProfile(file: string, limit = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  let totalUs = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    self.set(id, (self.get(id) ?? 0) + dt)
    totalUs += dt
  })
  const functions = new Map<string, number>()
  const places = new Map<string, number>()
  let idleUs = 0
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') {
      idleUs += us
      continue
    }
    const where = frame.url === '' ? '' : ` ${place(frame.url)}:${frame.lineNumber + 1}`
    const name = `${frame.functionName || '(anonymous)'}${where}`
    functions.set(name, (functions.get(name) ?? 0) + us)
    const p = frame.url === '' ? frame.functionName || '(native/vm)' : place(frame.url)
    places.set(p, (places.get(p) ?? 0) + us)
  }
  const busyUs = totalUs - idleUs
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        share: Math.round((us / busyUs) * 1000) / 10,
      }))
  return {
    file,
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: top(functions),
    places: top(places),
  }
}

/** Where `trace-hop.ts` put its totals, summed per transaction. */
export interface HopTrace {
  /** Share of wall time the event loop was busy, over the seconds in which transactions committed. */
  readonly eventLoopUtilization: number
  /** Per committed transaction: calls and milliseconds waited, by operation. */
  readonly perTransaction: Record<string, { calls: number; ms: number; maxMs: number }>
}

/** NODE_OPTIONS that make a Node.js process write a CPU profile `<dir>/<base>.cpuprofile` when it exits. */
export function cpuProfileOptions(dir: string, base: string): string {
  return `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${base}.cpuprofile`
}

/** Environment that runs a service under `--cpu-prof` with `trace-hop.ts` preloaded; files named `base`. */
export function profilingEnv(dir: string, base: string): Record<string, string> {
  const trace = pathToFileURL(join(import.meta.dirname, 'trace-hop.ts')).href
  return {
    NODE_OPTIONS: `${cpuProfileOptions(dir, base)} --import=${trace}`,
    BENCH_TRACE_FILE: join(dir, `${base}.trace.json`),
  }
}

/** The profile and the trace a profiled service wrote when it exited. */
export function readDiagnostics(
  dir: string,
  base: string,
  transactions: number,
): { profile: ProfileSummary; trace: HopTrace | undefined } {
  const profile = summarizeProfile(join(dir, `${base}.cpuprofile`))
  const file = join(dir, `${base}.trace.json`)
  if (!existsSync(file)) return { profile, trace: undefined }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    ops: Record<string, { count: number; totalMs: number; maxMs: number }>
    eventLoopUtilization: number
  }
  const per = Math.max(1, transactions)
  const perTransaction = Object.fromEntries(
    Object.entries(raw.ops)
      .sort((a, b) => b[1].totalMs - a[1].totalMs)
      .map(([name, op]) => [
        name,
        {
          calls: Math.round((op.count / per) * 10) / 10,
          ms: Math.round((op.totalMs / per) * 10) / 10,
          maxMs: Math.round(op.maxMs),
        },
      ]),
  )
  return {
    profile,
    trace: { eventLoopUtilization: Math.round(raw.eventLoopUtilization * 100) / 100, perTransaction },
  }
}
