import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'

/** Linux USER_HZ: /proc times are in 1/100 s on every mainstream architecture. */
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined once gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // After "pid (comm) " the fields start at field 3 (state); utime is field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Busy and total CPU seconds of the whole machine, from the first line of /proc/stat. */
function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  const idle = ticks[3]! + ticks[4]! // idle + iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND }
}

/** One reading of every watched process and of the machine. */
export interface CpuSnapshot {
  readonly at: number
  readonly processes: Readonly<Record<string, number | undefined>>
  readonly busy: number
  readonly total: number
}

/** CPU used between two snapshots, in cores (1.0 = one core fully busy for the whole interval). */
export interface CpuUse {
  readonly seconds: number
  readonly cores: Record<string, number>
  /** Whole machine, in cores, and the part of it no watched process explains (other load). */
  readonly machine: number
  readonly other: number
  readonly machineCores: number
}

/** Watches named processes (service pids, the broker, Redis, this process) through /proc. */
export class CpuMeter {
  readonly #pids = new Map<string, number>()

  watch(name: string, pid: number | undefined): void {
    if (pid !== undefined) this.#pids.set(name, pid)
  }

  unwatch(name: string): void {
    this.#pids.delete(name)
  }

  snapshot(): CpuSnapshot {
    const processes: Record<string, number | undefined> = {}
    for (const [name, pid] of this.#pids) processes[name] = processCpuSeconds(pid)
    return { at: performance.now(), processes, ...machineCpuSeconds() }
  }

  static between(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
    const seconds = (b.at - a.at) / 1000
    const cores: Record<string, number> = {}
    let watched = 0
    for (const [name, end] of Object.entries(b.processes)) {
      const start = a.processes[name]
      if (start === undefined || end === undefined || seconds <= 0) continue
      cores[name] = round2((end - start) / seconds)
      watched += end - start
    }
    const machineCores = cpus().length
    // /proc/stat counts all cores: busy share of the interval times the core count
    const share = b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0
    const machine = round2(share * machineCores)
    const other = round2(Math.max(0, machine - (seconds > 0 ? watched / seconds : 0)))
    return { seconds: round2(seconds), cores, machine, other, machineCores }
  }
}

export const round2 = (n: number): number => Math.round(n * 100) / 100
